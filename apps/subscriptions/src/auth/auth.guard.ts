import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  createParamDecorator,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service';
import type { Principal } from './principal';

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Authenticates every REST call of the admin API; the principal goes on the request. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = await this.auth.authenticate({
      authorization: single(request.headers.authorization),
      apiKey: single(request.headers['x-api-key']),
    });
    return true;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The authenticated caller of a REST handler (set by {@link AuthGuard}). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('AuthGuard did not run for this route');
    return principal;
  },
);
