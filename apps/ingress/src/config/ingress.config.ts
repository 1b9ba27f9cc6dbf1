import { baseServiceEnv } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment of the ingress service; parsed before the application is created. */
export const IngressConfig = baseServiceEnv({ port: 8080, clientId: 'switchboard-ingress' }).extend(
  {
    /** Largest webhook body accepted; Meta sends up to 3 MB. */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    /** How long a webhook may wait for Kafka's acknowledgement before the provider gets a 503. */
    KAFKA_ACK_TIMEOUT_MS: z.coerce.number().int().min(50).default(5_000),
    /** `Retry-After` seconds sent with a 503. */
    RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(5),
    /** Allowed clock difference for signed timestamps (CubeConnect, Standard Webhooks). */
    SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
    /** Rejected requests recorded on the rejected topic per second at most; the rest are only counted. */
    REJECTION_LOG_PER_SECOND: z.coerce.number().int().min(0).default(20),
  },
);
export type IngressConfig = z.infer<typeof IngressConfig>;
