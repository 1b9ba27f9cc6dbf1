import { AddressAllowlistSetting } from '@switchboard/address-policy';
import { DataKeysEnv } from '@switchboard/contracts';
import { baseServiceEnv, databaseEnv, port } from '@switchboard/service-kit';
import { z } from 'zod';
import { deriveCursorKey } from '../common/cursor';

/**
 * DATA_KEYS as every service reads it (the secret box), and the key that signs page cursors,
 * derived from the first data key: the raw keys themselves go no further than here.
 */
const DataKeys = z.unknown().transform((value, ctx) => {
  const parsed = DataKeysEnv.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return z.NEVER;
  }
  // DataKeysEnv accepted the text: its first entry is `<key id>:<32 bytes in base64>`
  const [first = ''] = String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const firstKey = Buffer.from(first.slice(first.indexOf(':') + 1), 'base64');
  return { box: parsed.data, cursorKey: deriveCursorKey(firstKey) };
});

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** Environment of the subscriptions service; parsed before the application is created. */
export const SubscriptionsConfig = baseServiceEnv({
  port: 8081,
  clientId: 'switchboard-subscriptions',
})
  .extend(databaseEnv.shape)
  .extend({
    GRPC_PORT: port
      .default(50051)
      .describe('gRPC port of the admin API (the same operations as REST)'),
    /**
     * The operator's key (`Authorization: Bearer …`): creates businesses and acts on any of them.
     * When unset, no call is authorised as operator.
     */
    OPERATOR_API_KEY: z
      .string()
      .min(32, 'must be at least 32 characters')
      .optional()
      .transform((value) => value ?? null)
      .describe(
        "The operator's key (at least 32 characters, Authorization: Bearer …): creates businesses and acts on any of them; unset: no call is authorised as operator",
      ),
    /**
     * Data keys that seal every stored secret (source secrets, verify tokens, signing secrets) in
     * PostgreSQL and on the config topic: `<key id>:<32 bytes in base64>`, comma-separated, the
     * first sealing, the others only opening values sealed before a rotation. Required.
     */
    DATA_KEYS: DataKeys.describe(
      'Data keys sealing every stored secret in PostgreSQL and on the config topic, `<key id>:<32 bytes base64>`, comma-separated: the first seals, the others only open values sealed before a rotation; refused at start when missing or malformed',
    ),
    PUBLIC_INGRESS_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('http://localhost:8080')
      .transform((value) => value.replace(/\/+$/, ''))
      .describe(
        'Where providers reach ingress: sources are given `<this>/webhooks/<provider>/<id>` as their webhook URL',
      ),
    ALLOW_HTTP_ADDRESSES: booleanFlag
      .default(false)
      .describe('Accept plain `http:` subscriber addresses (local development and tests only)'),
    /**
     * Private addresses subscribers may use anyway, e.g. `127.0.0.1/32,hooks.internal:8443`:
     * comma-separated CIDR ranges, IP addresses, host names or `*.domain`, each but a range
     * optionally with `:port`.
     */
    ADDRESS_ALLOWLIST: AddressAllowlistSetting.describe(
      'Private addresses subscribers may use anyway, e.g. `127.0.0.1/32,hooks.internal:8443`: comma-separated CIDR ranges, IP addresses, host names or `*.domain`, each but a range optionally with `:port`',
    ),
    DNS_LOOKUP_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(30_000)
      .default(3_000)
      .describe('How long a subscriber host name may take to resolve when an address is checked'),
    SECRET_ROTATION_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(24 * 3600)
      .describe(
        'How long a rotated-out secret keeps working when the rotation request does not say',
      ),
    OUTBOX_POLL_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(1_000)
      .describe('How often the outbox publisher looks for changes when no notification arrives'),
    CONSUMER_GROUP_ID: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Prefix of the service's consumer groups (the delivery log read model uses `<prefix>-delivery-log`); unset: `<KAFKA_TOPIC_PREFIX>switchboard-subscriptions`",
      ),
    OUTBOX_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(500)
      .describe('Most outbox rows published in one produce round'),
    TEST_DELIVERY_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(120_000)
      .default(15_000)
      .describe(
        "How long a test call waits for the delivery service's attempt before answering 504",
      ),
    /**
     * How far back `recover` may reach. Dead-lettered deliveries live as long as the delivery
     * service's DEAD_LETTER_RETENTION_DAYS (30 by default); older ones are gone whatever this says.
     */
    RECOVER_MAX_AGE_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe(
        "How far back `recover` reaches; dead-lettered deliveries live only as long as delivery's DEAD_LETTER_RETENTION_DAYS, so keep the two equal",
      ),
  })
  .transform(({ DATA_KEYS, ...config }) => ({
    ...config,
    DATA_KEYS: DATA_KEYS.box,
    /** Signs the cursors of paged lists (`CursorCodec`): derived from DATA_KEYS, not a variable. */
    cursorKey: DATA_KEYS.cursorKey,
    // Groups are named after the topic prefix by default, so that environments (or test runs)
    // sharing a cluster through KAFKA_TOPIC_PREFIX never join each other's groups.
    CONSUMER_GROUP_ID:
      config.CONSUMER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}switchboard-subscriptions`,
  }));
export type SubscriptionsConfig = z.infer<typeof SubscriptionsConfig>;
