import { readFixture } from '@switchboard/fixtures';
import {
  deleteTopicsWithPrefix,
  type ServiceProcess,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import { Pool } from 'undici';
import { startIngressProcess } from '../../test/ingress-process';
import { metaHeaders, secretOf, source } from '../../test/signing';

describe('ingress on SIGTERM (built ingress as a process, real Kafka)', () => {
  const prefix = `${uniqueName('ingress-drain')}.`;
  const meta = source({ provider: 'meta' });
  const body = readFixture('meta/text-message.json');
  let ingress: ServiceProcess;

  beforeAll(async () => {
    ingress = await startIngressProcess(prefix, [meta], { SHUTDOWN_DRAIN_MS: '3000' });
  });

  afterAll(async () => {
    await ingress?.stop('SIGKILL');
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  it('answers every request that reached it, closing kept-alive connections after an answer, and only then exits', async () => {
    // given providers sending steadily over 32 kept-alive connections
    const pool = new Pool(ingress.url, { connections: 32, keepAliveTimeout: 60_000 });
    const outcomes: Record<string, number> = {};
    let closedAfterAnswer = 0;
    const count = (what: string): void => {
      outcomes[what] = (outcomes[what] ?? 0) + 1;
    };
    const headers = metaHeaders(secretOf(meta), body);
    let sending = true;
    const inFlight = new Set<Promise<void>>();
    const sender = (async () => {
      while (sending) {
        for (let i = 0; i < 8; i++) {
          const request = pool
            .request({ path: `/webhooks/meta/${meta.id}`, method: 'POST', headers, body })
            .then(async (res) => {
              await res.body.dump();
              count(String(res.statusCode));
              if (res.headers.connection === 'close') closedAfterAnswer++;
            })
            .catch((err: { code?: string }) => count(err.code ?? 'error'))
            .finally(() => inFlight.delete(request));
          inFlight.add(request);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // when ingress gets SIGTERM while they keep sending
    const stopped = ingress.stop('SIGTERM');
    await stopped;
    sending = false;
    await sender;
    await Promise.all([...inFlight]);
    await pool.close();

    // then every request that reached it was answered (stored: 200), some with Connection: close
    // while it drained, and the rest were refused before they were sent, never reset mid-request
    expect(outcomes['200']).toBeGreaterThan(100);
    expect(closedAfterAnswer).toBeGreaterThan(0);
    expect(outcomes['ECONNREFUSED']).toBeGreaterThan(0);
    const other = Object.keys(outcomes).filter((k) => k !== '200' && k !== 'ECONNREFUSED');
    expect({ other, outcomes }).toEqual({ other: [], outcomes });
  });
});
