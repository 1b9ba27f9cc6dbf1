import { REDACTED, isCredentialHeader, isSignatureHeader, redactHeaders } from './headers';

describe(redactHeaders.name, () => {
  const incoming = {
    'Content-Type': 'application/json',
    Authorization: 'Bearer abc',
    'X-Api-Key': 'k-123',
    'X-Hub-Signature-256': 'sha256=00ff',
    'x-connectly-hmac-sha256': 'c2ln',
    'X-Forwarded-For': ['203.0.113.7', '10.0.0.1'],
    'x-absent': undefined,
  };

  it('lowercases names, joins repeated values and drops absent headers', () => {
    // when
    const headers = redactHeaders(incoming, { signatures: false });

    // then
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1');
    expect(headers).not.toHaveProperty('x-absent');
  });

  it('redacts credentials and keeps signatures for raw envelopes', () => {
    // when
    const headers = redactHeaders(incoming, { signatures: false });

    // then
    expect(headers.authorization).toBe(REDACTED);
    expect(headers['x-api-key']).toBe(REDACTED);
    expect(headers['x-hub-signature-256']).toBe('sha256=00ff');
    expect(headers['x-connectly-hmac-sha256']).toBe('c2ln');
  });

  it('redacts credentials and signatures for rejected requests', () => {
    // when
    const headers = redactHeaders(incoming, { signatures: true });

    // then
    expect(headers.authorization).toBe(REDACTED);
    expect(headers['x-hub-signature-256']).toBe(REDACTED);
    expect(headers['x-connectly-hmac-sha256']).toBe(REDACTED);
    expect(headers['content-type']).toBe('application/json');
  });
});

describe(isCredentialHeader.name, () => {
  it.each([
    'authorization',
    'proxy-authorization',
    'cookie',
    'x-auth-token',
    'x-api-key',
    'apikey',
  ])('treats %s as a credential', (name) => {
    expect(isCredentialHeader(name)).toBe(true);
  });

  it.each(['content-type', 'user-agent', 'webhook-id', 'keep-alive', 'x-webhook-timestamp'])(
    'does not treat %s as a credential',
    (name) => {
      expect(isCredentialHeader(name)).toBe(false);
    },
  );
});

describe(isSignatureHeader.name, () => {
  it.each([
    'x-hub-signature-256',
    'x-connectly-hmac-sha256',
    'x-webhook-signature',
    'webhook-signature',
  ])('treats %s as a signature', (name) => {
    expect(isSignatureHeader(name)).toBe(true);
  });
});
