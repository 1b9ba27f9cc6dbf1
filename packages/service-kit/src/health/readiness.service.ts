import { Injectable } from '@nestjs/common';
import { errorMessage } from '../errors/error-message';

/** One dependency the service needs before it can do its work (Kafka, PostgreSQL, a caught-up cache). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency is usable; rejects (or times out) when it is not. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** Modules register their checks here; `/health/ready` runs them all. */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly timeoutMs = 3_000) {}

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (c) => {
        try {
          await withTimeout(
            c.check(),
            this.timeoutMs,
            `${c.name} did not answer in ${this.timeoutMs} ms`,
          );
          return [c.name, { ok: true }] as const;
        } catch (err) {
          return [c.name, { ok: false, error: errorMessage(err) }] as const;
        }
      }),
    );
    return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
