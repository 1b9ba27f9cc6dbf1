import { DataKeysEnv } from '@switchboard/contracts';
import { baseServiceEnv } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment of the ingress service; parsed before the application is created. */
export const IngressConfig = baseServiceEnv({ port: 8080, clientId: 'switchboard-ingress' })
  .extend({
    /**
     * Data keys that open the source secrets and verify tokens sealed on the config topic:
     * `<key id>:<32 bytes in base64>`, comma-separated, as the subscriptions service has them.
     * Required.
     */
    DATA_KEYS: DataKeysEnv,
    /** Largest body a webhook route takes: Meta's largest batch (3 MB) and a margin. */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    /**
     * Webhook body bytes held at once, announced sizes counted from the moment a request is let
     * in until it is answered; a request that does not fit is answered 503 before its body is read.
     */
    BODY_BYTES_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1024 * 1024)
      .default(64 * 1024 * 1024),
    /** Time for a whole request (headers and body) to arrive; then 408 and the connection closes. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(15_000),
    /** Time for a request's headers to arrive. */
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(5_000),
    /** How long an idle kept-alive connection stays open (above a load balancer's 60 s). */
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(65_000),
    /**
     * After SIGTERM: how long clients get to finish on their connections (every answer then says
     * `Connection: close`) before the server closes the rest.
     */
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(5_000),
    /** Requests served on one connection before it is closed (spreads providers over instances). */
    MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(1).default(1_000),
    /** Open connections at most; further ones are closed as they come. */
    MAX_CONNECTIONS: z.coerce.number().int().min(16).default(2_048),
    /** How long the brokers may take to store a webhook on all in-sync replicas. */
    KAFKA_ACK_TIMEOUT_MS: z.coerce.number().int().min(50).default(5_000),
    /** `Retry-After` seconds sent with a 503. */
    RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(5),
    /** Allowed clock difference for signed timestamps (CubeConnect, Standard Webhooks). */
    SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
    /** Rejected requests recorded on the rejected topic per second at most; the rest are only counted. */
    REJECTION_LOG_PER_SECOND: z.coerce.number().int().min(0).default(20),
  })
  .refine((config) => config.HEADERS_TIMEOUT_MS <= config.REQUEST_TIMEOUT_MS, {
    path: ['HEADERS_TIMEOUT_MS'],
    message: 'must not be longer than REQUEST_TIMEOUT_MS',
  })
  .refine((config) => config.BODY_LIMIT_BYTES * 4 <= config.BODY_BYTES_IN_FLIGHT * 3, {
    // Large bodies may fill three quarters of the bytes in flight (see BodyBudget).
    path: ['BODY_LIMIT_BYTES'],
    message: 'must be at most three quarters of BODY_BYTES_IN_FLIGHT',
  });
export type IngressConfig = z.infer<typeof IngressConfig>;
