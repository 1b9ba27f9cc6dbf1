import { freePort } from './free-port';
import { NO_ANSWER, OpenLoop, type OpenLoopOptions, SKIPPED } from './open-loop';
import { TestReceiver } from './test-receiver';

describe(OpenLoop.name, () => {
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    receiver.respond('hang', () => ({ hang: true }));
    receiver.respond('refuse', () => ({ status: 503 }));
  });

  afterAll(async () => {
    await receiver.stop();
  });

  const request = (i: number) => ({
    body: Buffer.from(`{"n":${i}}`),
    headers: { 'content-type': 'application/json' },
  });

  /** Ten requests (20 a second for half a second) to `url`. */
  const tenRequests = (url: string | string[], options: Partial<OpenLoopOptions> = {}) =>
    new OpenLoop({ url, rate: 20, seconds: 0.5, request, ...options }).run();

  it('sends rate × seconds requests, each once, and reports every answer', async () => {
    // given a loop of 50 requests a second for a second
    const answers: [number, number, string | undefined][] = [];
    const loop = new OpenLoop({
      url: receiver.url('ok'),
      rate: 50,
      seconds: 1,
      request,
      readAcknowledgedBody: true,
      onAnswer: (i, status, answer) => answers.push([i, status, answer.body]),
    });

    // when it runs
    const result = await loop.run();

    // then each request went out once, and each answer was reported with its body
    expect(result).toMatchObject({ offered: 50, sent: 50, skipped: 0, errors: {} });
    expect([...result.status]).toEqual(new Array(50).fill(200));
    expect(loop.acknowledged).toBe(50);
    const n = (body: string) => (JSON.parse(body) as { n: number }).n;
    expect(
      receiver
        .received('ok')
        .map((r) => n(r.body))
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(answers.sort((a, b) => a[0] - b[0])).toEqual(
      Array.from({ length: 50 }, (_, i) => [i, 200, 'ok']),
    );
  });

  it('counts other answers by status and gives up on silent requests after their second', async () => {
    // given a path answered 503 and one never answered
    const refused = await tenRequests(receiver.url('refuse'));
    const silent = await tenRequests(receiver.url('hang'), { giveUp: { perSecondMs: 200 } });

    // then the first are 503s and the others no answers, given up at their deadline
    expect([...refused.status]).toEqual(new Array(10).fill(503));
    expect([...silent.status]).toEqual(new Array(10).fill(NO_ANSWER));
    expect(silent.errors).toEqual({ 'no answer in 200 ms': 10 });
  });

  it('skips requests due while maxInFlight wait, and gives up on the rest once sending ended', async () => {
    // given a server that never answers and at most three requests waiting
    const result = await tenRequests(receiver.url('hang'), {
      maxInFlight: 3,
      giveUp: { afterSendingMs: 100 },
    });

    // then three were sent and given up, and the other seven skipped
    expect(result).toMatchObject({ offered: 10, sent: 3, skipped: 7 });
    expect([...result.status]).toEqual([
      ...new Array(3).fill(NO_ANSWER),
      ...new Array(7).fill(SKIPPED),
    ]);
    expect(result.errors).toEqual({ 'no answer when sending ended': 3 });
  });

  it('sends a request an instance refuses to connect on to the next instance', async () => {
    // given two instances, one of them down
    const down = `http://127.0.0.1:${await freePort()}/failover`;
    const before = receiver.received('failover').length;

    // when requests are spread over both
    const result = await tenRequests([down, receiver.url('failover')]);

    // then every one reached the instance that is up
    expect([...result.status]).toEqual(new Array(10).fill(200));
    expect(receiver.received('failover').length - before).toBe(10);
  });
});
