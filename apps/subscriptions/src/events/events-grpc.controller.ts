import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { AuthService } from '../auth/auth.service';
import { parseInput } from '../common/validation';
import { EventQuery } from './events.schemas';
import { EventsService } from './events.service';
import { credentialsOf } from '../grpc/grpc-credentials';
import { GrpcErrorFilter } from '../grpc/grpc-error.filter';
import { defined } from '../grpc/grpc.messages';

/** `switchboard.admin.v1.Events`: the REST inbound event log over gRPC. */
@Controller()
@UseFilters(GrpcErrorFilter)
export class EventsGrpcController {
  constructor(
    private readonly auth: AuthService,
    private readonly events: EventsService,
  ) {}

  @GrpcMethod('Events', 'ListEvents')
  async listEvents(
    request: {
      businessId?: string;
      topic?: string;
      type?: string;
      messageId?: string;
      eventId?: string;
      phone?: string;
      q?: string;
      since?: string;
      until?: string;
      limit?: number;
      cursor?: string;
    },
    metadata: Metadata,
  ) {
    const principal = await this.auth.authenticate(credentialsOf(metadata));
    const { businessId, ...filters } = request;
    const query = parseInput(EventQuery, defined(filters));
    const list = await this.events.list(principal, businessId ?? '', query);
    return {
      items: list.items.map((event) => ({
        id: event.id,
        type: event.type,
        topic: event.topic,
        time: event.time,
        json: JSON.stringify(event),
      })),
      nextCursor: list.nextCursor ?? undefined,
    };
  }
}
