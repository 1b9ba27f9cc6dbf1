import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SubscriptionTopic } from '@switchboard/contracts';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ZodBody, ZodPipe, ZodQuery } from '../openapi/zod-api.decorators';
import { TopicParam } from '../webhooks/webhooks.schemas';
import { DeliveryCommandsService } from './delivery-commands.service';
import {
  CommandAccepted,
  DeliveryDetail,
  DeliveryList,
  DeliveryQuery,
  RecoverRequest,
  TestDeliveryResult,
  WebhookHealth,
} from './delivery-log.schemas';
import { DeliveryLogService } from './delivery-log.service';

const topicParam = new ZodPipe(TopicParam, 'topic');

@ApiTags('deliveries')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId')
export class DeliveryLogController {
  constructor(
    private readonly deliveryLog: DeliveryLogService,
    private readonly commands: DeliveryCommandsService,
  ) {}

  @Get('deliveries')
  @ApiOperation({ operationId: 'listDeliveries', summary: 'Deliveries, latest activity first' })
  @ApiJson(200, DeliveryList, 'A page of deliveries')
  @ApiErrors(400, 401, 404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodQuery(DeliveryQuery) query: DeliveryQuery,
  ): Promise<DeliveryList> {
    return this.deliveryLog.list(principal, businessId, query);
  }

  @Get('deliveries/:deliveryId')
  @ApiOperation({ operationId: 'getDelivery', summary: 'A delivery and every attempt' })
  @ApiJson(200, DeliveryDetail, 'The delivery with its attempts')
  @ApiErrors(401, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<DeliveryDetail> {
    return this.deliveryLog.get(principal, businessId, deliveryId);
  }

  @Post('deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ operationId: 'retryDelivery', summary: 'Ask the delivery service to retry now' })
  @ApiJson(202, CommandAccepted, 'The command was sent')
  @ApiErrors(401, 404)
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<CommandAccepted> {
    return this.commands.retry(principal, businessId, deliveryId);
  }

  @Get('webhooks/:topic/health')
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({ operationId: 'getWebhookHealth', summary: "A subscription's endpoint health" })
  @ApiJson(200, WebhookHealth, 'Announced health and the last 24 hours of attempts')
  @ApiErrors(400, 401, 404)
  health(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
  ): Promise<WebhookHealth> {
    return this.deliveryLog.health(principal, businessId, topic);
  }

  @Post('webhooks/:topic/recover')
  @HttpCode(202)
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({
    operationId: 'recoverWebhook',
    summary: 'Deliver again what failed since a time',
  })
  @ApiJson(202, CommandAccepted, 'The command was sent')
  @ApiErrors(400, 401, 404)
  recover(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
    @ZodBody(RecoverRequest) body: RecoverRequest,
  ): Promise<CommandAccepted> {
    return this.commands.recover(principal, businessId, topic, body.since);
  }

  @Post('webhooks/:topic/test')
  @HttpCode(200)
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({
    operationId: 'testWebhook',
    summary: 'Send a webhook.test event to the endpoint and answer how the attempt went',
    description:
      'Waits for the delivery service to record the attempt (at most TEST_DELIVERY_TIMEOUT_MS); ' +
      'answers 504 test_delivery_timeout when it does not arrive in time.',
  })
  @ApiJson(200, TestDeliveryResult, 'The outcome of the test attempt')
  @ApiErrors(400, 401, 404, 503, 504)
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
  ): Promise<TestDeliveryResult> {
    return this.commands.test(principal, businessId, topic);
  }
}
