import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { HealthStatsController } from './health-stats.controller';
import { HealthStatsRepository } from './health-stats.repository';
import { HealthStatsService } from './health-stats.service';

/** Aggregates of the delivery log for the health monitor's charts. */
@Module({
  imports: [BusinessesModule, WebhooksModule],
  controllers: [HealthStatsController],
  providers: [HealthStatsRepository, HealthStatsService],
})
export class HealthStatsModule {}
