import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away certificate authority and a server certificate it signed, as PEM files. */
export interface TestCertificates {
  dir: string;
  /** The CA certificate (what a client trusts). */
  caFile: string;
  /** A CA that signed nothing here: trusting it instead must fail verification. */
  otherCaFile: string;
  serverCert: string;
  serverKey: string;
  /** Removes the files. */
  remove(): void;
}

/**
 * Makes a CA and a server certificate for `names` (DNS names) with the `openssl` command, for
 * tests that need a real TLS listener. Keys are 2048-bit RSA and live only in a temporary folder.
 */
export function makeTestCertificates(names: readonly string[] = ['localhost']): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=switchboard test ${ca}`,
      '-keyout',
      path(`${ca}.key`),
      '-out',
      path(`${ca}.pem`),
    );
  }
  writeFileSync(
    path('server.ext'),
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );
  return {
    dir,
    caFile: path('ca.pem'),
    otherCaFile: path('other-ca.pem'),
    serverCert: readFileSync(path('server.pem'), 'utf8'),
    serverKey: readFileSync(path('server.key'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
