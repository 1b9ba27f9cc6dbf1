import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { CursorModule } from '../common/cursor.module';
import { DeadLettersController } from './dead-letters.controller';
import { InboundDeadLettersRepository } from './inbound-dead-letters.repository';
import { InboundDeadLettersService } from './inbound-dead-letters.service';
import { OutboundDeadLettersService } from './outbound-dead-letters.service';

/** Inbound dead letters (the normalizer's audit views) and their replay; outbound ones alike. */
@Module({
  imports: [BusinessesModule, CursorModule],
  controllers: [DeadLettersController],
  providers: [InboundDeadLettersRepository, InboundDeadLettersService, OutboundDeadLettersService],
  exports: [InboundDeadLettersService, OutboundDeadLettersService],
})
export class DeadLettersModule {}
