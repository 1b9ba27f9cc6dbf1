import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './free-port';

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each one free to bind', async () => {
    // given the kernel's ephemeral range, which outgoing connections draw from
    const [ephemeralStart] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);

    // when a hundred ports are asked for without binding any of them
    const ports: number[] = [];
    for (let i = 0; i < 100; i++) ports.push(await freePort());

    // then none repeats and none lies where a client's connection could take it
    expect(new Set(ports).size).toBe(100);
    expect(ports.filter((p) => p >= ephemeralStart!)).toEqual([]);

    // and the last one can be bound
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports.at(-1), '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
