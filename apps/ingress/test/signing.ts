import { createHmac, randomUUID } from 'node:crypto';
import { type SourceRecord } from '@switchboard/contracts';
import { uniqueName } from '@switchboard/testing';

export function hmac(
  secret: string | Buffer,
  data: string | Buffer,
  encoding: 'hex' | 'base64',
): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

export function metaHeaders(secret: string, body: Buffer): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': `sha256=${hmac(secret, body, 'hex')}`,
  };
}

export function connectlyHeaders(secret: string, body: Buffer, contentType = 'application/json') {
  return { 'content-type': contentType, 'x-connectly-hmac-sha256': hmac(secret, body, 'base64') };
}

export function cubeConnectHeaders(secret: string, body: Buffer, at = new Date()) {
  const timestamp = at.toISOString();
  return {
    'content-type': 'application/json',
    'x-webhook-timestamp': timestamp,
    'x-webhook-signature': hmac(secret, Buffer.concat([Buffer.from(`${timestamp}.`), body]), 'hex'),
  };
}

export function source(
  overrides: Partial<SourceRecord> & Pick<SourceRecord, 'provider'>,
): SourceRecord {
  return {
    kind: 'source',
    id: uniqueName('src'),
    businessId: 'biz_acme',
    environment: 'production',
    enabled: true,
    secrets: [
      {
        id: randomUUID(),
        value: `secret-${randomUUID()}`,
        createdAt: new Date().toISOString(),
        expiresAt: null,
      },
    ],
    verifyToken: null,
    externalIds: { wabaIds: [], phoneNumberIds: [] },
    updatedAt: new Date().toISOString(),
    version: 1,
    ...overrides,
  };
}

export function secretOf(s: SourceRecord, index = 0): string {
  const secret = s.secrets[index];
  if (!secret) throw new Error(`Source ${s.id} has no secret ${index}`);
  return secret.value;
}
