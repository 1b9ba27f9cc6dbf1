import { Logger } from '@nestjs/common';
import net from 'node:net';
import tls from 'node:tls';
import { Kafka, type ISocketFactory, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';

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
    socketFactory: noDelaySocketFactory,
  });
}

/**
 * kafkajs's own socket factory, with Nagle's algorithm off: a small produce or fetch request
 * written while the broker has not yet acknowledged the previous one otherwise waits for that
 * acknowledgement (delayed up to 40 ms on Linux), which is most of the latency at low load.
 */
const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect(
        { host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl },
        onConnect,
      )
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  return socket;
};

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
