export * from './infrastructure';
export * from './test-resources';
