import { Logger } from '@nestjs/common';
import { Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** How long a connection attempt may take before it counts as a failure. */
  connectionTimeoutMs?: number;
  /** How long a request may wait for the broker before it counts as a failure. */
  requestTimeoutMs?: number;
  /** kafkajs's own retry settings for requests and (re)connects. */
  retry?: KafkaConfig['retry'];
}

/** A kafkajs client whose log lines go through the service's logger (pino in the apps). */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
  });
}

function kafkaLogCreator(): (entry: LogEntry) => void {
  const logger = new Logger('kafkajs');
  return ({ level, log, namespace }) => {
    const { message, ...fields } = log;
    const line = { namespace, ...fields, msg: message };
    // kafkajs logs every error response of a request at ERROR, also the retriable ones it then
    // retries (no leader yet, coordinator loading); those are warnings to the service.
    const retriedResponse = namespace === 'Connection';
    if (level === logLevel.ERROR && !retriedResponse) logger.error(line);
    else if (level <= logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
}
