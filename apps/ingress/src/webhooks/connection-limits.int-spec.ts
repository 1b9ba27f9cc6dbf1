import { readFixture } from '@switchboard/fixtures';
import {
  deleteTopicsWithPrefix,
  eventually,
  type ServiceProcess,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import { postSignedMeta, startIngressProcess } from '../../test/ingress-process';
import { RawConnection } from '../../test/raw-connection';
import { source } from '../../test/signing';

const MiB = 1024 * 1024;

/** Node checks request deadlines once a second: a deadline is kept within that and some slack. */
const deadlineSlackMs = 2_500;

describe('ingress connection limits (built ingress as a process, real Kafka)', () => {
  const prefix = `${uniqueName('ingress-limits')}.`;
  const meta = source({ provider: 'meta' });
  const disabled = source({ provider: 'meta', enabled: false });
  const body = readFixture('meta/text-message.json');
  /** A signed body over 64 KiB: it takes from the part of the budget large bodies share. */
  const largeBody = Buffer.concat([body, Buffer.alloc(100 * 1024, 0x20)]);
  const env = {
    REQUEST_TIMEOUT_MS: '3000',
    HEADERS_TIMEOUT_MS: '1000',
    KEEP_ALIVE_TIMEOUT_MS: '1000',
    MAX_REQUESTS_PER_SOCKET: '3',
    MAX_CONNECTIONS: '20',
    BODY_LIMIT_BYTES: String(4 * MiB),
    BODY_BYTES_IN_FLIGHT: String(16 * MiB),
    RETRY_AFTER_SECONDS: '9',
  };
  let ingress: ServiceProcess;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    ingress = await startIngressProcess(prefix, [meta, disabled], env);
  });

  afterEach(() => {
    for (const connection of connections.splice(0)) connection.destroy();
  });

  afterAll(async () => {
    await ingress?.stop();
    await deleteTopicsWithPrefix(testKafka(), prefix);
  });

  async function open(): Promise<RawConnection> {
    const connection = await RawConnection.open(ingress.port);
    connections.push(connection);
    return connection;
  }

  /** Sends the head of a webhook announcing `length` body bytes, and no body. */
  async function startUpload(path: string, length: number): Promise<RawConnection> {
    const connection = await open();
    connection.write(
      `POST ${path} HTTP/1.1\r\nhost: ingress\r\ncontent-type: application/json\r\n` +
        `content-length: ${length}\r\n\r\n`,
    );
    return connection;
  }

  it('answers an unknown route, source or a disabled source before the body is sent, and closes', async () => {
    // given uploads of 1 MiB announced to paths ingress does not serve
    const uploads = await Promise.all([
      startUpload(`/webhooks/nowhere/${meta.id}`, MiB),
      startUpload('/webhooks/meta/src_nobody', MiB),
      startUpload(`/webhooks/meta/${disabled.id}`, MiB),
    ]);

    // when not one byte of their bodies is sent
    await Promise.all(uploads.map((u) => u.closed(2_000)));

    // then each is answered 404 and its connection closed
    expect(uploads.map((u) => u.status)).toEqual([404, 404, 404]);
    for (const upload of uploads) expect(upload.answer).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('answers 503 with Retry-After to a body that does not fit, before reading it', async () => {
    // given three 4 MiB uploads under way: all that large bodies may take of 16 MiB
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await startUpload(`/webhooks/meta/${meta.id}`, 4 * MiB));

    // when a fourth comes, and then signed webhooks large and small
    const fourth = await startUpload(`/webhooks/meta/${meta.id}`, 4 * MiB);
    await fourth.closed(2_000);
    const large = await postSignedMeta(ingress.url, meta, largeBody);
    const small = await postSignedMeta(ingress.url, meta, body);

    // then the fourth and the large one are refused with Retry-After, the small one stored
    expect(fourth.status).toBe(503);
    expect(fourth.answer).toMatch(/\r\nretry-after: 9\r\n/i);
    expect(large).toMatchObject({ status: 503, retryAfter: '9' });
    expect(small.status).toBe(200);

    // and once the uploads under way are gone, a large webhook is stored again
    for (const upload of held) upload.destroy();
    await eventually(
      async () =>
        (await postSignedMeta(ingress.url, meta, largeBody)).status === 200 ? true : undefined,
      { timeoutMs: 5_000, what: 'a large webhook stored once the budget is free' },
    );
  });

  it('closes a connection whose headers do not arrive within HEADERS_TIMEOUT_MS', async () => {
    // given a request whose headers stop half way
    const connection = await open();
    connection.write(`POST /webhooks/meta/${meta.id} HTTP/1.1\r\nhost: ingress\r\n`);

    // when nothing more comes, then the connection is answered 408 and closed
    await connection.closed(1_000 + deadlineSlackMs);
    expect(connection.status).toBe(408);
  });

  it('closes a connection whose body does not arrive within REQUEST_TIMEOUT_MS', async () => {
    // given a webhook whose body stops after 10 of 1,000 bytes
    const connection = await startUpload(`/webhooks/meta/${meta.id}`, 1_000);
    connection.write('{"object":');

    // when nothing more comes, then the connection is answered 408 and closed
    await connection.closed(3_000 + deadlineSlackMs);
    expect(connection.status).toBe(408);
  });

  it('closes a kept-alive connection after MAX_REQUESTS_PER_SOCKET requests, or when idle', async () => {
    // given one connection that asks three times, another that asks once
    const busy = await open();
    const idle = await open();
    const get = 'GET /health/live HTTP/1.1\r\nhost: ingress\r\n\r\n';
    busy.write(get + get + get);
    idle.write(get);

    // then the busy one is told with its third answer that the connection closes, and it does
    await busy.closed(1_000 + deadlineSlackMs);
    expect(busy.answer.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(busy.answer.match(/^connection: \S+\r$/gim)).toEqual([
      'Connection: keep-alive\r',
      'Connection: keep-alive\r',
      'Connection: close\r',
    ]);

    // and the idle one once KEEP_ALIVE_TIMEOUT_MS has passed without a request
    await idle.closed(1_000 + deadlineSlackMs);
    expect(idle.answer.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
  });

  it('closes connections beyond MAX_CONNECTIONS as they come', async () => {
    // given the ingress's connections at their cap
    const opened = await Promise.all(Array.from({ length: 30 }, () => open()));

    // when a moment has passed (less than any deadline)
    await new Promise((resolve) => setTimeout(resolve, 300));

    // then at most 20 are open, the others closed without an answer
    const stillOpen = opened.filter((c) => !c.isClosed);
    expect(stillOpen.length).toBeLessThanOrEqual(20);
    expect(opened.filter((c) => c.isClosed).every((c) => c.answer === '')).toBe(true);
  });
});
