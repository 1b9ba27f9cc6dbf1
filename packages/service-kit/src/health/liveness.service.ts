import { Injectable } from '@nestjs/common';
import { errorMessage } from '../errors/error-message';

/**
 * Something inside the process that must keep running for the service to do its work (a Kafka
 * consumer): when it is dead and will not come back by itself, only a restart of the process helps.
 */
export interface LivenessCheck {
  readonly name: string;
  /** Undefined while alive (also while restarting within its backoff), the reason when dead. */
  deadReason(): string | undefined;
}

export interface LivenessReport {
  live: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * Modules register what must stay alive here; `/health/live` answers 503 when any of it is dead,
 * so the orchestrator restarts the process. Checks are synchronous: liveness asks no dependency.
 */
@Injectable()
export class LivenessService {
  private readonly checks = new Map<string, LivenessCheck>();

  register(check: LivenessCheck): void {
    this.checks.set(check.name, check);
  }

  report(): LivenessReport {
    const entries = [...this.checks.values()].map((c) => {
      let reason: string | undefined;
      try {
        reason = c.deadReason();
      } catch (err) {
        reason = errorMessage(err);
      }
      return [c.name, reason === undefined ? { ok: true } : { ok: false, error: reason }] as const;
    });
    return { live: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
  }
}
