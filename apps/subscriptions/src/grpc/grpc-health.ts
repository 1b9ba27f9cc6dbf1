import {
  type BeforeApplicationShutdown,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HealthImplementation } from 'grpc-health-check';
import { ADMIN_PACKAGE, ADMIN_SERVICES } from './grpc.constants';

/** The standard gRPC health service: SERVING once started, NOT_SERVING while shutting down. */
@Injectable()
export class GrpcHealth implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  /** The overall status ('') and each admin service's. */
  private readonly services = ['', ...ADMIN_SERVICES.map((s) => `${ADMIN_PACKAGE}.${s}`)];

  addToServer(server: Parameters<HealthImplementation['addToServer']>[0]): void {
    this.health.addToServer(server);
  }

  onApplicationBootstrap(): void {
    for (const service of this.services) this.health.setStatus(service, 'SERVING');
  }

  beforeApplicationShutdown(): void {
    for (const service of this.services) this.health.setStatus(service, 'NOT_SERVING');
  }
}
