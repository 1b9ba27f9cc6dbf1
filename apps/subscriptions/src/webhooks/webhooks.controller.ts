import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SubscriptionTopic } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ApiNoContent, ZodBody, ZodPipe } from '../openapi/zod-api.decorators';
import {
  CreatedWebhook,
  CreateWebhookRequest,
  RotatedWebhookSecret,
  RotateWebhookSecretRequest,
  TopicParam,
  UpdateWebhookRequest,
  Webhook,
  WebhookList,
} from './webhooks.schemas';
import { WebhooksService } from './webhooks.service';

const topicParam = new ZodPipe(TopicParam, 'topic');

@ApiTags('webhooks')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhook',
    summary: "Subscribe an address to a topic, replacing the topic's subscription if there is one",
  })
  @ApiJson(201, CreatedWebhook, 'Created, with the signing secret shown this once')
  @ApiJson(200, CreatedWebhook, 'Replaced (same id), with the new signing secret shown this once')
  @ApiErrors(400, 401, 404)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodBody(CreateWebhookRequest) body: CreateWebhookRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedWebhook> {
    const created = await this.webhooks.create(principal, businessId, body);
    void reply.status(created.replaced ? 200 : 201);
    return created;
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: "List a business's webhook subscriptions" })
  @ApiJson(200, WebhookList, 'The subscriptions, without secret values')
  @ApiErrors(401, 404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
  ): Promise<WebhookList> {
    return this.webhooks.list(principal, businessId);
  }

  @Get(':topic')
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({ operationId: 'getWebhook', summary: "Get a topic's subscription" })
  @ApiJson(200, Webhook, 'The subscription, without secret values')
  @ApiErrors(400, 401, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
  ): Promise<Webhook> {
    return this.webhooks.get(principal, businessId, topic);
  }

  @Patch(':topic')
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({ operationId: 'updateWebhook', summary: 'Change address, configuration or state' })
  @ApiJson(200, Webhook, 'The changed subscription')
  @ApiErrors(400, 401, 404)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
    @ZodBody(UpdateWebhookRequest) body: UpdateWebhookRequest,
  ): Promise<Webhook> {
    return this.webhooks.update(principal, businessId, topic, body);
  }

  @Delete(':topic')
  @HttpCode(204)
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Unsubscribe; deliveries stop' })
  @ApiNoContent('Deleted')
  @ApiErrors(400, 401, 404)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
  ): Promise<void> {
    await this.webhooks.delete(principal, businessId, topic);
  }

  @Post(':topic/rotate-secret')
  @HttpCode(200)
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'Add a signing secret; the old ones keep signing during the grace period',
  })
  @ApiJson(200, RotatedWebhookSecret, 'The subscription and the new secret, shown this once')
  @ApiErrors(400, 401, 404)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
    @ZodBody(RotateWebhookSecretRequest) body: RotateWebhookSecretRequest,
  ): Promise<RotatedWebhookSecret> {
    return this.webhooks.rotateSecret(principal, businessId, topic, body);
  }
}
