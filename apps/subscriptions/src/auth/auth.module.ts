import { Module } from '@nestjs/common';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

/** Who is calling: operator and business API keys, for REST and gRPC alike. */
@Module({
  providers: [ApiKeysRepository, AuthService, AuthGuard],
  exports: [ApiKeysRepository, AuthService, AuthGuard],
})
export class AuthModule {}
