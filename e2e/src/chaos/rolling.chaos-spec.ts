import type { ServiceName } from '@switchboard/testing';
import { describeChaos } from './scenario';

/** How each SIGTERMed service ended. */
const exits: { name: ServiceName; code: number | null; signal: string | null }[] = [];

/**
 * A rolling restart under load, as a deployment does it: each service in turn gets SIGTERM,
 * finishes what it has in hand (ingress stops accepting, answers what it took in, then exits),
 * and is started again once it has exited; twice over. Nothing acknowledged may be lost, and the
 * duplicates delivered are counted. Every 20th message's first attempt is refused, so retries
 * are due while delivery restarts.
 */
describeChaos({
  name: 'rolling restart',
  slug: 'rolling',
  describe: 'rolling restart: SIGTERM each service in turn under load, twice',
  replicas: 1,
  failFirstEvery: 20,
  // While the only ingress restarts, requests meet a closed port.
  minAcknowledgedShare: 0.5,
  async disrupt({ services, seconds, until, note, hold, release }) {
    const order: ServiceName[] = ['ingress', 'normalizer', 'subscriptions', 'delivery'];
    const rounds = [...order, ...order];
    const step = (seconds * 1000) / (rounds.length + 1);
    for (const [i, name] of rounds.entries()) {
      await until((i + 1) * step);
      const service = services.get(name)![0]!;
      hold(service);
      const began = performance.now();
      const ended = await service.stop('SIGTERM');
      exits.push({ name, ...ended });
      note(
        `${name} SIGTERMed; exited by itself after ${Math.round(performance.now() - began)} ms` +
          ` (code ${ended.code}, signal ${ended.signal})`,
      );
      service.start();
      release(service);
      await service.waitReady(90_000);
      note(`${name} started again and ready`);
    }
  },
  async check({ sentErrors, figures }) {
    // every service finished its work and exited by itself on SIGTERM every time (Nest re-raises
    // the signal once it has closed; a shutdown past SHUTDOWN_TIMEOUT_MS would exit with code 1)
    expect(exits).toHaveLength(8);
    expect(exits.filter((e) => !(e.code === 0 || e.signal === 'SIGTERM'))).toEqual([]);
    // and no request was cut off in the middle: a request got an answer, or its connection was
    // refused before it was sent (while ingress was down), or it was given up waiting for one
    process.stdout.write(`requests without an answer, by cause: ${JSON.stringify(sentErrors)}\n`);
    // A reset is allowed only for a request ingress never took in: a keep-alive connection the
    // server closed as idle while the client was sending on it. Such a request is neither
    // answered nor stored, so nothing unacknowledged may have got through when there are resets.
    const cut = Object.keys(sentErrors).filter(
      (cause) =>
        cause !== 'ECONNREFUSED' && cause !== 'ECONNRESET' && !cause.startsWith('no answer in'),
    );
    expect(cut).toEqual([]);
    if (sentErrors.ECONNRESET) expect(figures.deliveredNotAcknowledged).toBe(0);
  },
});
