import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { SubscriptionsConfig } from '../config/subscriptions.config';
import { ADMIN_PACKAGE } from './grpc.constants';
import { GrpcHealth } from './grpc-health';

/** `packages/contracts/proto`, found next to the contracts package's entry point. */
export function protoRoot(): string {
  return join(dirname(require.resolve('@switchboard/contracts')), '..', 'proto');
}

export const adminProtoFile = 'switchboard/admin/v1/admin.proto';
export const dataKeysProtoFile = 'switchboard/admin/v1/data_keys.proto';

/**
 * The admin API's package definition (plus the health service's, so reflection describes both).
 * Fields are camelCase in JavaScript, int64 arrive as numbers, absent fields stay absent.
 */
export function loadAdminProto(): PackageDefinition {
  return loadSync([adminProtoFile, dataKeysProtoFile, healthProtoPath], {
    includeDirs: [protoRoot()],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    arrays: true,
    oneofs: false,
  });
}

/**
 * Adds the gRPC server to the application (a Nest hybrid app): the admin services, the standard
 * health service and server reflection, on `HOST:GRPC_PORT`.
 */
export function connectGrpc(app: INestApplication, config: SubscriptionsConfig): void {
  const packageDefinition = loadAdminProto();
  const health = app.get(GrpcHealth);
  const options: GrpcOptions = {
    transport: Transport.GRPC,
    options: {
      package: ADMIN_PACKAGE,
      packageDefinition,
      url: `${config.HOST}:${config.GRPC_PORT}`,
      gracefulShutdown: true,
      onLoadPackageDefinition: (definition: PackageDefinition, server: unknown) => {
        const grpcServer = server as Parameters<ReflectionService['addToServer']>[0];
        new ReflectionService(definition).addToServer(grpcServer);
        health.addToServer(grpcServer);
      },
    },
  };
  app.connectMicroservice(options, { inheritAppConfig: false });
}
