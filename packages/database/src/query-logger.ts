import { Logger } from '@nestjs/common';
import { loggableError } from '@switchboard/service-kit';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's log lines through the service's logger, never with a statement's parameters: a failed
 * write names the statement and the failure (SQLSTATE, table, constraint), not the values it
 * carried, which can be secrets. Successful queries are not logged.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {
    // Every statement would be a line; the metrics and the errors below tell what matters.
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error({ err: loggableError(error), query }, 'Query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query }, 'Slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(loggableError(message));
    else this.logger.debug(loggableError(message));
  }
}
