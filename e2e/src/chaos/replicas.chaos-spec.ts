import { setTimeout as sleep } from 'node:timers/promises';
import { readTopicToEnd, testKafka } from '@switchboard/testing';
import { adminCall } from '../admin-client';
import type { ServiceName, ServiceProcess } from '@switchboard/testing';
import { describeChaos } from './scenario';

/** Configuration changes made while the instances come and go: each must reach the topic once. */
let configChanges = 0;
let churnFailures = 0;

/**
 * Two instances of every service under the same load, as the autoscalers run them: they share
 * consumer groups, the delivery leases and the outbox lock. Mid-run one instance of each gets
 * SIGTERM and stays down for a third of the run, then starts again. Nothing acknowledged may be
 * lost; every retry (every 20th message's first attempt is refused) is taken by one instance
 * only; and every configuration change made meanwhile is on the config topic exactly once.
 */
describeChaos({
  name: 'two instances of every service',
  slug: 'replicas',
  describe: 'replicas: two instances of every service, one of each SIGTERMed mid-run',
  replicas: 2,
  failFirstEvery: 20,
  // The load goes round the two ingress instances, and what one refuses goes to the other (as a
  // load balancer sends it): one ingress answers while the other is down. What is asserted is
  // loss, duplicates and single takers, not throughput: eight service processes, the broker,
  // PostgreSQL and the generator share two cores, and on a slower machine ingress answers part of
  // the 1,000/s in time only (what it does not answer within 10 s is given up, not lost).
  minAcknowledgedShare: 0.2,
  async disrupt({ services, seconds, operatorKey, until, note, hold, release }) {
    const stopped: ServiceProcess[] = [];
    const churn = churnConfig(services, operatorKey, seconds * 1000);
    await until((seconds * 1000) / 3);
    // The first subscriptions instance started first and holds the outbox lock: it goes.
    const victims: [ServiceName, number][] = [
      ['ingress', 1],
      ['normalizer', 1],
      ['subscriptions', 0],
      ['delivery', 1],
    ];
    await Promise.all(
      victims.map(async ([name, k]) => {
        const service = services.get(name)![k]!;
        hold(service);
        const ended = await service.stop('SIGTERM');
        stopped.push(service);
        note(`${name}#${k + 1} SIGTERMed; exited (code ${ended.code}, signal ${ended.signal})`);
      }),
    );
    await until((seconds * 1000 * 2) / 3);
    for (const service of stopped) {
      service.start();
      release(service);
    }
    note('the stopped instances started again');
    await churn;
  },
  async check({ prefix }) {
    // every configuration change is on the config topic once: one record per key and version
    expect(churnFailures).toBe(0);
    expect(configChanges).toBeGreaterThan(10);
    const records = await readToEnd(`${prefix}switchboard.config.v1`);
    const seen = new Map<string, number>();
    for (const r of records) {
      if (r.value === null) continue;
      const version = (JSON.parse(r.value) as { version?: unknown }).version;
      const id = `${r.key} v${String(version)}`;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const twice = [...seen].filter(([, n]) => n > 1);
    process.stdout.write(
      `config topic: ${records.length} records, ${seen.size} distinct key versions, ` +
        `${twice.length} published more than once; ${configChanges} changes made during the run\n`,
    );
    expect(twice).toEqual([]);
    // (a source and a subscription per change round, each at least one record)
    expect(seen.size).toBeGreaterThanOrEqual(configChanges);
  },
});

/**
 * Makes configuration changes for `ms` through whichever admin API instance is up: a business
 * with a source and a webhook every half second, each of which the outbox publishes.
 */
async function churnConfig(
  services: ReadonlyMap<ServiceName, readonly ServiceProcess[]>,
  operatorKey: string,
  ms: number,
): Promise<void> {
  const ends = performance.now() + ms;
  for (let round = 0; performance.now() < ends; round++) {
    await sleep(500);
    const live = services.get('subscriptions')!.filter((s) => s.isRunning);
    const api = live[round % Math.max(1, live.length)];
    if (!api) continue;
    try {
      const business = await adminCall<{ id: string; apiKey: { key: string } }>(
        api.url,
        'POST',
        '/v1/businesses',
        { authorization: `Bearer ${operatorKey}` },
        { name: `Churn ${round}` },
      );
      if (business.status !== 201) continue; // the instance was stopping: not a change
      const key = { 'x-api-key': business.body.apiKey.key };
      const source = await adminCall(
        api.url,
        'POST',
        `/v1/businesses/${business.body.id}/sources`,
        key,
        { provider: 'meta', appSecret: `churn-secret-${round}` },
      );
      if (source.status === 201) configChanges++;
      else if (source.status < 500) churnFailures++;
    } catch {
      // the instance went down mid-call: the change may or may not have been made
    }
  }
}

/** Every record of a topic, read to its end (commit markers of transactions included). */
async function readToEnd(topic: string): Promise<{ key: string; value: string | null }[]> {
  const records = await readTopicToEnd(testKafka(), topic, { timeoutMs: 60_000 });
  return records.map((r) => ({ key: r.key ?? '', value: r.value?.toString() ?? null }));
}
