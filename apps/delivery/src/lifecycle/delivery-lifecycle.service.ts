import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  errorMessage,
  InjectConfig,
  ReadinessService,
  withTimeout,
} from '@switchboard/service-kit';
import { DeliveryCommandConsumer } from '../commands/delivery-command.consumer';
import type { DeliveryConfig } from '../config/delivery.config';
import { AttemptService } from '../deliveries/attempt.service';
import { DispatchService } from '../deliveries/dispatch.service';
import { EventConsumer } from '../deliveries/event.consumer';
import { EndpointHealthService } from '../health/endpoint-health.service';
import { RetryScheduler } from '../retries/retry.scheduler';
import { WebhookSender } from '../sending/webhook-sender';
import { SubscriptionConfigConsumer } from '../subscriptions/subscription-config.consumer';

/**
 * Starts the work in the one safe order and stops it in reverse. Events, retries and commands
 * start only once the subscriptions are loaded (an event matched against a half-read registry
 * would be lost); the HTTP server and health answer meanwhile. On shutdown the consumers finish
 * and commit their batches, the scheduler stops claiming, attempts in flight get part of the
 * shutdown time to finish (those that do not are retried when their lease ends), then the HTTP
 * client closes.
 */
@Injectable()
export class DeliveryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryLifecycle.name);
  private stopping = false;
  private starting: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: SubscriptionConfigConsumer,
    private readonly events: EventConsumer,
    private readonly commands: DeliveryCommandConsumer,
    private readonly scheduler: RetryScheduler,
    private readonly dispatch: DispatchService,
    private readonly attempts: AttemptService,
    private readonly health: EndpointHealthService,
    private readonly sender: WebhookSender,
    private readonly readiness: ReadinessService,
    @InjectConfig() private readonly settings: DeliveryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'consumers',
      check: async () => {
        if (!this.events.isJoined) throw new Error('Event consumer is not in its group');
        if (!this.commands.isJoined) throw new Error('Command consumer is not in its group');
      },
    });
    this.starting = this.startWhenLoaded();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const budget = this.settings.SHUTDOWN_TIMEOUT_MS;
    await withTimeout(this.starting, budget / 3, 'start did not finish').catch(() => undefined);
    await Promise.all([this.events.stop(), this.commands.stop(), this.scheduler.stop()]);
    await withTimeout(
      Promise.all([this.dispatch.drain(), this.scheduler.drain()]),
      budget / 3,
      'attempts still running',
    ).catch((err: unknown) =>
      this.logger.warn(
        { err: errorMessage(err) },
        'Shutting down with attempts in flight; they are retried when their lease ends',
      ),
    );
    // Outcomes of finished attempts are stored, then published; health last, as they feed it.
    await withTimeout(this.attempts.drain(), budget / 6, 'outcomes still being stored').catch(
      (err: unknown) =>
        this.logger.warn(
          { err: errorMessage(err) },
          'Shutting down with outcomes not stored; their deliveries are retried after the lease',
        ),
    );
    await this.health.flush();
    await this.sender.close();
  }

  private async startWhenLoaded(): Promise<void> {
    try {
      await this.config.caughtUp;
    } catch {
      return; // Stopped before the subscriptions were loaded.
    }
    if (this.stopping) return;
    this.scheduler.start();
    await Promise.all([
      this.startWithRetries('events', this.events),
      this.startWithRetries('commands', this.commands),
    ]);
    if (!this.stopping) {
      this.logger.log('Subscriptions loaded; consuming events, retries and commands');
    }
  }

  /**
   * Starts a consumer, again and again while Kafka refuses (kafkajs has retried by then); the
   * readiness check reports it meanwhile.
   */
  private async startWithRetries(
    name: string,
    consumer: { start(): Promise<void>; stop(): Promise<void> },
  ): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await consumer.start();
        return;
      } catch (err) {
        const delayMs = Math.min(30_000, 1_000 * 2 ** attempt);
        this.logger.error(
          {
            consumer: name,
            attempt,
            delayMs,
            err: errorMessage(err),
          },
          'Consumer could not start; trying again',
        );
        await consumer.stop().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
