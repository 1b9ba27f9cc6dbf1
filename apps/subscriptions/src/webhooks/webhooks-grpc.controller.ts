import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { parseInput } from '../common/validation';
import {
  CreateWebhookRequest,
  RotateWebhookSecretRequest,
  TopicParam,
  UpdateWebhookRequest,
} from './webhooks.schemas';
import { WebhooksService } from './webhooks.service';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import {
  configurationFromProto,
  defined,
  type ProtoConfiguration,
  webhookToProto,
} from '../grpc/grpc.messages';

interface WebhookRef {
  businessId?: string;
  topic?: string;
}

/** `switchboard.admin.v1.Webhooks`: the REST webhook subscription operations over gRPC. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class WebhooksGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly webhooks: WebhooksService,
  ) {}

  @GrpcMethod('Webhooks', 'CreateWebhook')
  async createWebhook(
    request: WebhookRef & { address?: string; configuration?: ProtoConfiguration; secret?: string },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const input = parseInput(
      CreateWebhookRequest,
      defined({
        topic: request.topic,
        address: request.address,
        configuration: configurationFromProto(request.configuration),
        secret: request.secret,
      }),
    );
    const created = await this.webhooks.create(principal, request.businessId ?? '', input);
    const { secret, replaced, ...webhook } = created;
    return { webhook: webhookToProto(webhook), replaced, secret };
  }

  @GrpcMethod('Webhooks', 'ListWebhooks')
  async listWebhooks(request: { businessId?: string }, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const list = await this.webhooks.list(principal, request.businessId ?? '');
    return { items: list.items.map(webhookToProto) };
  }

  @GrpcMethod('Webhooks', 'GetWebhook')
  async getWebhook(request: WebhookRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    return webhookToProto(await this.webhooks.get(principal, request.businessId ?? '', topic));
  }

  @GrpcMethod('Webhooks', 'UpdateWebhook')
  async updateWebhook(
    request: WebhookRef & { address?: string; configuration?: ProtoConfiguration; state?: string },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    const patch = parseInput(
      UpdateWebhookRequest,
      defined({
        address: request.address,
        configuration: configurationFromProto(request.configuration),
        state: request.state,
      }),
    );
    return webhookToProto(
      await this.webhooks.update(principal, request.businessId ?? '', topic, patch),
    );
  }

  @GrpcMethod('Webhooks', 'DeleteWebhook')
  async deleteWebhook(request: WebhookRef, metadata: Metadata) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    await this.webhooks.delete(principal, request.businessId ?? '', topic);
    return {};
  }

  @GrpcMethod('Webhooks', 'RotateWebhookSecret')
  async rotateWebhookSecret(
    request: WebhookRef & { secret?: string; graceSeconds?: number },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const topic = parseInput(TopicParam, request.topic, 'topic');
    const input = parseInput(
      RotateWebhookSecretRequest,
      defined({ secret: request.secret, graceSeconds: request.graceSeconds }),
    );
    const rotated = await this.webhooks.rotateSecret(
      principal,
      request.businessId ?? '',
      topic,
      input,
    );
    return { webhook: webhookToProto(rotated.webhook), secret: rotated.secret };
  }
}
