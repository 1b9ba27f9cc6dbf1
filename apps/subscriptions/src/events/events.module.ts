import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { CursorModule } from '../common/cursor.module';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

/** Read-only access to the normalizer's inbound audit log. */
@Module({
  imports: [BusinessesModule, CursorModule],
  controllers: [EventsController],
  providers: [EventsRepository, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
