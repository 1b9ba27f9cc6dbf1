/**
 * End to end through all four built services (`bench/pipeline.ts`), in this order:
 *
 *   warm-up   a few seconds at 100/s
 *   idle      CPU of every process with nothing offered, then end-to-end latency at a low rate
 *   sweep     offered rates from 250 to 5,000 signed webhooks/s, each drained before the next:
 *             acknowledged and delivered rates, latency, missing, CPU per webhook; the knee is the
 *             highest rate delivered in full (≥ 0.99 of acknowledged) with p99 under 1 s. Stops
 *             once two rates in a row are clearly past it (less than half of what was
 *             acknowledged delivered, or less than half of what was offered acknowledged).
 *   isolation at half the knee: the healthy businesses alone, then beside a black-holed endpoint
 *             and one answering 500, each of another business, then alone again (the better of
 *             the two alone phases is the baseline, so that a hiccup in one cannot pass the bar)
 *   flood     the healthy businesses at a moderate rate alone, then beside one business posting
 *             webhooks of thousands of statuses each (the most events one webhook may become),
 *             then alone again: healthy p99 beside / alone, and the flood's backlog left pending
 *   soak      minutes at 1,000/s, sampling every service's resident memory
 *
 * The soak comes last because what it leaves queued is torn down with the services.
 */
import { sleep } from './lib';
import { type PhaseResult, Pipeline, serviceNames, type Stages } from './pipeline';
import type { CpuWindow } from './proc';

export interface E2eSettings {
  parts: Set<'idle' | 'sweep' | 'isolation' | 'flood' | 'soak'>;
  businesses: number;
  warmupSeconds: number;
  idleSeconds: number;
  lowRate: number;
  lowSeconds: number;
  sweepRates: number[];
  sweepSeconds: number;
  /** Most seconds a sweep step waits after sending for the rest to arrive. */
  drainSeconds: number;
  /** The sweep rate whose CPU per webhook is reported (the one nearest 1,000/s is taken). */
  cpuRate: number;
  isolationSeconds: number;
  /** Overrides half the knee. */
  isolationRate: number | undefined;
  /** Webhooks/s for each misbehaving endpoint's business; undefined: a fifth of the isolation rate. */
  badRate: number | undefined;
  floodSeconds: number;
  /** Webhooks/s of the healthy businesses during the flood benchmark. */
  floodHealthyRate: number;
  /** Webhooks/s of the flooding business. */
  floodRate: number;
  /** Statuses in each of its webhooks. */
  floodEvents: number;
  soakSeconds: number;
  soakRate: number;
  soakSampleSeconds: number;
  /** Most seconds to wait for what the sweep left queued before isolation is measured. */
  settleSeconds: number;
}

export interface SweepStep {
  rate: number;
  /** Undefined when the sweep stopped before this rate. */
  result?: PhaseResult;
}

export interface RssSample {
  /** Seconds since the soak started. */
  t: number;
  rss: Map<string, number | undefined>;
}

export interface SoakFigures {
  rate: number;
  seconds: number;
  phase: PhaseResult;
  samples: RssSample[];
  /** Per service: VmRSS at the start, end and highest, bytes; slope of the last half, MB/min. */
  services: { name: string; start: number; end: number; max: number; slope: number }[];
}

export interface E2eFigures {
  settings: E2eSettings;
  warmup: PhaseResult;
  idle?: CpuWindow;
  low?: PhaseResult;
  sweep?: {
    steps: SweepStep[];
    /** Highest rate delivered in full with p99 under 1 s; undefined when none was. */
    knee: number | undefined;
    /** The step whose CPU per webhook is reported. */
    cpuStep: PhaseResult | undefined;
    /** VmRSS right after the sweep, bytes. */
    rss: Map<string, number | undefined>;
  };
  /** Seconds waited after the sweep for what it left queued. */
  settledSeconds?: number;
  isolation?: {
    rate: number;
    rateSource: string;
    badRate: number;
    /** Healthy alone before and after the misbehaving endpoints' phase, and the one with the lower p99. */
    before: PhaseResult;
    beside: PhaseResult;
    after: PhaseResult;
    alone: PhaseResult;
    blackHole: { acked: number; connections: number };
    failing: { acked: number; answered500: number };
  };
  flood?: FloodFigures;
  soak?: SoakFigures;
  lateReceipts: number;
}

export interface FloodFigures {
  healthyRate: number;
  floodRate: number;
  eventsPerWebhook: number;
  before: PhaseResult;
  beside: PhaseResult;
  after: PhaseResult;
  /** The alone phase with the lower p99: the baseline. */
  alone: PhaseResult;
  /** Flood webhooks acknowledged, and requests its endpoint got during the phase. */
  floodAcked: number;
  floodDelivered: number;
  /** The flooding business's deliveries still pending when the phase ended. */
  floodPending: number;
  /** Where the healthy events waited, alone and beside the flood. */
  stagesAlone?: Stages;
  stagesBeside?: Stages;
}

/** Delivered in full and promptly: the knee criterion. */
export const keepsUp = (r: PhaseResult): boolean =>
  r.acked > 0 && r.deliveredPerSecond >= 0.99 * r.ackedPerSecond && r.e2e.p99 < 1000;

/**
 * Clearly past the knee: less than half of what was acknowledged was delivered, or ingress
 * acknowledged less than half of what was offered.
 */
export const pastKnee = (r: PhaseResult): boolean =>
  r.deliveredPerSecond < 0.5 * r.ackedPerSecond || r.ackedPerSecond < 0.5 * r.rate;

/** Least-squares slope of `ys` over `xs`. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The offered-rate sweep on a started pipeline, up to two rates clearly past the knee. */
async function sweep(
  pipeline: Pipeline,
  s: E2eSettings,
  log: (line: string) => void,
): Promise<NonNullable<E2eFigures['sweep']>> {
  const healthy = pipeline.businesses;
  const steps: SweepStep[] = s.sweepRates.map((rate) => ({ rate }));
  let pastInARow = 0;
  for (const step of steps) {
    if (pastInARow >= 2) break;
    step.result = await pipeline.phase(
      `sweep ${step.rate}/s`,
      pipeline.stream(healthy, `r${step.rate}`, step.rate),
      s.sweepSeconds,
      { drainSeconds: s.drainSeconds },
    );
    pastInARow = pastKnee(step.result) ? pastInARow + 1 : 0;
  }
  const reached = steps.filter((st) => st.result !== undefined);
  const knee = reached
    .filter((st) => keepsUp(st.result!))
    .reduce<number | undefined>((k, st) => Math.max(k ?? 0, st.rate), undefined);
  const cpuStep = [...reached].sort(
    (a, b) => Math.abs(a.rate - s.cpuRate) - Math.abs(b.rate - s.cpuRate),
  )[0]?.result;
  log(
    `  knee: ${knee === undefined ? 'none (no rate delivered in full with p99 < 1 s)' : `${knee}/s`}`,
  );
  return { steps, knee, cpuStep, rss: pipeline.rss() };
}

/**
 * The sweep against the floor (`bench/floor.ts`): the same hops, generator, receivers and rates
 * without Switchboard's logic, so the report can say how much of the machine the design itself
 * takes and how far Switchboard is from it.
 */
export async function benchFloor(
  settings: E2eSettings,
  log: (line: string) => void,
): Promise<NonNullable<E2eFigures['sweep']>> {
  const pipeline = new Pipeline(log, 'floor');
  try {
    await pipeline.start(settings.businesses);
    await pipeline.phase(
      'floor warm-up',
      pipeline.stream(pipeline.businesses, 'fwarm', 100),
      settings.warmupSeconds,
      {
        drainSeconds: 30,
      },
    );
    return await sweep(pipeline, settings, log);
  } finally {
    await pipeline.stop();
  }
}

export async function benchEndToEnd(
  settings: E2eSettings,
  log: (line: string) => void,
): Promise<E2eFigures> {
  const s = settings;
  const pipeline = new Pipeline(log);
  try {
    await pipeline.start(s.businesses);
    const healthy = pipeline.businesses;
    const warmup = await pipeline.phase(
      'warm-up',
      pipeline.stream(healthy, 'warm', 100),
      s.warmupSeconds,
      { drainSeconds: 30 },
    );
    const figures: E2eFigures = { settings: s, warmup, lateReceipts: 0 };

    if (s.parts.has('idle')) {
      log(`  idle: ${s.idleSeconds} s with nothing offered`);
      await sleep(3_000); // let the warm-up's last batches and commits finish
      figures.idle = await pipeline.idle(s.idleSeconds);
      figures.low = await pipeline.phase(
        'low load',
        pipeline.stream(healthy, 'low', s.lowRate),
        s.lowSeconds,
        { drainSeconds: 30 },
      );
    }

    if (s.parts.has('sweep')) figures.sweep = await sweep(pipeline, s, log);

    if (s.parts.has('isolation')) {
      if (figures.sweep) {
        figures.settledSeconds = await pipeline.settle(3, s.settleSeconds);
        log(`  waited ${figures.settledSeconds.toFixed(0)} s for what the sweep left queued`);
      }
      const knee = figures.sweep?.knee;
      const lowest = figures.sweep?.steps[0]?.result;
      let rate: number;
      let rateSource: string;
      if (s.isolationRate !== undefined) {
        rate = s.isolationRate;
        rateSource = 'BENCH_ISOLATION_RATE';
      } else if (knee !== undefined) {
        rate = Math.max(10, Math.floor(knee / 2 / 10) * 10);
        rateSource = `half the knee (${knee}/s)`;
      } else if (lowest) {
        rate = Math.max(10, Math.floor(lowest.deliveredPerSecond / 2 / 10) * 10);
        rateSource = `no knee: half of what the lowest sweep rate delivered (${lowest.deliveredPerSecond.toFixed(0)}/s)`;
      } else {
        rate = 100;
        rateSource = 'no sweep in this run: 100/s';
      }
      const badRate = s.badRate ?? Math.max(5, Math.round(rate / 5));
      const alone = (tag: string, label: string): Promise<PhaseResult> =>
        pipeline.phase(label, pipeline.stream(healthy, tag, rate), s.isolationSeconds, {
          drainSeconds: 30,
        });
      const before = await alone('isobefore', 'isolation: healthy alone');
      const hole = pipeline.stream([pipeline.blackHoled], 'hole', badRate);
      const failing = pipeline.stream([pipeline.failing], 'fail', badRate);
      const failBefore = pipeline.receiverStats('fail').requests;
      const beside = await pipeline.phase(
        'isolation: healthy beside a black hole and a 500 endpoint',
        pipeline.stream(healthy, 'isobeside', rate),
        s.isolationSeconds,
        { drainSeconds: 30, others: [hole, failing] },
      );
      const blackHole = {
        acked: beside.others[0]!.ok,
        connections: pipeline.receiverStats('blackhole').connections,
      };
      const failed = {
        acked: beside.others[1]!.ok,
        answered500: pipeline.receiverStats('fail').requests - failBefore,
      };
      // Their retries would otherwise go on through what follows.
      await pipeline.disable(pipeline.blackHoled);
      await pipeline.disable(pipeline.failing);
      const after = await alone('isoafter', 'isolation: healthy alone again');
      figures.isolation = {
        rate,
        rateSource,
        badRate,
        before,
        beside,
        after,
        alone: after.e2e.p99 < before.e2e.p99 ? after : before,
        blackHole,
        failing: failed,
      };
    }

    if (s.parts.has('flood')) {
      if (figures.sweep || figures.isolation) {
        const waited = await pipeline.settle(3, s.settleSeconds);
        log(`  waited ${waited.toFixed(0)} s for what earlier parts left queued`);
      }
      const rate = s.floodHealthyRate;
      const alone = (tag: string, label: string): Promise<PhaseResult> =>
        pipeline.phase(label, pipeline.stream(healthy, tag, rate), s.floodSeconds, {
          drainSeconds: 30,
        });
      const before = await alone('floodbefore', 'flood: healthy alone');
      const sinkBefore = pipeline.receiverStats('sink').requests;
      const beside = await pipeline.phase(
        `flood: healthy beside one business posting ${s.floodEvents}-status webhooks`,
        pipeline.stream(healthy, 'floodbeside', rate),
        s.floodSeconds,
        {
          drainSeconds: 30,
          others: [pipeline.floodStream(pipeline.flooding, 'fl', s.floodRate, s.floodEvents)],
        },
      );
      const floodPending = await pipeline.pendingOf(pipeline.flooding);
      const stagesBefore = await pipeline.stagesOf('floodbefore').catch(() => undefined);
      const stagesBeside = await pipeline.stagesOf('floodbeside').catch(() => undefined);
      const ms = (v: [number, number] | undefined): string =>
        v ? `p50 ${v[0].toFixed(0)} ms, p99 ${v[1].toFixed(0)} ms` : 'n/a';
      for (const [label, st] of [
        ['alone', stagesBefore],
        ['beside', stagesBeside],
      ] as const) {
        log(
          `    healthy ${label}: ingress → normalizer stored ${ms(st?.normalized)}; → delivery stored ` +
            `${ms(st?.stored)}; → first attempt ${ms(st?.attempted)}`,
        );
      }
      const floodDelivered = pipeline.receiverStats('sink').requests - sinkBefore;
      log(
        `    flood: ${beside.others[0]!.ok} webhooks acknowledged, ${floodDelivered} of its events ` +
          `delivered, ${floodPending} still pending`,
      );
      // Its backlog would otherwise go on through what follows.
      await pipeline.disable(pipeline.flooding);
      await pipeline.settle(3, s.settleSeconds);
      const after = await alone('floodafter', 'flood: healthy alone again');
      figures.flood = {
        healthyRate: rate,
        floodRate: s.floodRate,
        eventsPerWebhook: s.floodEvents,
        before,
        beside,
        after,
        alone: after.e2e.p99 < before.e2e.p99 ? after : before,
        floodAcked: beside.others[0]!.ok,
        floodDelivered,
        floodPending,
        stagesAlone: stagesBefore,
        stagesBeside,
      };
    }

    if (s.parts.has('soak') && s.soakSeconds > 0) {
      const samples: RssSample[] = [];
      const started = Date.now();
      const sample = (): void =>
        void samples.push({ t: (Date.now() - started) / 1000, rss: pipeline.rss() });
      sample();
      const sampler = setInterval(sample, s.soakSampleSeconds * 1000);
      let phase: PhaseResult;
      try {
        phase = await pipeline.phase(
          'soak',
          pipeline.stream(healthy, 'soak', s.soakRate),
          s.soakSeconds,
          { drainSeconds: s.drainSeconds },
        );
      } finally {
        clearInterval(sampler);
      }
      sample();
      const half = samples.filter((x) => x.t >= s.soakSeconds / 2);
      const services = serviceNames.map((name) => {
        const values = samples.map((x) => x.rss.get(name) ?? NaN);
        const mb = half.map((x) => (x.rss.get(name) ?? NaN) / 2 ** 20);
        return {
          name,
          start: values[0] ?? NaN,
          end: values.at(-1) ?? NaN,
          max: Math.max(...values),
          slope: slope(
            half.map((x) => x.t / 60),
            mb,
          ),
        };
      });
      figures.soak = { rate: s.soakRate, seconds: s.soakSeconds, phase, samples, services };
    }
    figures.lateReceipts = pipeline.lateReceipts;
    return figures;
  } finally {
    await pipeline.stop();
  }
}
