import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { parseInput } from '../common/validation';
import {
  InboundDeadLetterQuery,
  OutboundDeadLetterQuery,
  ReplayRangeRequest,
} from './dead-letters.schemas';
import { InboundDeadLettersService } from './inbound-dead-letters.service';
import { OutboundDeadLettersService } from './outbound-dead-letters.service';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import { defined, withoutNulls } from '../grpc/grpc.messages';

interface DeadLetterRef {
  businessId?: string;
  deadLetterId?: string;
}

interface ListRequest {
  businessId?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/**
 * `switchboard.admin.v1.DeadLetters`: the REST inbound and outbound dead letters and inbound
 * replay over gRPC, on the same services (same scoping, validation and errors).
 */
@Controller()
@UseFilters(GrpcErrorFilter)
export class DeadLettersGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly inbound: InboundDeadLettersService,
    private readonly outbound: OutboundDeadLettersService,
  ) {}

  @GrpcMethod('DeadLetters', 'ListInboundDeadLetters')
  async listInbound(
    request: ListRequest & { provider?: string; reason?: string },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { businessId, ...filters } = request;
    const query = parseInput(InboundDeadLetterQuery, defined(filters));
    return withoutNulls(await this.inbound.list(principal, businessId ?? '', query));
  }

  @GrpcMethod('DeadLetters', 'GetInboundDeadLetter')
  async getInbound(request: DeadLetterRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { issues, item, contentType, bodyEncoding, body, ...deadLetter } = await this.inbound.get(
      principal,
      request.businessId ?? '',
      request.deadLetterId ?? '',
    );
    return withoutNulls({
      deadLetter,
      issues: issues.map((i) => ({ ...i, path: i.path.map(String) })),
      itemJson: item === null ? null : JSON.stringify(item),
      contentType,
      bodyEncoding,
      body,
    });
  }

  @GrpcMethod('DeadLetters', 'ReplayInboundDeadLetter')
  async replayOne(request: DeadLetterRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return this.inbound.replayOne(principal, request.businessId ?? '', request.deadLetterId ?? '');
  }

  @GrpcMethod('DeadLetters', 'ReplayInboundDeadLetters')
  async replayRange(
    request: { businessId?: string; since?: string; until?: string },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const range = parseInput(
      ReplayRangeRequest,
      defined({ since: request.since || undefined, until: request.until || undefined }),
    );
    return this.inbound.replayRange(principal, request.businessId ?? '', range);
  }

  @GrpcMethod('DeadLetters', 'ListOutboundDeadLetters')
  async listOutbound(request: ListRequest & { topic?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { businessId, ...filters } = request;
    const query = parseInput(OutboundDeadLetterQuery, defined(filters));
    return withoutNulls(await this.outbound.list(principal, businessId ?? '', query));
  }

  @GrpcMethod('DeadLetters', 'GetOutboundDeadLetter')
  async getOutbound(request: DeadLetterRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    return withoutNulls(
      await this.outbound.get(principal, request.businessId ?? '', request.deadLetterId ?? ''),
    );
  }
}
