import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { ApiErrors, ApiJson } from '../openapi/zod-api.decorators';
import { DataKeyRotation } from './data-keys.schemas';
import { DataKeysService } from './data-keys.service';

@ApiTags('data keys')
@ApiBearerAuth('operator')
@ApiSecurity('apiKey')
@UseGuards(AuthGuard)
@Controller('v1/admin')
export class DataKeysController {
  constructor(private readonly dataKeys: DataKeysService) {}

  @Post('rotate-data-key')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateDataKey',
    summary:
      'Seal every stored secret with the current data key and republish the records changed (operator only)',
  })
  @ApiJson(200, DataKeyRotation, 'What was sealed again; nothing the second time')
  @ApiErrors(401, 403)
  rotate(@CurrentPrincipal() principal: Principal): Promise<DataKeyRotation> {
    return this.dataKeys.rotate(principal);
  }
}
