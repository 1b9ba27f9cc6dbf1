import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { DataKeysService } from './data-keys.service';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';

/** `switchboard.admin.v1.DataKeys`: REST's rotate-data-key over gRPC. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class DataKeysGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly dataKeys: DataKeysService,
  ) {}

  @GrpcMethod('DataKeys', 'RotateDataKey')
  async rotateDataKey(_: unknown, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return this.dataKeys.rotate(principal);
  }
}
