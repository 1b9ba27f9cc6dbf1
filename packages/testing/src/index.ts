export * from './free-port';
export * from './infrastructure';
export * from './open-loop';
export * from './service-process';
export * from './test-hooks';
export * from './test-receiver';
export * from './test-resources';
export * from './tls-fixtures';
