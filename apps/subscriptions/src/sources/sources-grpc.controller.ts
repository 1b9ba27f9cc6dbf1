import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { parseInput } from '../common/validation';
import {
  CreateSourceRequest,
  RotateSourceSecretRequest,
  UpdateSourceRequest,
} from './sources.schemas';
import { SourcesService } from './sources.service';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import {
  defined,
  externalIdsFromProto,
  type ProtoExternalIds,
  sourceToProto,
} from '../grpc/grpc.messages';

interface SourceRef {
  businessId?: string;
  sourceId?: string;
}

/** `switchboard.admin.v1.Sources`: the REST source operations over gRPC. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class SourcesGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly sources: SourcesService,
  ) {}

  @GrpcMethod('Sources', 'CreateSource')
  async createSource(
    request: {
      businessId?: string;
      provider?: string;
      environment?: string;
      enabled?: boolean;
      externalIds?: ProtoExternalIds;
      appSecret?: string;
      verifyToken?: string;
      secret?: string;
      token?: string;
      events?: string;
      tokenHeader?: string;
    },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { businessId, externalIds, ...rest } = request;
    const input = parseInput(
      CreateSourceRequest,
      defined({ ...rest, externalIds: externalIdsFromProto(externalIds) }),
    );
    const created = await this.sources.create(principal, businessId ?? '', input);
    const { secret, verifyToken, ...source } = created;
    return { source: sourceToProto(source), secret, verifyToken: verifyToken ?? undefined };
  }

  @GrpcMethod('Sources', 'ListSources')
  async listSources(request: { businessId?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const list = await this.sources.list(principal, request.businessId ?? '');
    return { items: list.items.map(sourceToProto) };
  }

  @GrpcMethod('Sources', 'GetSource')
  async getSource(request: SourceRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return sourceToProto(
      await this.sources.get(principal, request.businessId ?? '', request.sourceId ?? ''),
    );
  }

  @GrpcMethod('Sources', 'UpdateSource')
  async updateSource(
    request: SourceRef & {
      environment?: string;
      enabled?: boolean;
      externalIds?: ProtoExternalIds;
    },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const patch = parseInput(
      UpdateSourceRequest,
      defined({
        environment: request.environment,
        enabled: request.enabled,
        externalIds: externalIdsFromProto(request.externalIds),
      }),
    );
    return sourceToProto(
      await this.sources.update(principal, request.businessId ?? '', request.sourceId ?? '', patch),
    );
  }

  @GrpcMethod('Sources', 'DeleteSource')
  async deleteSource(request: SourceRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    await this.sources.delete(principal, request.businessId ?? '', request.sourceId ?? '');
    return {};
  }

  @GrpcMethod('Sources', 'RotateSourceSecret')
  async rotateSourceSecret(
    request: SourceRef & { secret?: string; graceSeconds?: number },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const input = parseInput(
      RotateSourceSecretRequest,
      defined({ secret: request.secret, graceSeconds: request.graceSeconds }),
    );
    const rotated = await this.sources.rotateSecret(
      principal,
      request.businessId ?? '',
      request.sourceId ?? '',
      input,
    );
    return { source: sourceToProto(rotated.source), secret: rotated.secret };
  }
}
