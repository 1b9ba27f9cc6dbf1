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
    DATA_KEYS: DataKeysEnv.describe(
      'Data keys opening the source secrets and verify tokens sealed on the config topic, `<key id>:<32 bytes base64>`, comma-separated, as the subscriptions service has them; refused at start when missing or malformed',
    ),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024)
      .describe(
        "Largest body a webhook route takes (Meta's largest batch is about 3 MB); at most three quarters of BODY_BYTES_IN_FLIGHT",
      ),
    BULK_WEBHOOK_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(128 * 1024)
      .describe(
        'Bodies larger than this (about 400 Meta statuses) go to the bulk raw topic, which the normalizer reads apart at a bounded pace, so one business posting huge batches does not hold up the others; 0 sends every body to the raw topic',
      ),
    /**
     * Webhook body bytes held at once, announced sizes counted from the moment a request is let
     * in until it is answered; a request that does not fit is answered 503 before its body is read.
     */
    BODY_BYTES_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1024 * 1024)
      .default(64 * 1024 * 1024)
      .describe(
        'Webhook body bytes held at once, announced sizes counted from when a request is let in until it is answered; a request that does not fit gets 503 before its body is read',
      ),
    REQUEST_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(15_000)
      .describe(
        'Time for a whole request (headers and body) to arrive; then 408 and the connection closes',
      ),
    HEADERS_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(5_000)
      .describe("Time for a request's headers to arrive; at most REQUEST_TIMEOUT_MS"),
    KEEP_ALIVE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(65_000)
      .describe("How long an idle kept-alive connection stays open (above a load balancer's 60 s)"),
    /**
     * After SIGTERM: how long clients get to finish on their connections (every answer then says
     * `Connection: close`) before the server closes the rest.
     */
    SHUTDOWN_DRAIN_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(5_000)
      .describe(
        'After SIGTERM, how long clients get to finish on their connections (answers say `Connection: close`) before the rest are closed',
      ),
    MAX_REQUESTS_PER_SOCKET: z.coerce
      .number()
      .int()
      .min(1)
      .default(1_000)
      .describe(
        'Requests served on one connection before it is closed (spreads providers over instances)',
      ),
    MAX_CONNECTIONS: z.coerce
      .number()
      .int()
      .min(16)
      .default(2_048)
      .describe('Open connections at most; further ones are closed as they come'),
    KAFKA_ACK_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(50)
      .default(5_000)
      .describe(
        'How long the brokers may take to store a webhook on all in-sync replicas before the provider gets 504',
      ),
    RETRY_AFTER_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('`Retry-After` seconds sent with a 503 or 504'),
    SIGNATURE_TOLERANCE_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(300)
      .describe('Allowed clock difference for signed timestamps (CubeConnect, Standard Webhooks)'),
    REJECTION_LOG_PER_SECOND: z.coerce
      .number()
      .int()
      .min(0)
      .default(20)
      .describe(
        'Rejected requests recorded on the rejected topic per second at most; the rest are only counted',
      ),
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
