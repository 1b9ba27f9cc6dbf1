/**
 * CPU time and resident memory of the processes a benchmark cares about, read from /proc (Linux):
 * CPU as utime + stime of /proc/<pid>/stat (clock ticks → ms), memory as VmRSS of
 * /proc/<pid>/status. A meter takes a snapshot before and after a window; the difference is the
 * CPU each process group spent in it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib';

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 almost everywhere). */
export const clockTicks = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  ppid: number;
  /** utime + stime, ms. */
  cpuMs: number;
  /** cutime + cstime: CPU of children that exited and were waited for, ms. */
  childrenCpuMs: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone (or this is not Linux). */
function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  const ms = (ticks: string | undefined): number => (Number(ticks) * 1000) / clockTicks;
  return {
    ppid: Number(f[1]),
    cpuMs: ms(f[11]) + ms(f[12]),
    childrenCpuMs: ms(f[13]) + ms(f[14]),
  };
}

export function cpuMs(pid: number): number | undefined {
  return stat(pid)?.cpuMs;
}

/** VmRSS of a process, bytes; undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The Kafka broker's JVM: the pid the local broker script recorded when it is a `kafka.Kafka`
 * process, otherwise every process whose command line runs `kafka.Kafka`.
 */
export function kafkaPids(): number[] {
  const isBroker = (pid: number): boolean =>
    readOr(`/proc/${pid}/cmdline`).split('\0').includes('kafka.Kafka');
  const recorded = Number(readOr(join(root, '.local', 'kafka', 'kafka.pid')).trim());
  if (recorded > 0 && isBroker(recorded)) return [recorded];
  return allPids().filter(isBroker);
}

/**
 * CPU of every PostgreSQL process, ms: each live `postgres` process (postmaster, background
 * workers, backends) plus what the postmasters' exited children used (cutime + cstime; a backend
 * that ends is waited for by its postmaster). The difference of two readings is then exact even
 * though backends come and go in between.
 */
export function postgresCpuMs(): number {
  const procs = allPids()
    .filter((pid) => readOr(`/proc/${pid}/comm`).trim() === 'postgres')
    .map((pid) => [pid, stat(pid)] as const)
    .filter((p): p is readonly [number, Stat] => p[1] !== undefined);
  const pids = new Set(procs.map(([pid]) => pid));
  let total = 0;
  for (const [, s] of procs) {
    total += s.cpuMs;
    if (!pids.has(s.ppid)) total += s.childrenCpuMs; // a postmaster
  }
  return total;
}

/** Busy CPU of the whole machine (every core, every process), ms, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readOr('/proc/stat').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return (ticks * 1000) / clockTicks;
}

/** A named group of processes whose CPU is read as one figure (undefined when none is running). */
export interface CpuSource {
  name: string;
  read(): number | undefined;
}

export const pidSource = (name: string, pid: number | undefined): CpuSource => ({
  name,
  read: () => (pid === undefined ? undefined : cpuMs(pid)),
});

export function pidsSource(name: string, pids: () => number[]): CpuSource {
  return {
    name,
    read: () => {
      const values = pids()
        .map(cpuMs)
        .filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
    },
  };
}

export const postgresSource: CpuSource = { name: 'PostgreSQL', read: postgresCpuMs };

export interface CpuWindow {
  seconds: number;
  /** CPU ms per source over the window; undefined when the source was not readable at both ends. */
  ms: Map<string, number | undefined>;
  /** Busy CPU of the whole machine over the window, ms (every process, ours or not). */
  machineMs: number;
}

/** Reads every source now; `stop()` reads them again and gives the differences. */
export function startCpuWindow(sources: readonly CpuSource[]): { stop(): CpuWindow } {
  const t0 = process.hrtime.bigint();
  const machine0 = machineBusyMs();
  const before = sources.map((s) => s.read());
  return {
    stop: () => {
      const after = sources.map((s) => s.read());
      const ms = new Map<string, number | undefined>();
      sources.forEach((s, i) => {
        const a = before[i];
        const b = after[i];
        ms.set(s.name, a === undefined || b === undefined ? undefined : Math.max(0, b - a));
      });
      return {
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
        ms,
        machineMs: machineBusyMs() - machine0,
      };
    },
  };
}
