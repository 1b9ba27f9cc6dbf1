import { localBroker } from '@switchboard/testing';
import type { ServiceName } from '@switchboard/testing';
import { describeChaos } from './scenario';

/**
 * The crash suite: every service is SIGKILLed and started again twice under load, and the broker
 * restarts once halfway; nothing acknowledged may be lost. `CHAOS_REPORT_FILE` keeps its figures
 * (the benchmark report quotes them).
 */
describeChaos({
  name: 'crash suite',
  slug: 'chaos',
  describe: 'crash suite: SIGKILL every service and restart the broker under load',
  replicas: 1,
  controlsBroker: true,
  // Ingress is down after each kill, and a restarting broker can take a minute on a busy machine.
  minAcknowledgedShare: 0.25,
  reportFile: process.env.CHAOS_REPORT_FILE,
  async disrupt({ services, seconds, until, note }) {
    // Kills at fixed times spread over the run, whatever the broker restart (run beside them,
    // halfway) takes.
    const victims: ServiceName[] = [
      'normalizer',
      'delivery',
      'ingress',
      'subscriptions',
      'normalizer',
      'delivery',
      'ingress',
      'subscriptions',
    ];
    const step = (seconds * 1000) / (victims.length + 2);
    let broker: Promise<void> | undefined;
    for (const [i, victim] of victims.entries()) {
      await until((i + 1) * step);
      const service = services.get(victim)![0]!;
      await service.stop('SIGKILL');
      service.start();
      note(`${victim} SIGKILLed and started again`);
      if (i === victims.length / 2 - 1) {
        broker = (async () => {
          await until((i + 1.5) * step);
          note('broker stopping');
          await localBroker.stop();
          note('broker stopped; starting');
          await localBroker.start();
          note('broker started');
        })();
      }
    }
    await broker;
  },
});
