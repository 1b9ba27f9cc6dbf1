import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { receiverProcessPath } from '@switchboard/testing';

type FromReceiver =
  | { type: 'ready'; port: number }
  | { type: 'deliveries'; deliveries: string[] }
  | { type: 'flushed'; requests: number; withoutId: number }
  | { type: 'stats'; requests: number; connections: number };

/**
 * The subscriber of the chaos suites: the testing package's receiver process reporting
 * deliveries (`receiver-process.ts`), and here every
 * delivery it reports, counted per message id.
 */
export class DeliveryCounter {
  /** Deliveries per message id (answered 200). */
  readonly perMessage = new Map<string, number>();
  /** Attempts the receiver answered 500 on purpose, per message id (see `failFirstEvery`). */
  readonly failedPerMessage = new Map<string, number>();
  /** Webhook ids (delivery ids) seen per message id, for telling apart two kinds of duplicates. */
  readonly webhookIds = new Map<string, Set<string>>();
  /** Every delivery that carried a message id, as counted here (answered 200). */
  deliveries = 0;
  /** Attempts answered 500 on purpose. */
  failedAttempts = 0;
  /** When the latest new message id arrived (ms, `performance.now()` of this process). */
  lastNewAt = 0;
  /** When each message id first arrived, in order. */
  private readonly newAt: number[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: FromReceiver) => {
      if (m.type !== 'deliveries') return;
      const now = performance.now();
      for (const entry of m.deliveries) {
        const [id = '', webhookId = '', status = '200'] = entry.split(' ');
        if (status !== '200') {
          this.failedPerMessage.set(id, (this.failedPerMessage.get(id) ?? 0) + 1);
          this.failedAttempts++;
          continue;
        }
        const n = (this.perMessage.get(id) ?? 0) + 1;
        this.perMessage.set(id, n);
        this.deliveries++;
        let ids = this.webhookIds.get(id);
        if (!ids) this.webhookIds.set(id, (ids = new Set()));
        ids.add(webhookId);
        if (n === 1) {
          this.lastNewAt = now;
          this.newAt.push(now);
        }
      }
    });
  }

  /**
   * Starts the receiver; with `failFirstEvery` n, it answers 500 to the first attempt for every
   * n-th message, so those deliveries are retried.
   */
  static async start(options: { failFirstEvery?: number } = {}): Promise<DeliveryCounter> {
    const child = spawn(process.execPath, [receiverProcessPath], {
      env: {
        ...process.env,
        RECEIVER_REPORT: 'deliveries',
        RECEIVER_ID_PREFIX: 'wamid.chaos-',
        RECEIVER_FAIL_FIRST_EVERY: String(options.failFirstEvery ?? 0),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<number>((resolve, reject) => {
      child.on('message', (m: FromReceiver) => m.type === 'ready' && resolve(m.port));
      child.once('exit', (code) => reject(new Error(`the chaos receiver exited (${code})`)));
    });
    const port = await ready;
    return new DeliveryCounter(child, `http://127.0.0.1:${port}/hooks/whatsapp`);
  }

  /** Unique message ids first delivered at or before `at` (`performance.now()`). */
  uniqueBy(at: number): number {
    let lo = 0;
    let hi = this.newAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.newAt[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The most message ids first delivered within any `windowMs`, per second. */
  peakRate(windowMs = 10_000): number {
    let best = 0;
    for (let from = 0, to = 0; to < this.newAt.length; to++) {
      while (this.newAt[to]! - this.newAt[from]! > windowMs) from++;
      best = Math.max(best, to - from + 1);
    }
    return (best * 1000) / windowMs;
  }

  /**
   * Waits until every delivery the receiver has answered so far is counted here; resolves with
   * the receiver's own tally of requests (those with a message id and those without).
   */
  async flush(): Promise<{ requests: number; withoutId: number }> {
    const flushed = new Promise<{ requests: number; withoutId: number }>((resolve) => {
      const onMessage = (m: FromReceiver): void => {
        if (m.type !== 'flushed') return;
        this.child.off('message', onMessage);
        resolve({ requests: m.requests, withoutId: m.withoutId });
      };
      this.child.on('message', onMessage);
    });
    this.child.send({ type: 'flush' });
    return flushed;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
