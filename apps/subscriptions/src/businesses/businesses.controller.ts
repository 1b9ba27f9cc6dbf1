import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson, ApiNoContent, ZodBody } from '../openapi/zod-api.decorators';
import {
  ApiKeyList,
  Business,
  CreateBusinessRequest,
  CreatedApiKey,
  CreatedBusiness,
} from './businesses.schemas';
import { BusinessesService } from './businesses.service';

@ApiTags('businesses')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/businesses')
export class BusinessesController {
  constructor(private readonly businesses: BusinessesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createBusiness',
    summary: 'Create a business and its first API key (operator only)',
  })
  @ApiJson(201, CreatedBusiness, 'The business, with its API key shown this once')
  @ApiErrors(400, 401, 403)
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(CreateBusinessRequest) body: CreateBusinessRequest,
  ): Promise<CreatedBusiness> {
    return this.businesses.create(principal, body);
  }

  @Get(':businessId')
  @ApiOperation({ operationId: 'getBusiness', summary: 'Get a business' })
  @ApiJson(200, Business, 'The business')
  @ApiErrors(401, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
  ): Promise<Business> {
    return this.businesses.get(principal, businessId);
  }

  @Get(':businessId/api-keys')
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: "List a business's API keys (prefixes only)",
  })
  @ApiJson(200, ApiKeyList, 'The keys, without their values')
  @ApiErrors(401, 404)
  listKeys(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
  ): Promise<ApiKeyList> {
    return this.businesses.listApiKeys(principal, businessId);
  }

  @Post(':businessId/api-keys')
  @HttpCode(201)
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create another API key' })
  @ApiJson(201, CreatedApiKey, 'The key, shown this once')
  @ApiErrors(401, 404)
  createKey(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
  ): Promise<CreatedApiKey> {
    return this.businesses.createApiKey(principal, businessId);
  }

  @Delete(':businessId/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteApiKey', summary: 'Revoke an API key at once' })
  @ApiNoContent('Revoked')
  @ApiErrors(401, 404)
  async deleteKey(
    @CurrentPrincipal() principal: Principal,
    @Param('businessId') businessId: string,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    await this.businesses.deleteApiKey(principal, businessId, keyId);
  }
}
