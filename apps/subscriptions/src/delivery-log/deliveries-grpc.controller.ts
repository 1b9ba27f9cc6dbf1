import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { parseInput } from '../common/validation';
import { DeliveryCommandsService } from './delivery-commands.service';
import { DeliveryQuery, RecoverRequest } from './delivery-log.schemas';
import { DeliveryLogService } from './delivery-log.service';
import { TopicParam } from '../webhooks/webhooks.schemas';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import { defined, withoutNulls } from '../grpc/grpc.messages';

interface DeliveryRef {
  businessId?: string;
  deliveryId?: string;
}

interface WebhookRef {
  businessId?: string;
  topic?: string;
}

/**
 * `switchboard.admin.v1.Deliveries`: the REST delivery log, endpoint health and delivery command
 * operations over gRPC, on the same services (same scoping, validation and errors).
 */
@Controller()
@UseFilters(GrpcErrorFilter)
export class DeliveriesGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly deliveryLog: DeliveryLogService,
    private readonly commands: DeliveryCommandsService,
  ) {}

  @GrpcMethod('Deliveries', 'ListDeliveries')
  async listDeliveries(
    request: {
      businessId?: string;
      topic?: string;
      outcome?: string;
      eventType?: string;
      since?: string;
      until?: string;
      limit?: number;
      cursor?: string;
    },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const query = parseInput(
      DeliveryQuery,
      defined({
        topic: request.topic,
        outcome: request.outcome,
        eventType: request.eventType,
        since: request.since,
        until: request.until,
        limit: request.limit,
        cursor: request.cursor,
      }),
    );
    return withoutNulls(await this.deliveryLog.list(principal, request.businessId ?? '', query));
  }

  @GrpcMethod('Deliveries', 'GetDelivery')
  async getDelivery(request: DeliveryRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { attempts, ...delivery } = await this.deliveryLog.get(
      principal,
      request.businessId ?? '',
      request.deliveryId ?? '',
    );
    return withoutNulls({ delivery, attempts });
  }

  @GrpcMethod('Deliveries', 'RetryDelivery')
  async retryDelivery(request: DeliveryRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const accepted = await this.commands.retry(
      principal,
      request.businessId ?? '',
      request.deliveryId ?? '',
    );
    return { commandId: accepted.commandId };
  }

  @GrpcMethod('Deliveries', 'RecoverDeliveries')
  async recoverDeliveries(request: WebhookRef & { since?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    const body = parseInput(RecoverRequest, defined({ since: request.since || undefined }));
    const accepted = await this.commands.recover(
      principal,
      request.businessId ?? '',
      topic,
      body.since,
    );
    return { commandId: accepted.commandId };
  }

  @GrpcMethod('Deliveries', 'TestWebhook')
  async testWebhook(request: WebhookRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    return withoutNulls(await this.commands.test(principal, request.businessId ?? '', topic));
  }

  @GrpcMethod('Deliveries', 'GetWebhookHealth')
  async getWebhookHealth(request: WebhookRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    const { last24h, windows, ...health } = await this.deliveryLog.health(
      principal,
      request.businessId ?? '',
      topic,
    );
    return withoutNulls({
      ...health,
      lastDayCounts: last24h,
      lastHour: windows['1h'],
      lastDay: windows['24h'],
    });
  }
}
