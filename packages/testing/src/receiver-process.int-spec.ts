import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

interface Message {
  type: string;
  port?: number;
  ids?: string[];
  at?: number[];
  deliveries?: string[];
  requests?: number;
  withoutId?: number;
}

/** The built script (what `receiverProcessPath` names once compiled), with its messages. */
async function startReceiver(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, '..', 'dist', 'receiver-process.js')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const messages: Message[] = [];
  child.on('message', (m: Message) => messages.push(m));
  const [ready] = (await once(child, 'message')) as [Message];
  const url = `http://127.0.0.1:${ready.port}/hooks`;
  const post = async (body: string, headers: Record<string, string> = {}) =>
    (await fetch(url, { method: 'POST', body, headers })).status;
  /** Resolves once the receiver reported everything it received so far. */
  const flush = async (): Promise<Message> => {
    const flushed = new Promise<Message>((resolve) => {
      const onMessage = (m: Message) => {
        if (m.type !== 'flushed') return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
    });
    child.send({ type: 'flush' });
    return flushed;
  };
  const stop = async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return { messages, post, flush, stop };
}

describe('receiver process', () => {
  it('reports every message id of each request once, with when it arrived', async () => {
    // given a receiver reporting receipts of bench ids
    const receiver = await startReceiver({ RECEIVER_ID_PREFIX: 'wamid.bench-' });
    try {
      // when a request carries one id twice and another id, and a request carries none
      const statuses = [
        await receiver.post(
          '{"a":"wamid.bench-a1-1","b":"wamid.bench-a1-1","c":"wamid.bench-a1-2","d":"wamid.x-b-3"}',
        ),
        await receiver.post('{"none":true}'),
      ];
      const tally = await receiver.flush();

      // then it answered 200 and reported the two ids once each
      expect(statuses).toEqual([200, 200]);
      const receipts = receiver.messages.filter((m) => m.type === 'receipts');
      expect(receipts.flatMap((m) => m.ids)).toEqual(['wamid.bench-a1-1', 'wamid.bench-a1-2']);
      expect(receipts.flatMap((m) => m.at).every((t) => typeof t === 'number')).toBe(true);
      expect(tally).toMatchObject({ requests: 2, withoutId: 1 });
    } finally {
      await receiver.stop();
    }
  });

  it("reports each request's first id with its webhook id, refusing the first attempt of every n-th message", async () => {
    // given a receiver reporting deliveries that fails the first attempt of every 2nd message
    const receiver = await startReceiver({
      RECEIVER_REPORT: 'deliveries',
      RECEIVER_ID_PREFIX: 'wamid.chaos-',
      RECEIVER_FAIL_FIRST_EVERY: '2',
    });
    try {
      // when message 1 comes once and message 2 twice
      const statuses = [
        await receiver.post('{"id":"wamid.chaos-r-1"}', { 'webhook-id': 'w1' }),
        await receiver.post('{"id":"wamid.chaos-r-2"}', { 'webhook-id': 'w2' }),
        await receiver.post('{"id":"wamid.chaos-r-2"}', { 'webhook-id': 'w3' }),
      ];
      await receiver.flush();

      // then message 2's first attempt was refused and the second taken
      expect(statuses).toEqual([200, 500, 200]);
      expect(receiver.messages.flatMap((m) => m.deliveries ?? [])).toEqual([
        'wamid.chaos-r-1 w1 200',
        'wamid.chaos-r-2 w2 500',
        'wamid.chaos-r-2 w3 200',
      ]);
    } finally {
      await receiver.stop();
    }
  });

  it('answers 500 to everything in fail mode', async () => {
    // given a failing receiver, when a request with an id comes, then it is refused
    const receiver = await startReceiver({ RECEIVER_MODE: 'fail' });
    try {
      expect(await receiver.post('{"id":"wamid.x-a-1"}')).toBe(500);
    } finally {
      await receiver.stop();
    }
  });
});
