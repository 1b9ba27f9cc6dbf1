import { Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ApiNoContent, ZodBody } from '../openapi/zod-api.decorators';
import {
  CreatedSource,
  CreateSourceRequest,
  RotatedSourceSecret,
  RotateSourceSecretRequest,
  Source,
  SourceList,
  UpdateSourceRequest,
} from './sources.schemas';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses/:businessId/sources')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createSource', summary: 'Connect a provider account' })
  @ApiJson(201, CreatedSource, 'The source, with its secret and verify token shown this once')
  @ApiErrors(400, 401, 404)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @ZodBody(CreateSourceRequest) body: CreateSourceRequest,
  ): Promise<CreatedSource> {
    return this.sources.create(principal, businessId, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listSources', summary: "List a business's sources" })
  @ApiJson(200, SourceList, 'The sources, without secret values')
  @ApiErrors(401, 404)
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
  ): Promise<SourceList> {
    return this.sources.list(principal, businessId);
  }

  @Get(':sourceId')
  @ApiOperation({ operationId: 'getSource', summary: 'Get a source' })
  @ApiJson(200, Source, 'The source, without secret values')
  @ApiErrors(401, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('sourceId') sourceId: string,
  ): Promise<Source> {
    return this.sources.get(principal, businessId, sourceId);
  }

  @Patch(':sourceId')
  @ApiOperation({
    operationId: 'updateSource',
    summary: 'Change environment, enabled or external ids',
  })
  @ApiJson(200, Source, 'The changed source')
  @ApiErrors(400, 401, 404)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('sourceId') sourceId: string,
    @ZodBody(UpdateSourceRequest) body: UpdateSourceRequest,
  ): Promise<Source> {
    return this.sources.update(principal, businessId, sourceId, body);
  }

  @Delete(':sourceId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSource',
    summary: 'Delete a source; ingress stops accepting its webhooks',
  })
  @ApiNoContent('Deleted')
  @ApiErrors(401, 404)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('sourceId') sourceId: string,
  ): Promise<void> {
    await this.sources.delete(principal, businessId, sourceId);
  }

  @Post(':sourceId/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateSourceSecret',
    summary: 'Add a new secret; the old ones expire after the grace period',
  })
  @ApiJson(200, RotatedSourceSecret, 'The source and the new secret, shown this once')
  @ApiErrors(400, 401, 404)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('sourceId') sourceId: string,
    @ZodBody(RotateSourceSecretRequest) body: RotateSourceSecretRequest,
  ): Promise<RotatedSourceSecret> {
    return this.sources.rotateSecret(principal, businessId, sourceId, body);
  }
}
