import { Injectable } from '@nestjs/common';
import type { AppError } from './app-error';

/** Recognises a library's error (a driver's, a client's) as the typed error it stands for. */
export type ErrorTranslator = (err: unknown) => AppError | undefined;

/**
 * Where modules teach the error filter their libraries' errors: the database module registers
 * "PostgreSQL is unreachable" as a retryable 503, so no service maps it by hand.
 */
@Injectable()
export class ErrorTranslation {
  private readonly translators: ErrorTranslator[] = [];

  register(translator: ErrorTranslator): void {
    this.translators.push(translator);
  }

  /** The typed error `err` stands for, or undefined when no module knows it. */
  translate(err: unknown): AppError | undefined {
    for (const translate of this.translators) {
      const typed = translate(err);
      if (typed) return typed;
    }
    return undefined;
  }
}
