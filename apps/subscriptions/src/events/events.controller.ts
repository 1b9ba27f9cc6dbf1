import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ZodQuery } from '../openapi/zod-api.decorators';
import { EventList, EventQuery, RawWebhookView } from './events.schemas';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: "The business's inbound canonical events (the normalizer's audit log), newest first",
  })
  @ApiJson(200, EventList, 'A page of events')
  @ApiErrors(400, 401, 404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodQuery(EventQuery) query: EventQuery,
  ): Promise<EventList> {
    return this.events.list(principal, businessId, query);
  }

  @Get(':eventId/raw-webhook')
  @ApiOperation({
    operationId: 'getEventRawWebhook',
    summary: 'The raw webhook an event came from, as received, with the events it became',
  })
  @ApiJson(200, RawWebhookView, 'The raw webhook and its canonical events')
  @ApiErrors(401, 404, 503)
  rawWebhook(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('eventId') eventId: string,
  ): Promise<RawWebhookView> {
    return this.events.rawWebhook(principal, businessId, eventId);
  }
}
