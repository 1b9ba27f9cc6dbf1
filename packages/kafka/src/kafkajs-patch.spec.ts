/**
 * kafkajs 2.2.4's request queue re-armed a timer on every check, even with nothing waiting: every
 * broker connection of every client polled itself each millisecond for as long as it lived, which
 * kept idle services at several percent of a core. `patches/kafkajs+2.2.4.patch` (applied by
 * patch-package on install) stops that; these tests fail when the patch is not applied.
 */
// The request queue is internal to kafkajs; reached by path on purpose, to test the patch.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
};

function queue() {
  const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'patch-test',
    broker: '127.0.0.1:9092',
    logger: { namespace: () => logger },
  });
}

describe('kafkajs request queue (patched)', () => {
  it('arms no timer when nothing waits and nothing is throttled', () => {
    const q = queue();
    q.checkPendingRequests();
    const armed = q.throttleCheckTimeoutId;
    // Unpatched, the timer would re-arm itself for ever: stop it before asserting.
    if (armed) {
      clearTimeout(armed);
      q.checkPendingRequests = () => undefined;
    }
    expect(armed).toBeNull();
  });

  it('still checks again when requests wait, or when the broker throttles', () => {
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(waiting.throttleCheckTimeoutId!);

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 1_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId!);
  });
});
