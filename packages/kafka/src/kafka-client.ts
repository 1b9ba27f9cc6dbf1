import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { type KafkaTransportEnv, readSecretFile } from '@switchboard/service-kit';
import {
  Kafka,
  type ISocketFactory,
  type KafkaConfig,
  logLevel,
  type LogEntry,
  type SASLOptions,
} from 'kafkajs';

/** The Kafka client services are handed (`KAFKA_CLIENT`); apps name it by this type, not kafkajs's. */
export type KafkaClient = Kafka;

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** How long a connection attempt may take before it counts as a failure. */
  connectionTimeoutMs?: number;
  /** How long a request may wait for the broker before it counts as a failure. */
  requestTimeoutMs?: number;
  /** kafkajs's own retry settings for requests and (re)connects. */
  retry?: KafkaConfig['retry'];
  /** TLS to the brokers (certificate and host name verified); plaintext when absent. */
  ssl?: tls.ConnectionOptions;
  /** SASL credentials, sent after the TLS handshake. */
  sasl?: SASLOptions;
}

/** What `kafkaSecurity` gives the client: TLS options and SASL credentials, when configured. */
export type KafkaSecurityOptions = Pick<KafkaClientOptions, 'ssl' | 'sasl'>;

/**
 * Maps the transport settings of the environment (validated by `loadConfig`) to the client's
 * TLS and SASL options, reading the CA bundle and the password file. TLS always verifies the
 * broker's certificate chain (against `KAFKA_SSL_CA_FILE`, else the system roots) and its host
 * name; SCRAM is the only SASL mechanism offered.
 */
export function kafkaSecurity(env: KafkaTransportEnv): KafkaSecurityOptions {
  const options: KafkaSecurityOptions = {};
  if (env.KAFKA_SSL) {
    options.ssl = {
      rejectUnauthorized: true,
      ...(env.KAFKA_SSL_CA_FILE ? { ca: readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8') } : {}),
    };
  }
  if (env.KAFKA_SASL_MECHANISM) {
    const username = env.KAFKA_SASL_USERNAME;
    const password =
      env.KAFKA_SASL_PASSWORD ??
      (env.KAFKA_SASL_PASSWORD_FILE ? readSecretFile(env.KAFKA_SASL_PASSWORD_FILE) : undefined);
    if (!username || !password) {
      throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and a password');
    }
    if (!env.KAFKA_SSL && !env.KAFKA_SASL_ALLOW_PLAINTEXT) {
      throw new Error('SASL over plaintext is refused unless KAFKA_SASL_ALLOW_PLAINTEXT=true');
    }
    options.sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username, password };
  }
  return options;
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
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
  });
}

/**
 * kafkajs's own socket factory, with Nagle's algorithm off: a small produce or fetch request
 * written while the broker has not yet acknowledged the previous one otherwise waits for that
 * acknowledgement (delayed up to 40 ms on Linux), which is most of the latency at low load.
 * With TLS the socket is a `tls.TLSSocket` (SNI and the host name check use the broker's host
 * name; for an IP address the certificate must name that address), also without Nagle.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
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
