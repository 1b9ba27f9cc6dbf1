import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseAllowlistEntry, type AllowlistEntry } from '@switchboard/address-policy';
import { AddressGuard } from './address-guard';
import { WebhookSender } from './webhook-sender';
import { freePort, TestReceiver } from '@switchboard/testing';

function allowlist(...items: string[]): AllowlistEntry[] {
  return items.map((item) => parseAllowlistEntry(item) as AllowlistEntry);
}

describe(WebhookSender.name, () => {
  const receiver = new TestReceiver();
  const sender = new WebhookSender({
    allowHttp: true,
    guard: new AddressGuard(allowlist('127.0.0.1/32', '::1/128')),
  });
  const post = (url: string, timeoutMs = 2_000) =>
    sender.send({ url, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs });

  beforeAll(async () => {
    await receiver.start();
  });

  afterAll(async () => {
    await sender.close();
    await receiver.stop();
  });

  it('keeps connections alive between requests to one endpoint', async () => {
    await post(receiver.url('keepalive'));
    // (the connection returns to the pool a moment after the answer has been read)
    await new Promise((resolve) => setTimeout(resolve, 50));
    await post(receiver.url('keepalive'));
    const [a, b] = receiver.received('keepalive');
    expect(b!.remotePort).toBe(a!.remotePort);
  });

  it('does not follow redirects', async () => {
    receiver.respond('moved', () => ({
      status: 302,
      headers: { location: receiver.url('elsewhere') },
    }));
    const response = await post(receiver.url('moved'));
    expect(response).toMatchObject({ kind: 'answered', statusCode: 302 });
    expect(receiver.received('elsewhere')).toHaveLength(0);
  });

  it('keeps at most 4096 characters of an answer', async () => {
    receiver.respond('chatty', () => ({ status: 500, body: 'x'.repeat(100_000) }));
    const response = await post(receiver.url('chatty'));
    expect(response.kind === 'answered' && response.body.length).toBe(4096);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    receiver.respond('silent', () => ({ hang: true }));
    const response = await post(receiver.url('silent'), 200);
    expect(response).toMatchObject({ kind: 'failed', code: 'timeout' });
    expect(response.latencyMs).toBeGreaterThanOrEqual(190);
    expect(response.latencyMs).toBeLessThan(2_000);
  });

  it('reports a refused connection', async () => {
    const response = await post(`http://127.0.0.1:${await freePort()}/nothing`);
    expect(response).toMatchObject({ kind: 'failed', code: 'connection_failed' });
  });

  it('resolves host names and checks every address they resolve to', async () => {
    // given a receiver on localhost, allowlisted by address
    const response = await post(`http://localhost:${receiver.port}/by-name`);
    expect(response).toMatchObject({ kind: 'answered', statusCode: 200 });

    // when the allowlist does not cover it, the connection is refused
    const strict = new WebhookSender({ allowHttp: true, guard: new AddressGuard() });
    try {
      const refused = await strict.send({
        url: `http://localhost:${receiver.port}/by-name`,
        headers: {},
        body: '{}',
        timeoutMs: 2_000,
      });
      expect(refused).toMatchObject({ kind: 'failed', code: 'address_refused' });
    } finally {
      await strict.close();
    }
    expect(receiver.received('by-name')).toHaveLength(1);
  });

  it('refuses a private address before connecting, and plain http unless allowed', async () => {
    // given a listener the guard must keep us from (it is on 127.0.0.1, not allowlisted here)
    let connections = 0;
    const server: Server = createServer((_req, res) => res.end('reached'));
    server.on('connection', () => (connections += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const strict = new WebhookSender({ allowHttp: true, guard: new AddressGuard() });
    const httpsOnly = new WebhookSender({ allowHttp: false, guard: new AddressGuard() });
    try {
      // when requests go to it and to 10.0.0.1
      const loopback = await strict.send({
        url: `http://127.0.0.1:${port}/`,
        headers: {},
        body: '{}',
        timeoutMs: 2_000,
      });
      const privateAddress = await strict.send({
        url: 'http://10.0.0.1/hook',
        headers: {},
        body: '{}',
        timeoutMs: 2_000,
      });
      const plain = await httpsOnly.send({
        url: `http://127.0.0.1:${port}/`,
        headers: {},
        body: '{}',
        timeoutMs: 2_000,
      });

      // then every one is refused without a connection being made
      expect(loopback).toMatchObject({ kind: 'failed', code: 'address_refused' });
      expect(privateAddress).toMatchObject({
        kind: 'failed',
        code: 'address_refused',
        message: 'address refused: "10.0.0.1" is a private address',
      });
      expect(plain).toMatchObject({ kind: 'failed', code: 'address_invalid' });
      expect(connections).toBe(0);
    } finally {
      await strict.close();
      await httpsOnly.close();
      server.close();
    }
  });
});
