import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';

/** How a crashed consumer is started again. */
export interface RestartPolicy {
  /** Pause before the first restart after a crash; it doubles with every further crash. */
  initialBackoffMs: number;
  /** Longest pause between restarts (each pause is jittered down to half of it). */
  maxBackoffMs: number;
  /**
   * Crashes in a row (each within `maxBackoffMs` of the previous start) after which the consumer
   * gives up: it is then dead and `/health/live` fails, so the process gets restarted. Starts
   * that fail before the consumer runs (the broker unreachable) do not count.
   */
  maxRestarts: number;
  /** How long one start (connect, join, first assignment) may take before it counts as hung. */
  startTimeoutMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  maxRestarts: 10,
  startTimeoutMs: 90_000,
};

type State = 'stopped' | 'starting' | 'running' | 'restarting' | 'dead';

export interface ConsumerStatus {
  name: string;
  state: State;
  /** Restarts since the consumer was started. */
  restarts: number;
  /** Why the consumer is dead; set only when it is. */
  reason?: string;
}

/**
 * Keeps one kafkajs consumer running. Every start uses a fresh kafkajs consumer; a crash (kafkajs
 * emits CRASH and stops, whatever the cause: a non-retriable error, retries exhausted, a failed
 * rejoin) starts a new one after an exponential, jittered pause. kafkajs's own restart is off, so
 * this is the one place that restarts a consumer. After `maxRestarts` crashes in a row the
 * consumer is declared dead, as is one whose restart hangs past its window; a broker that stays
 * unreachable only keeps it restarting (readiness fails, liveness does not: a new process would
 * not reach the broker either).
 */
export class ConsumerSupervisor {
  private readonly logger: Logger;
  private state: State = 'stopped';
  private consumer: Consumer | null = null;
  private timer: NodeJS.Timeout | undefined;
  private crashesInARow = 0;
  /** Restarts in a row without running stably: what the pause before the next one grows with. */
  private attempts = 0;
  private restarts = 0;
  private lastStartAt = 0;
  /** While restarting: when the next start must have begun and finished to count as alive. */
  private restartDeadline = 0;
  private deadReason: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly name: string,
    private readonly launch: {
      /** A new kafkajs consumer, configured (kafkajs's restart on failure must be off). */
      create(): Consumer;
      /** Subscribes and runs a connected consumer; `restart` is false on the first start. */
      run(consumer: Consumer, restart: boolean): Promise<void>;
    },
    private readonly policy: RestartPolicy = defaultRestartPolicy,
  ) {
    this.logger = new Logger(`ConsumerSupervisor:${name}`);
  }

  get status(): ConsumerStatus {
    const status: ConsumerStatus = { name: this.name, state: this.state, restarts: this.restarts };
    const reason = this.currentDeadReason();
    return reason === undefined ? status : { ...status, state: 'dead', reason };
  }

  /** False once stopped (or never started); true while running or restarting, and when dead. */
  get isActive(): boolean {
    return this.state !== 'stopped';
  }

  /**
   * Starts the first consumer; resolves once it runs. A failure here (a missing topic, no broker)
   * rejects after the consumer has been disconnected, and nothing is restarted.
   */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.crashesInARow = 0;
    this.attempts = 0;
    this.deadReason = undefined;
    consumerLiveness(this.kafka).add(this);
    try {
      await this.startConsumer(false);
    } catch (err) {
      this.state = 'stopped';
      consumerLiveness(this.kafka).remove(this);
      throw err;
    }
  }

  /** Stops restarting and disconnects the consumer (which finishes its batch and leaves the group). */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.timer);
    consumerLiveness(this.kafka).remove(this);
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }

  private async startConsumer(restart: boolean): Promise<void> {
    const consumer = this.launch.create();
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(consumer, payload.error));
    this.consumer = consumer;
    this.lastStartAt = Date.now();
    try {
      await consumer.connect();
      await this.launch.run(consumer, restart);
    } catch (err) {
      if (this.consumer === consumer) this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
    if (this.state === 'stopped') {
      // Stopped while starting: the stop found no consumer (or this one half started).
      await consumer.disconnect().catch(() => undefined);
      return;
    }
    // kafkajs reports a failed join as a crash and resolves `run`; then a restart is under way.
    if (this.consumer === consumer) this.state = 'running';
  }

  private onCrash(consumer: Consumer, error: Error): void {
    if (this.consumer !== consumer || this.state === 'stopped' || this.state === 'dead') return;
    this.consumer = null;
    // kafkajs has disconnected the crashed consumer before it emits CRASH.
    this.scheduleRestart(error, true);
  }

  /**
   * Waits, then starts a new consumer. Only crashes of a consumer that had started count toward
   * giving up: a start that fails (the broker unreachable, a topic missing) is tried again at the
   * longest pause for as long as it takes, since restarting the process would not help; readiness
   * reports that case.
   */
  private scheduleRestart(error: unknown, crashed: boolean): void {
    const stable = Date.now() - this.lastStartAt > this.policy.maxBackoffMs;
    this.attempts = stable ? 1 : this.attempts + 1;
    if (crashed) this.crashesInARow = stable ? 1 : this.crashesInARow + 1;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.crashesInARow > this.policy.maxRestarts) {
      this.state = 'dead';
      this.deadReason = `crashed ${this.crashesInARow} times in a row, last: ${message}`;
      this.logger.error(
        { err: message, crashes: this.crashesInARow },
        'Consumer gave up restarting',
      );
      return;
    }
    const ceiling = Math.min(
      this.policy.maxBackoffMs,
      this.policy.initialBackoffMs * 2 ** Math.min(this.attempts - 1, 30),
    );
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.state = 'restarting';
    this.restartDeadline = Date.now() + delay + this.policy.startTimeoutMs;
    this.logger.error(
      { err: message, crashes: this.crashesInARow, attempts: this.attempts, restartInMs: delay },
      crashed ? 'Consumer crashed; restarting it' : 'Consumer could not start again; retrying',
    );
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    this.restarts += 1;
    consumerLiveness(this.kafka).restarted(this);
    try {
      await this.startConsumer(true);
    } catch (err) {
      if (this.state === 'restarting') this.scheduleRestart(err, false);
    }
  }

  private currentDeadReason(): string | undefined {
    if (this.state === 'dead') return this.deadReason;
    if (this.state === 'restarting' && Date.now() > this.restartDeadline) {
      return 'restart did not complete within its window';
    }
    return undefined;
  }
}

/**
 * The consumers started on one Kafka client, for liveness: a service is dead when any of them is.
 * Keyed by the client, so every consumer a service builds on the client `KafkaModule` provides is
 * seen without being registered by hand.
 */
export class ConsumerLiveness {
  private readonly supervisors = new Set<ConsumerSupervisor>();
  private readonly restartListeners = new Set<(name: string) => void>();

  add(supervisor: ConsumerSupervisor): void {
    this.supervisors.add(supervisor);
  }

  remove(supervisor: ConsumerSupervisor): void {
    this.supervisors.delete(supervisor);
  }

  restarted(supervisor: ConsumerSupervisor): void {
    for (const listener of this.restartListeners) listener(supervisor.name);
  }

  onRestart(listener: (name: string) => void): void {
    this.restartListeners.add(listener);
  }

  statuses(): ConsumerStatus[] {
    return [...this.supervisors].map((s) => s.status);
  }

  /** Undefined while every consumer is alive; otherwise which ones are dead and why. */
  deadReason(): string | undefined {
    const dead = this.statuses().filter((s) => s.state === 'dead');
    if (dead.length === 0) return undefined;
    return dead.map((s) => `${s.name}: ${s.reason ?? 'dead'}`).join('; ');
  }
}

const livenessByClient = new WeakMap<Kafka, ConsumerLiveness>();

export function consumerLiveness(kafka: Kafka): ConsumerLiveness {
  let liveness = livenessByClient.get(kafka);
  if (!liveness) {
    liveness = new ConsumerLiveness();
    livenessByClient.set(kafka, liveness);
  }
  return liveness;
}
