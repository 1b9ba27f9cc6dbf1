import { HealthController } from './health.controller';
import { LivenessService } from './liveness.service';
import { ReadinessService } from './readiness.service';

/** Records what the controller answers, as Fastify's reply would send it. */
class FakeReply {
  statusCode: number | undefined;
  body: unknown;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  send(payload: unknown): this {
    this.body = payload;
    return this;
  }
}

async function live(liveness: LivenessService): Promise<FakeReply> {
  const reply = new FakeReply();
  await new HealthController(new ReadinessService(), liveness).live(reply as never);
  return reply;
}

describe(HealthController.name, () => {
  it('answers /health/live with 200 while everything registered is alive', async () => {
    // given a consumer that runs (or is restarting within its backoff)
    const liveness = new LivenessService();
    liveness.register({ name: 'kafka-consumers', deadReason: () => undefined });

    // when liveness is asked, then the process is live
    const reply = await live(liveness);
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toEqual({ status: 'ok', checks: { 'kafka-consumers': { ok: true } } });
  });

  it('answers /health/live with 503 and the reason while a consumer is dead', async () => {
    // given a consumer that gave up restarting
    const liveness = new LivenessService();
    liveness.register({ name: 'http', deadReason: () => undefined });
    liveness.register({
      name: 'kafka-consumers',
      deadReason: () => 'consumer:delivery-commands: crashed 11 times in a row',
    });

    // when liveness is asked, then the orchestrator is told to restart the process, and why
    const reply = await live(liveness);
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toEqual({
      status: 'dead',
      checks: {
        http: { ok: true },
        'kafka-consumers': {
          ok: false,
          error: 'consumer:delivery-commands: crashed 11 times in a row',
        },
      },
    });
  });

  it('counts a check that throws as dead', async () => {
    const liveness = new LivenessService();
    liveness.register({
      name: 'broken',
      deadReason: () => {
        throw new Error('state unreadable');
      },
    });

    const reply = await live(liveness);

    expect(reply.statusCode).toBe(503);
    expect(reply.body).toMatchObject({
      checks: { broken: { ok: false, error: 'state unreadable' } },
    });
  });
});
