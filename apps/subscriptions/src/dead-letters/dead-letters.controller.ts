import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ZodBody, ZodQuery } from '../openapi/zod-api.decorators';
import {
  InboundDeadLetterDetail,
  InboundDeadLetterList,
  InboundDeadLetterQuery,
  OutboundDeadLetter,
  OutboundDeadLetterList,
  OutboundDeadLetterQuery,
  REPLAY_MAX_RAW_WEBHOOKS,
  ReplayAccepted,
  ReplayRangeRequest,
} from './dead-letters.schemas';
import { InboundDeadLettersService } from './inbound-dead-letters.service';
import { OutboundDeadLettersService } from './outbound-dead-letters.service';

@ApiTags('dead letters')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId')
export class DeadLettersController {
  constructor(
    private readonly inbound: InboundDeadLettersService,
    private readonly outbound: OutboundDeadLettersService,
  ) {}

  @Get('inbound-dead-letters')
  @ApiOperation({
    operationId: 'listInboundDeadLetters',
    summary: 'Webhooks (or items of them) the normalizer could not turn into events, newest first',
  })
  @ApiJson(200, InboundDeadLetterList, 'A page of inbound dead letters')
  @ApiErrors(400, 401, 404, 503)
  listInbound(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodQuery(InboundDeadLetterQuery) query: InboundDeadLetterQuery,
  ): Promise<InboundDeadLetterList> {
    return this.inbound.list(principal, businessId, query);
  }

  @Post('inbound-dead-letters/replay')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'replayInboundDeadLetters',
    summary: 'Replay every raw webhook dead-lettered in [since, until)',
    description:
      `At most ${REPLAY_MAX_RAW_WEBHOOKS} raw webhooks per call (400 beyond). Each runs through ` +
      "the normalizer's current mappers again under its raw id: events already stored are not " +
      'published again. The outcome is read back from each dead letter (lastReplay).',
  })
  @ApiJson(202, ReplayAccepted, 'The replays were sent to the normalizer')
  @ApiErrors(400, 401, 404, 503)
  replayRange(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodBody(ReplayRangeRequest) body: ReplayRangeRequest,
  ): Promise<ReplayAccepted> {
    return this.inbound.replayRange(principal, businessId, body);
  }

  @Get('inbound-dead-letters/:deadLetterId')
  @ApiOperation({
    operationId: 'getInboundDeadLetter',
    summary: 'An inbound dead letter, with the raw body as received and its replay state',
  })
  @ApiJson(200, InboundDeadLetterDetail, 'The dead letter')
  @ApiErrors(401, 404, 503)
  getInbound(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('deadLetterId') id: string,
  ): Promise<InboundDeadLetterDetail> {
    return this.inbound.get(principal, businessId, id);
  }

  @Post('inbound-dead-letters/:deadLetterId/replay')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'replayInboundDeadLetter',
    summary: "Run the dead letter's raw webhook through the current mappers again",
  })
  @ApiJson(202, ReplayAccepted, 'The replay was sent to the normalizer')
  @ApiErrors(401, 404, 503)
  replayOne(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('deadLetterId') id: string,
  ): Promise<ReplayAccepted> {
    return this.inbound.replayOne(principal, businessId, id);
  }

  @Get('outbound-dead-letters')
  @ApiOperation({
    operationId: 'listOutboundDeadLetters',
    summary: 'Deliveries dead-lettered after their last retry, newest first',
    description: 'Deliver them again with POST …/webhooks/{topic}/recover.',
  })
  @ApiJson(200, OutboundDeadLetterList, 'A page of outbound dead letters')
  @ApiErrors(400, 401, 404)
  listOutbound(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodQuery(OutboundDeadLetterQuery) query: OutboundDeadLetterQuery,
  ): Promise<OutboundDeadLetterList> {
    return this.outbound.list(principal, businessId, query);
  }

  @Get('outbound-dead-letters/:deadLetterId')
  @ApiOperation({ operationId: 'getOutboundDeadLetter', summary: 'An outbound dead letter' })
  @ApiJson(200, OutboundDeadLetter, 'The dead-lettered delivery')
  @ApiErrors(401, 404)
  getOutbound(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('deadLetterId') id: string,
  ): Promise<OutboundDeadLetter> {
    return this.outbound.get(principal, businessId, id);
  }
}
