export * from './kafka-client';
export * from './batching.producer';
export * from './batch.consumer';
export * from './topic-provisioner';
export * from './kafka.module';
export * from './compacted-topic.reader';
export * from './topic-names';
export * from './retry-transient';
