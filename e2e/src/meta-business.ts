import { createHmac, randomUUID } from 'node:crypto';
import { fixtureJson } from '@switchboard/fixtures';
import { eventually } from '@switchboard/testing';

/** A business made through the admin API: its id, base path and API key header. */
export interface Business {
  readonly businessId: string;
  /** The business's API key header. */
  readonly key: Record<string, string>;
  /** `/v1/businesses/<id>`. */
  readonly base: string;
}

export interface MetaBusiness extends Business {
  readonly source: { id: string; webhookUrl: string; verifyToken: string };
  readonly webhook: { secret: { value: string } };
}

/** One call to the admin API's REST interface (see adminCall). */
export type AdminCall = <T>(
  method: string,
  path: string,
  auth: Record<string, string>,
  body?: unknown,
) => Promise<{ status: number; body: T }>;

/** Creates a business with the operator key, answered 201. */
export async function createBusiness(
  admin: AdminCall,
  operatorKey: string,
  name: string,
): Promise<Business> {
  const business = await admin<{ id: string; apiKey: { key: string } }>(
    'POST',
    '/v1/businesses',
    { authorization: `Bearer ${operatorKey}` },
    { name },
  );
  expect(business.status).toBe(201);
  return {
    businessId: business.body.id,
    key: { 'x-api-key': business.body.apiKey.key },
    base: `/v1/businesses/${business.body.id}`,
  };
}

/**
 * Creates a business through the admin API with a Meta source (the seed's WABA and phone number
 * ids) and a `messages` subscription to `address`, each answered 201, and waits until ingress
 * knows the source (its handshake answers).
 */
export async function createMetaBusiness(
  admin: AdminCall,
  operatorKey: string,
  options: { name: string; appSecret: string; address: string },
): Promise<MetaBusiness> {
  const { businessId, key, base } = await createBusiness(admin, operatorKey, options.name);
  const source = await admin<MetaBusiness['source']>('POST', `${base}/sources`, key, {
    provider: 'meta',
    appSecret: options.appSecret,
    externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
  });
  expect(source.status).toBe(201);
  const webhook = await admin<MetaBusiness['webhook']>('POST', `${base}/webhooks`, key, {
    topic: 'messages',
    address: options.address,
    configuration: {},
  });
  expect(webhook.status).toBe(201);
  await ingressKnows(source.body);
  return { businessId, key, base, source: source.body, webhook: webhook.body };
}

/** Resolves once ingress, which learns sources from the config topic, answers a Meta source's handshake. */
export async function ingressKnows(source: {
  webhookUrl: string;
  verifyToken: string;
}): Promise<void> {
  await eventually(
    async () => {
      const url = `${source.webhookUrl}?hub.mode=subscribe&hub.verify_token=${source.verifyToken}&hub.challenge=ready`;
      return (await fetch(url)).status === 200 ? true : undefined;
    },
    { timeoutMs: 30_000, what: 'ingress to know the source' },
  );
}

/**
 * Resolves once delivery, which learns subscriptions from the config topic, has applied a
 * business's subscription to `topic`: its test delivery succeeds.
 */
export async function deliveryKnows(
  admin: AdminCall,
  business: Pick<Business, 'base' | 'key'>,
  topic = 'messages',
): Promise<void> {
  await eventually(
    async () => {
      const test = await admin<{ outcome: string }>(
        'POST',
        `${business.base}/webhooks/${topic}/test`,
        business.key,
      );
      return test.status === 200 && test.body.outcome === 'succeeded' ? true : undefined;
    },
    { timeoutMs: 30_000, what: `delivery to know the ${topic} subscription` },
  );
}

/**
 * Posts Meta's text-message fixture, with a new wamid, signed with the app secret, to a source's
 * webhook URL; answers the wamid and ingress's status.
 */
export async function postMetaMessage(
  webhookUrl: string,
  appSecret: string,
): Promise<{ wamid: string; status: number }> {
  const wamid = `wamid.e2e-${randomUUID()}`;
  const payload = fixtureJson<{
    entry: { changes: { value: { messages: { id: string }[] } }[] }[];
  }>('meta/text-message.json');
  payload.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
  return {
    wamid,
    status: await postMeta(webhookUrl, appSecret, Buffer.from(JSON.stringify(payload))),
  };
}

/** Meta's signature of `body` with the app secret, as its header. */
export function metaSignature(appSecret: string, body: Buffer): Record<string, string> {
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
  };
}

/** Posts `body` to a source's webhook URL as Meta does (JSON, signed); answers ingress's status. */
export async function postMeta(
  webhookUrl: string,
  appSecret: string,
  body: Buffer,
): Promise<number> {
  const posted = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...metaSignature(appSecret, body) },
    body,
  });
  return posted.status;
}

/** Posts a JSON body until ingress, which learns sources from the config topic, takes it (200). */
export async function postUntilTaken(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<void> {
  await eventually(
    async () => {
      const posted = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return posted.status === 200 ? true : undefined;
    },
    { timeoutMs: 30_000, what: 'ingress to take the webhook' },
  );
}
