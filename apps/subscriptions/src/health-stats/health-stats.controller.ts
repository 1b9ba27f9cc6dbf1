import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SubscriptionTopic } from '@switchboard/contracts';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ZodPipe } from '../openapi/zod-api.decorators';
import { TopicParam } from '../webhooks/webhooks.schemas';
import { WebhookHealthStats } from './health-stats.schemas';
import { HealthStatsService } from './health-stats.service';

const topicParam = new ZodPipe(TopicParam, 'topic');

@ApiTags('deliveries')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId')
export class HealthStatsController {
  constructor(private readonly service: HealthStatsService) {}

  @Get('webhooks/:topic/health/stats')
  @ApiParam({ name: 'topic', enum: SubscriptionTopic.options })
  @ApiOperation({
    operationId: 'getWebhookHealthStats',
    summary:
      'Success rate and p50/p99 latency over 1 h, 24 h and 7 d, bucketed, and a state timeline',
  })
  @ApiJson(200, WebhookHealthStats, 'The aggregate the health monitor charts')
  @ApiErrors(400, 401, 404)
  stats(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('topic', topicParam) topic: SubscriptionTopic,
  ): Promise<WebhookHealthStats> {
    return this.service.stats(principal, businessId, topic);
  }
}
