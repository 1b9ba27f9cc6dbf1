import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LivenessService } from './liveness.service';
import { ReadinessService } from './readiness.service';

@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly liveness: LivenessService,
  ) {}

  /**
   * The process answers and nothing it needs to run is dead (a consumer that crashed and gave up
   * restarting): 200, or 503 with the dead parts so the orchestrator restarts the process.
   */
  @Get('live')
  async live(@Res() reply: FastifyReply): Promise<void> {
    const report = this.liveness.report();
    await reply.status(report.live ? 200 : 503).send({
      status: report.live ? 'ok' : 'dead',
      checks: report.checks,
    });
  }

  /** Every dependency answers: 200 when ready, 503 with the failing checks otherwise. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.report();
    await reply.status(report.ready ? 200 : 503).send({
      status: report.ready ? 'ok' : 'unavailable',
      checks: report.checks,
    });
  }
}
