import { Controller, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ZodBody } from '../openapi/zod-api.decorators';
import { ConnectlyCreatedWebhook, ConnectlyCreateWebhookRequest } from './webhooks.schemas';
import { WebhooksService } from './webhooks.service';

/**
 * Connectly's registration call, at the path and with the body its API reference gives, so a
 * client written for Connectly registers here unchanged. It is the same use case as
 * `POST …/webhooks` (one address per topic; a second registration replaces the first).
 */
@ApiTags('webhooks')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId/create/webhooks')
export class ConnectlyWebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhookConnectly',
    summary: "Connectly's create webhook registration: subscribe an address to a topic",
  })
  @ApiJson(201, ConnectlyCreatedWebhook, 'Created')
  @ApiJson(200, ConnectlyCreatedWebhook, 'Replaced the subscription of this topic (same id)')
  @ApiErrors(400, 401, 404)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodBody(ConnectlyCreateWebhookRequest) body: ConnectlyCreateWebhookRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectlyCreatedWebhook> {
    const { webengageConfiguration, ...configuration } = body.configuration;
    const created = await this.webhooks.create(
      principal,
      businessId,
      { topic: body.topic, address: body.address, configuration },
      { connectly: { type: body.type, ...(webengageConfiguration && { webengageConfiguration }) } },
    );
    void reply.status(created.replaced ? 200 : 201);
    return { id: created.id };
  }
}
