import { Module } from '@nestjs/common';
import { BusinessesModule } from '../businesses/businesses.module';
import { OutboxModule } from '../outbox/outbox.module';
import { SourcesController } from './sources.controller';
import { SourcesRepository } from './sources.repository';
import { SourcesService } from './sources.service';

@Module({
  imports: [BusinessesModule, OutboxModule],
  controllers: [SourcesController],
  providers: [SourcesRepository, SourcesService],
  exports: [SourcesService, SourcesRepository],
})
export class SourcesModule {}
