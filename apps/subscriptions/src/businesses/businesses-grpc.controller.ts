import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { CreateBusinessRequest } from './businesses.schemas';
import { BusinessesService } from './businesses.service';
import { parseInput } from '../common/validation';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import { defined } from '../grpc/grpc.messages';

interface BusinessRef {
  businessId?: string;
}

/** `switchboard.admin.v1.Businesses`: the REST businesses and API key operations over gRPC. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class BusinessesGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly businesses: BusinessesService,
  ) {}

  @GrpcMethod('Businesses', 'CreateBusiness')
  async createBusiness(request: { name?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const input = parseInput(CreateBusinessRequest, defined({ name: request.name }));
    const created = await this.businesses.create(principal, input);
    return { ...created, name: created.name ?? undefined };
  }

  @GrpcMethod('Businesses', 'GetBusiness')
  async getBusiness(request: BusinessRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const business = await this.businesses.get(principal, request.businessId ?? '');
    return { ...business, name: business.name ?? undefined };
  }

  @GrpcMethod('Businesses', 'ListApiKeys')
  async listApiKeys(request: BusinessRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return this.businesses.listApiKeys(principal, request.businessId ?? '');
  }

  @GrpcMethod('Businesses', 'CreateApiKey')
  async createApiKey(request: BusinessRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return this.businesses.createApiKey(principal, request.businessId ?? '');
  }

  @GrpcMethod('Businesses', 'DeleteApiKey')
  async deleteApiKey(request: BusinessRef & { keyId?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    await this.businesses.deleteApiKey(principal, request.businessId ?? '', request.keyId ?? '');
    return {};
  }
}
