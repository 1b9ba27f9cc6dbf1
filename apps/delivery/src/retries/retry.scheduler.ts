import { Injectable, Logger } from '@nestjs/common';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { DeliveryConfig } from '../config/delivery.config';
import { AttemptService } from '../deliveries/attempt.service';
import { BusinessQuotas } from '../deliveries/business-quotas';
import { DeliveryMetrics } from '../deliveries/delivery.metrics';
import { DeliveryRepository, type DueCandidate } from '../deliveries/delivery.repository';
import { StatusProgressRepository } from '../ordering/status-progress.repository';
import { SubscriptionRegistry } from '../subscriptions/subscription-registry';

/** How long a claimed delivery of a vanished or disabled subscription is held while it is closed. */
const CLOSE_LEASE_MS = 30_000;
/** How often finished deliveries past their retention are deleted. */
const PURGE_INTERVAL_MS = 60_000;
const PURGE_BATCH = 5_000;

/**
 * Attempts due deliveries from PostgreSQL: claims a batch (of an ordered subscription, only each
 * conversation's head: the earliest pending delivery by event time) (`FOR UPDATE SKIP LOCKED`, so instances
 * share the work), never more for a subscription than its lane takes now nor for a business than
 * its quota leaves, nothing for a subscription whose lane is full or a business whose quota is
 * used up (so the oldest due deliveries of a flooding business do not hide other businesses'),
 * and hands each to its lane. State lives in the database, so a
 * SIGKILL loses nothing: claimed deliveries come due again when their lease ends. A delivery
 * whose subscription was deleted or disabled is dead-lettered (recoverable) instead of sent.
 */
@Injectable()
export class RetryScheduler {
  private readonly logger = new Logger(RetryScheduler.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private lastPurge = 0;
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly registry: SubscriptionRegistry,
    private readonly quotas: BusinessQuotas,
    private readonly attempts: AttemptService,
    private readonly metrics: DeliveryMetrics,
    private readonly progress: StatusProgressRepository,
    @InjectConfig() private readonly config: DeliveryConfig,
  ) {
    // Deliveries deferred because a lane was full or a business's quota used up are due: take
    // them once it has drained to half.
    quotas.onFreed(() => this.wake());
    // The next delivery of an ordered conversation is due (it waited for the one that finished).
    attempts.onConversationAdvanced(() => this.wake());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; attempts already handed to lanes go on (see {@link drain}). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Resolves once every attempt this scheduler started has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  /** Looks for due deliveries now instead of at the next interval. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Claims and starts one batch of due deliveries; resolves with how many were claimed. */
  async tick(now = new Date()): Promise<number> {
    const claimed = await this.repository.claimDue(
      now,
      this.config.SCHEDULER_BATCH_SIZE,
      {
        subscriptions: this.quotas.saturatedSubscriptions(),
        businesses: this.quotas.saturatedBusinesses(),
      },
      (candidates) => this.plan(candidates),
    );
    const closed = new Map<string, string[]>();
    for (const delivery of claimed) {
      const subscription = this.registry.get(delivery.subscriptionId);
      if (!subscription || !this.registry.isEnabled(subscription)) {
        const reason = subscription ? 'subscription disabled' : 'subscription deleted';
        const ids = closed.get(reason);
        if (ids) ids.push(delivery.id);
        else closed.set(reason, [delivery.id]);
        continue;
      }
      const ticket = this.quotas.tryAcquire(delivery.businessId, subscription.record.id);
      if (!ticket) {
        // The lane or quota filled up since the claim: due again at once, for when it frees up.
        this.metrics.deferred.inc({ path: 'scheduler' });
        await this.repository.postpone(delivery.id, now);
        continue;
      }
      const attempt = ticket
        .run(() => this.attempts.attempt(delivery, subscription))
        .then(
          () => undefined,
          (err: unknown) =>
            this.logger.error(
              { deliveryId: delivery.id, err: errorMessage(err) },
              'Scheduled attempt failed unexpectedly; it is retried when its lease ends',
            ),
        )
        .finally(() => this.background.delete(attempt));
      this.background.add(attempt);
    }
    for (const [reason, ids] of closed) await this.repository.abandon(ids, reason, now);
    return claimed.length;
  }

  /**
   * Which candidates to take, and each one's lease: no more per subscription than its lane takes,
   * nor per business than its quota leaves.
   */
  private plan(candidates: readonly DueCandidate[]): Map<string, number> {
    const leases = new Map<string, number>();
    const taken = new Map<string, number>();
    const takenOfBusiness = new Map<string, number>();
    for (const candidate of candidates) {
      // Still being attempted here (its lease ran out early): leave it to that attempt.
      if (this.attempts.isInFlight(candidate.id)) continue;
      const subscription = this.registry.get(candidate.subscriptionId);
      if (!subscription || !this.registry.isEnabled(subscription)) {
        leases.set(candidate.id, CLOSE_LEASE_MS);
        continue;
      }
      const id = subscription.record.id;
      const count = taken.get(id) ?? 0;
      const ofBusiness = takenOfBusiness.get(candidate.businessId) ?? 0;
      if (count >= this.quotas.laneCapacity(id)) continue;
      if (ofBusiness >= this.quotas.businessCapacity(candidate.businessId)) continue;
      taken.set(id, count + 1);
      takenOfBusiness.set(candidate.businessId, ofBusiness + 1);
      leases.set(candidate.id, this.attempts.leaseMs(subscription.record));
    }
    return leases;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        // Whatever was claimed, there may be more due: claim again until a round finds none (or
        // only deliveries of full lanes, which are excluded), then wait to be woken or the interval.
        busy = (await this.tick()) > 0;
        await this.purgeWhenDue();
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, 'Scheduler round failed; trying again');
      }
      if (!busy) await this.sleep(this.config.SCHEDULER_INTERVAL_MS);
    }
  }

  private async purgeWhenDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    const purged = await this.repository.purgeFinished(
      new Date(now - this.config.SUCCEEDED_RETENTION_HOURS * 3_600_000),
      new Date(now - this.config.DEAD_LETTER_RETENTION_DAYS * 86_400_000),
      PURGE_BATCH,
    );
    if (purged > 0) this.logger.log({ purged }, 'Deleted finished deliveries past retention');
    const forgotten = await this.progress.purge(
      new Date(now - this.config.STATUS_PROGRESS_RETENTION_HOURS * 3_600_000),
      PURGE_BATCH,
    );
    if (forgotten > 0) {
      this.logger.log({ forgotten }, "Forgot messages' furthest statuses past retention");
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
    this.woken = false;
  }
}
