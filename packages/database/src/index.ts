export * from './data-source-options';
export * from './database.module';
export * from './migrate-command';
export * from './migrations';
export * from './prepared-query';
export * from './database-unavailable.error';
export * from './postgres-connection';
export * from './query-logger';
