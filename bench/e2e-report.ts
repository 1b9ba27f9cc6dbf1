/**
 * The end-to-end part of `docs/benchmarks.md`: summary rows with their bars, and the sections for
 * the offered-rate sweep, CPU per webhook, idle and low load, resident memory and soak, and
 * isolation.
 */
import { type E2eFigures, keepsUp, pastKnee, type SoakFigures } from './e2e';
import { cpuNames, PG_BENCH_DB, type PhaseResult, serviceNames } from './pipeline';
import type { CpuWindow } from './proc';
import { fmt, type SummaryRow } from './report';

const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '∞');
const mb = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? '—' : (bytes / 2 ** 20).toFixed(0);
const sum = (values: (number | undefined)[]): number | undefined =>
  values.some((v) => v === undefined)
    ? undefined
    : values.reduce<number>((a, b) => a + (b ?? 0), 0);
const servicesCpu = (w: CpuWindow): number | undefined => sum(serviceNames.map((n) => w.ms.get(n)));

/** A soak service's memory rises when its last half climbs ≥ 2 MB/min and ends above the first half. */
export function rising(soak: SoakFigures, service: SoakFigures['services'][number]): boolean {
  const firstHalf = soak.samples
    .filter((x) => x.t < soak.seconds / 2)
    .map((x) => x.rss.get(service.name) ?? 0);
  return service.slope >= 2 && service.end > Math.max(...firstHalf);
}

export function e2eRows(f: E2eFigures): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const sweep = f.sweep;
  if (sweep) {
    rows.push({
      figure: 'sweep: knee (webhooks/s delivered in full, p99 < 1 s)',
      value: sweep.knee,
      bar: '≥ 2,000/s',
      met: (sweep.knee ?? 0) >= 2000,
    });
    const at = sweep.steps.find((s) => s.rate === 1000);
    if (at) {
      const r = at.result;
      rows.push(
        {
          figure: 'end to end at 1,000/s: acknowledged (webhooks/s)',
          value: r?.ackedPerSecond,
          baseline: 1000,
          baselineLabel: 'offered',
        },
        {
          figure: 'end to end at 1,000/s: delivered (events/s)',
          value: r?.deliveredPerSecond,
          baseline: r?.ackedPerSecond,
          baselineLabel: 'acknowledged',
          bar: '≥ 0.99× acknowledged',
          met: r ? r.deliveredPerSecond >= 0.99 * r.ackedPerSecond : false,
        },
        {
          figure: 'end to end at 1,000/s: p50 (ms)',
          value: r?.e2e.p50,
          bar: '≤ 20 ms',
          met: r ? r.e2e.p50 <= 20 : false,
          decimals: 1,
        },
        {
          figure: 'end to end at 1,000/s: p99 (ms)',
          value: r?.e2e.p99,
          bar: '≤ 100 ms',
          met: r ? r.e2e.p99 <= 100 : false,
          decimals: 1,
        },
        {
          figure: 'end to end at 1,000/s: missing (acknowledged, not delivered)',
          value: r?.missing,
          bar: '0',
          met: r ? r.missing === 0 : false,
        },
      );
    }
    const c = sweep.cpuStep;
    if (c && c.acked > 0) {
      const per = (v: number | undefined): number | undefined =>
        v === undefined ? undefined : v / c.acked;
      rows.push(
        {
          figure: `CPU per webhook at ${c.rate}/s: four services (ms)`,
          value: per(servicesCpu(c.cpu)),
          decimals: 2,
        },
        {
          figure: `CPU per webhook at ${c.rate}/s: Kafka broker + PostgreSQL (ms)`,
          value: per(sum([c.cpu.ms.get('Kafka broker'), c.cpu.ms.get('PostgreSQL')])),
          decimals: 2,
        },
      );
    }
    const rss = sum(serviceNames.map((n) => sweep.rss.get(n)));
    rows.push({
      figure: 'resident memory after the sweep: four services (MB)',
      value: rss === undefined ? undefined : rss / 2 ** 20,
    });
  }
  if (f.idle) {
    const idle = f.idle;
    rows.push({
      figure: 'idle: four services (% of a core)',
      value: ((servicesCpu(idle) ?? NaN) / (idle.seconds * 1000)) * 100,
      decimals: 1,
    });
  }
  if (f.low) {
    rows.push(
      {
        figure: `low load ${f.low.rate}/s: end to end p50 (ms)`,
        value: f.low.e2e.p50,
        bar: '≤ 20 ms',
        met: f.low.e2e.p50 <= 20,
        decimals: 1,
      },
      {
        figure: `low load ${f.low.rate}/s: end to end p99 (ms)`,
        value: f.low.e2e.p99,
        bar: '≤ 100 ms',
        met: f.low.e2e.p99 <= 100,
        decimals: 1,
      },
    );
  }
  const iso = f.isolation;
  if (iso) {
    rows.push(
      { figure: 'isolation: healthy rate (webhooks/s)', value: iso.rate, bar: 'half the knee' },
      {
        figure: 'isolation: healthy e2e p99 alone (ms, better of before and after)',
        value: iso.alone.e2e.p99,
        decimals: 1,
      },
      {
        figure: 'isolation: healthy e2e p99 beside a black hole and a 500 endpoint (ms)',
        value: iso.beside.e2e.p99,
        baseline: iso.alone.e2e.p99,
        baselineLabel: 'healthy alone',
        bar: '≤ 1.1× alone',
        met: iso.beside.e2e.p99 <= 1.1 * iso.alone.e2e.p99,
        decimals: 1,
      },
    );
  }
  const flood = f.flood;
  if (flood) {
    rows.push(
      {
        figure: 'flood: healthy e2e p99 alone (ms, better of before and after)',
        value: flood.alone.e2e.p99,
        decimals: 1,
      },
      {
        figure: `flood: healthy e2e p99 beside ${flood.floodRate} webhook/s of ${flood.eventsPerWebhook} statuses (ms)`,
        value: flood.beside.e2e.p99,
        baseline: flood.alone.e2e.p99,
        baselineLabel: 'healthy alone',
        bar: '≤ 1.2× alone',
        met: flood.beside.e2e.p99 <= 1.2 * flood.alone.e2e.p99,
        decimals: 1,
      },
    );
  }
  const soak = f.soak;
  if (soak) {
    const steepest = Math.max(...soak.services.map((x) => x.slope));
    rows.push(
      {
        figure: `soak ${soak.rate}/s for ${soak.seconds} s: delivered (events/s)`,
        value: soak.phase.deliveredPerSecond,
        baseline: soak.phase.ackedPerSecond,
        baselineLabel: 'acknowledged',
        bar: '≥ 0.99× acknowledged',
        met: soak.phase.deliveredPerSecond >= 0.99 * soak.phase.ackedPerSecond,
      },
      {
        figure: 'soak: steepest resident memory slope of a service, last half (MB/min)',
        value: steepest,
        bar: 'no upward trend',
        met: soak.services.every((s) => !rising(soak, s)),
        decimals: 1,
      },
    );
  }
  return rows;
}

function phaseRow(label: string, r: PhaseResult): string {
  return (
    `| ${label} | ${r.rate} | ${r.ackedPerSecond.toFixed(0)} | ${r.deliveredPerSecond.toFixed(0)} | ` +
    `${r.ackedPerSecond > 0 ? (r.deliveredPerSecond / r.ackedPerSecond).toFixed(2) : '—'} | ${r.offered} | ${r.acked} | ${r.offered - r.acked} | ` +
    `${r.missing} | ${r.duplicates} | ${ms(r.ack.p99)} | ${ms(r.e2e.p50)} | ${ms(r.e2e.p99)} | ${ms(r.e2e.max)} | ` +
    `${r.drainedSeconds.toFixed(0)} | ${((r.cpu.machineMs / (r.cpu.seconds * 1000)) * 100).toFixed(0)} |`
  );
}

const phaseHeader = [
  '| phase | offered /s | acknowledged /s | delivered /s | delivered / acknowledged | offered | 200s | not acknowledged | missing | duplicates | ack p99 ms | e2e p50 ms | e2e p99 ms | e2e max ms | drain s | machine CPU % |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];

/** Why webhooks of the phases were not acknowledged, for those that had any. */
function notAcknowledged(phases: [string, PhaseResult][]): string[] {
  const lines = phases
    .filter(([, r]) => r.offered > r.acked || r.deliveredUnacked > 0)
    .map(([label, r]) => {
      const parts = [
        ...Object.entries(r.rejected).map(([code, n]) => `${n} answered ${code}`),
        r.unanswered > 0 &&
          `${r.unanswered} without an answer (connection error, or none 15 s after sending ended)`,
        r.skipped > 0 &&
          `${r.skipped} not sent (the generator already had 5 s of requests waiting)`,
        r.deliveredUnacked > 0 &&
          `${r.deliveredUnacked} of those not acknowledged were delivered anyway`,
      ].filter(Boolean);
      return `- ${label}: ${parts.join('; ')}.`;
    });
  return lines.length > 0 ? ['', 'Not acknowledged:', '', ...lines] : [];
}

/** CPU of each process over a window: ms, % of a core, and ms per acknowledged webhook. */
function cpuTable(w: CpuWindow, acked: number | undefined): string[] {
  const pct = (v: number | undefined): string =>
    v === undefined ? '—' : ((v / (w.seconds * 1000)) * 100).toFixed(1);
  const per = (v: number | undefined): string =>
    v === undefined || !acked ? '—' : (v / acked).toFixed(3);
  const line = (name: string, v: number | undefined): string =>
    `| ${name} | ${fmt(v)} | ${pct(v)} |${acked === undefined ? '' : ` ${per(v)} |`}`;
  const measured = sum(cpuNames.filter((n) => n !== PG_BENCH_DB).map((n) => w.ms.get(n) ?? 0));
  const out = [
    `| process | CPU ms | % of a core |${acked === undefined ? '' : ' CPU ms per acknowledged webhook |'}`,
    `|---|---:|---:|${acked === undefined ? '' : '---:|'}`,
    ...serviceNames.map((n) => line(n, w.ms.get(n))),
    line('**four services**', servicesCpu(w)),
    line('Kafka broker (JVM)', w.ms.get('Kafka broker')),
    line('PostgreSQL (every postgres process)', w.ms.get('PostgreSQL')),
    line('  of which backends of the bench database', w.ms.get(PG_BENCH_DB)),
    line('load generator (bench process)', w.ms.get('load generator')),
    line('receivers (3 processes)', w.ms.get('receivers')),
    line('**all of the above**', measured),
    line('whole machine (every process, ours or not)', w.machineMs),
  ];
  return out;
}

export function e2eSections(
  f: E2eFigures,
  svgName: string | undefined,
): { title: string; body: string }[] {
  const s = f.settings;
  const sections: { title: string; body: string }[] = [];
  const setup =
    'All four built services as processes (ingress, normalizer, subscriptions, delivery; default settings) on one ' +
    `topic prefix and a fresh database. ${s.businesses} businesses, each with a Meta source and a \`messages\` and a ` +
    '`delivery_status` subscription to one subscriber process (answers 200 at once; a Node process of its own that ' +
    'reports receipts to the benchmark over IPC every 20 ms). Signed Meta webhooks go round the businesses, ' +
    'alternating between an inbound text message (about 2 KB) and a `delivered` status of a sent message ' +
    '(about 530 B), from 1,000 contacts per business; each carries a unique message id. They are offered at a ' +
    'fixed rate, open loop (each request is sent when due, whatever the answers do), from undici keep-alive pools ' +
    'with bodies made from templates (a copy and an HMAC per request). End-to-end latency runs from the ingress ' +
    '200 to the subscriber receiving the event, matched by message id, both stamped on the machine’s monotonic ' +
    'clock; an acknowledged webhook not received when the phase ends is missing and counts as infinite (∞). ' +
    'Acknowledged/s and delivered/s count the 200s and the receipts in the steady part of the sending window ' +
    '(after its first tenth, at most 2 s), so they compare what ingress took with what reached the subscriber ' +
    'while the rate was offered; the totals (200s, missing) cover the whole phase.';

  if (f.sweep) {
    const { steps, knee } = f.sweep;
    const lines = [
      setup,
      '',
      `Each rate runs ${s.sweepSeconds} s; then the phase waits for ingress's last answers (at most 15 s) and ` +
        `until everything acknowledged arrived (drain: at most ${s.drainSeconds} s). The sweep stops once two rates in a row are ` +
        'clearly past the knee (less than half of what was acknowledged delivered, or less than half of what was ' +
        'offered acknowledged); the rates after that are not reached. ' +
        '**Knee**: the highest rate whose delivered/s is at least 0.99 × acknowledged/s with p99 under 1 s. ' +
        'Machine CPU % is the busy time of every core (100 % = one core), including other users of the machine.',
      '',
      `**Knee: ${knee === undefined ? 'none of the rates' : `${knee} webhooks/s`}.**`,
      '',
      ...phaseHeader,
      ...steps.map((st) =>
        st.result
          ? phaseRow(
              `${st.rate}/s${keepsUp(st.result) ? ' (keeps up)' : pastKnee(st.result) ? ' (past the knee)' : ''}`,
              st.result,
            )
          : `| ${st.rate}/s | ${st.rate} | not reached | | | | | | | | | | | | | |`,
      ),
    ];
    const why = notAcknowledged(
      steps.flatMap((st) =>
        st.result ? [[`${st.rate}/s`, st.result] as [string, PhaseResult]] : [],
      ),
    );
    lines.push(...why);
    if (svgName) lines.push('', `![Offered-rate sweep](${svgName})`);
    const reached = steps.filter((st) => st.result);
    lines.push(
      '',
      'CPU ms per acknowledged webhook at each rate (from the first request until the phase ended):',
      '',
      '| offered /s | ingress | normalizer | subscriptions | delivery | four services | Kafka broker | PostgreSQL | load generator | receivers |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...reached.map(({ rate, result: r }) => {
        const per = (v: number | undefined): string =>
          v === undefined || r!.acked === 0 ? '—' : (v / r!.acked).toFixed(3);
        const w = r!.cpu;
        return `| ${rate} | ${serviceNames.map((n) => per(w.ms.get(n))).join(' | ')} | ${per(servicesCpu(w))} | ${per(w.ms.get('Kafka broker'))} | ${per(w.ms.get('PostgreSQL'))} | ${per(w.ms.get('load generator'))} | ${per(w.ms.get('receivers'))} |`;
      }),
    );
    if (f.lateReceipts > 0) {
      lines.push(
        '',
        `${f.lateReceipts} deliveries arrived after their phase had ended (counted missing in it).`,
      );
    }
    sections.push({ title: 'End to end: offered-rate sweep', body: lines.join('\n') });

    const c = f.sweep.cpuStep;
    if (c) {
      sections.push({
        title: `CPU per webhook at ${c.rate}/s`,
        body: [
          `The ${c.rate}/s sweep step: CPU time (utime + stime from \`/proc/<pid>/stat\`) of each process from the ` +
            `first request until the phase ended (${c.cpu.seconds.toFixed(1)} s: ${s.sweepSeconds} s of sending, then ` +
            `waiting for ingress's last answers and ${c.drainedSeconds.toFixed(1)} s for the last deliveries), ` +
            `divided by the ${c.acked} acknowledged webhooks. PostgreSQL is ` +
            'every `postgres` process (live ones plus what exited backends left in their postmaster’s cutime/cstime), ' +
            'so it includes other databases’ work on a shared server; the backends serving the bench database are ' +
            `shown apart. The Kafka broker is shared the same way. ${c.missing > 0 ? `**${c.missing} acknowledged webhooks had not arrived when the window closed, so the pipeline’s figures undercount.**` : 'Everything acknowledged had arrived when the window closed.'}`,
          '',
          ...cpuTable(c.cpu, c.acked),
        ].join('\n'),
      });
    }
  }

  if (f.idle || f.low) {
    const lines: string[] = [];
    if (f.idle) {
      lines.push(
        `CPU of each process over ${f.idle.seconds.toFixed(1)} s with nothing offered, after a ${s.warmupSeconds} s ` +
          'warm-up at 100/s:',
        '',
        ...cpuTable(f.idle, undefined),
      );
    }
    if (f.low) {
      lines.push(
        '',
        `Then ${f.low.rate} webhooks/s for ${f.low.seconds} s:`,
        '',
        ...phaseHeader,
        phaseRow('low load', f.low),
        ...notAcknowledged([['low load', f.low]]),
      );
    }
    sections.push({ title: 'Idle and low load', body: lines.join('\n') });
  }

  if (f.isolation) {
    const iso = f.isolation;
    sections.push({
      title: 'Isolation',
      body: [
        `The healthy businesses at ${iso.rate} webhooks/s (${iso.rateSource}) for ${s.isolationSeconds} s alone, then ` +
          `for ${s.isolationSeconds} s while two more businesses get ${iso.badRate} webhooks/s each: one whose ` +
          '`messages` and `delivery_status` subscriptions point at an endpoint that accepts TCP and never answers ' +
          '(its own process), one whose endpoint answers 500 to everything (so retries come due, the first after ' +
          `about 5 s). Each phase is drained before the next.${f.settledSeconds !== undefined ? ` Before it, ${f.settledSeconds.toFixed(0)} s passed waiting for what the sweep left queued (3 s without a receipt, at most ${s.settleSeconds} s).` : ''}`,
        '',
        ...phaseHeader,
        phaseRow('healthy alone', iso.before),
        phaseRow('healthy beside black hole + 500', iso.beside),
        phaseRow('healthy alone again', iso.after),
        ...notAcknowledged([
          ['healthy alone', iso.before],
          ['healthy beside black hole + 500', iso.beside],
          ['healthy alone again', iso.after],
        ]),
        '',
        `Black-holed endpoint: ${iso.blackHole.acked} webhooks acknowledged for it, ${iso.blackHole.connections} ` +
          `connections accepted and never answered. Failing endpoint: ${iso.failing.acked} webhooks acknowledged ` +
          `for it, ${iso.failing.answered500} requests answered 500 during the phase (attempts beyond one per ` +
          'webhook are retries). Both businesses’ subscriptions are then disabled and the healthy businesses measured ' +
          'alone again; the alone phase with the lower p99 is the baseline, so that a hiccup of the shared machine ' +
          'in one alone phase cannot make the bar look met.',
        `Healthy beside / alone (${iso.alone === iso.before ? 'before' : 'after'}): p50 ${(iso.beside.e2e.p50 / iso.alone.e2e.p50).toFixed(2)}x, p99 ` +
          `${(iso.beside.e2e.p99 / iso.alone.e2e.p99).toFixed(2)}x (bar ≤ 1.1x).`,
      ].join('\n'),
    });
  }

  if (f.flood) {
    const fl = f.flood;
    sections.push({
      title: 'Flood',
      body: [
        `The healthy businesses at ${fl.healthyRate} webhooks/s for ${s.floodSeconds} s alone, then for ` +
          `${s.floodSeconds} s while one more business posts ${fl.floodRate} signed Meta webhook(s)/s, each a ` +
          `batch of ${fl.eventsPerWebhook} statuses of as many contacts (the most events the normalizer makes of one ` +
          'webhook), delivered to an endpoint of its own that answers 200 at once; then its subscriptions are ' +
          'disabled and the healthy businesses measured alone again. The alone phase with the lower p99 is the baseline.',
        '',
        ...phaseHeader,
        phaseRow('healthy alone', fl.before),
        phaseRow('healthy beside the flood', fl.beside),
        phaseRow('healthy alone again', fl.after),
        ...notAcknowledged([
          ['healthy alone', fl.before],
          ['healthy beside the flood', fl.beside],
          ['healthy alone again', fl.after],
        ]),
        '',
        `Flooding business: ${fl.floodAcked} webhooks acknowledged (${fl.floodAcked * fl.eventsPerWebhook} statuses), ` +
          `${fl.floodDelivered} deliveries to its endpoint during the phase, ${fl.floodPending} still pending in ` +
          'PostgreSQL when it ended.',
        `Healthy beside / alone (${fl.alone === fl.before ? 'before' : 'after'}): p50 ${(fl.beside.e2e.p50 / fl.alone.e2e.p50).toFixed(2)}x, p99 ` +
          `${(fl.beside.e2e.p99 / fl.alone.e2e.p99).toFixed(2)}x (bar ≤ 1.2x).`,
        '',
        'Where the healthy events waited (p50 / p99 ms, from the audit log and the deliveries table):',
        '',
        '| phase | events | ingress → normalizer stored | → delivery stored | → first attempt |',
        '|---|---:|---:|---:|---:|',
        ...(
          [
            ['healthy alone', fl.stagesAlone],
            ['healthy beside the flood', fl.stagesBeside],
          ] as const
        ).map(([label, st]) =>
          st
            ? `| ${label} | ${st.events} | ${st.normalized.map((v) => v.toFixed(0)).join(' / ')} | ` +
              `${st.stored.map((v) => v.toFixed(0)).join(' / ')} | ${st.attempted.map((v) => v.toFixed(0)).join(' / ')} |`
            : `| ${label} | — | — | — | — |`,
        ),
      ].join('\n'),
    });
  }

  if (f.sweep || f.soak) {
    const lines: string[] = [];
    if (f.sweep) {
      lines.push(
        'VmRSS (`/proc/<pid>/status`) right after the sweep:',
        '',
        '| process | MB |',
        '|---|---:|',
        ...[...f.sweep.rss].map(([name, bytes]) => `| ${name} | ${mb(bytes)} |`),
      );
    }
    const soak = f.soak;
    if (soak) {
      lines.push(
        '',
        `Soak: ${soak.rate} webhooks/s for ${soak.seconds} s (last, after isolation), VmRSS sampled every ` +
          `${s.soakSampleSeconds} s from the first request until the phase ended (the last sample after the drain). ` +
          'Slope: least squares over the samples from the middle of the soak on, MB per minute; ' +
          '**rising** when it is at least 2 MB/min and the last sample is above every sample of the first half.',
        '',
        ...phaseHeader,
        phaseRow('soak', soak.phase),
        ...notAcknowledged([['soak', soak.phase]]),
        '',
        '| service | start MB | end MB | max MB | slope, last half (MB/min) | trend |',
        '|---|---:|---:|---:|---:|---|',
        ...soak.services.map(
          (x) =>
            `| ${x.name} | ${mb(x.start)} | ${mb(x.end)} | ${mb(x.max)} | ${x.slope.toFixed(1)} | ${rising(soak, x) ? '**rising**' : 'flat'} |`,
        ),
        '',
        `| s | ${serviceNames.join(' | ')} |`,
        `|---:|${serviceNames.map(() => '---:').join('|')}|`,
        ...soak.samples.map(
          (x) => `| ${x.t.toFixed(0)} | ${serviceNames.map((n) => mb(x.rss.get(n))).join(' | ')} |`,
        ),
      );
    }
    sections.push({ title: 'Resident memory', body: lines.join('\n').trim() });
  }
  return sections;
}

type SweepFigures = NonNullable<E2eFigures['sweep']>;

/** Summary rows of the floor: its knee, and Switchboard's beside it when the sweep ran too. */
export function floorRows(floor: SweepFigures, sweep: SweepFigures | undefined): SummaryRow[] {
  const at = (s: SweepFigures | undefined) => s?.steps.find((st) => st.rate === 1000)?.result;
  const cpu = (r: PhaseResult | undefined): number | undefined => {
    if (!r || r.acked === 0) return undefined;
    const all = sum(cpuNames.filter((n) => n !== PG_BENCH_DB).map((n) => r.cpu.ms.get(n) ?? 0));
    return all === undefined ? undefined : all / r.acked;
  };
  return [
    {
      figure: 'floor: knee (the same hops without Switchboard, webhooks/s)',
      value: floor.knee,
    },
    {
      figure: 'sweep knee / floor knee',
      value: sweep?.knee,
      baseline: floor.knee,
      baselineLabel: 'floor knee',
    },
    {
      figure: 'floor at 1,000/s: e2e p50 (ms)',
      value: at(floor)?.e2e.p50,
      decimals: 1,
    },
    {
      figure: 'CPU per webhook at 1,000/s, every measured process (ms)',
      value: cpu(at(sweep)),
      baseline: cpu(at(floor)),
      baselineLabel: 'floor',
      decimals: 2,
    },
  ];
}

/** The floor's section: its sweep table and its CPU per webhook at each rate. */
export function floorSection(
  floor: SweepFigures,
  s: E2eFigures['settings'],
): { title: string; body: string } {
  const reached = floor.steps.filter((st) => st.result);
  const per = (r: PhaseResult, v: number | undefined): string =>
    v === undefined || r.acked === 0 ? '—' : (v / r.acked).toFixed(3);
  return {
    title: 'Floor: the same hops without Switchboard',
    body: [
      'What the design costs on this machine before any of Switchboard’s logic: `bench/floor.ts` runs four ' +
        'processes in place of the services, doing only the hops every webhook takes — Fastify with an HMAC ' +
        'check and the body to a raw topic (acks=all, the same batching producer) before the 200; per consumer ' +
        'batch one INSERT of raw and event rows and the events to an events topic; per batch one INSERT of ' +
        'pending deliveries, one signed POST per event, one UPDATE of the outcomes and the attempts to a topic; ' +
        'per batch one INSERT into a delivery log — with no validation, mapping, matching, lanes, quotas, ' +
        'retries, health or fairness. Same generator, receivers, businesses, bodies and rates as the sweep ' +
        `above (${s.sweepSeconds} s each), the same broker and PostgreSQL. If the floor cannot reach a rate, ` +
        'no implementation of this design can on this machine.',
      '',
      `**Floor knee: ${floor.knee === undefined ? 'none of the rates' : `${floor.knee} webhooks/s`}.**`,
      '',
      ...phaseHeader,
      ...floor.steps.map((st) =>
        st.result
          ? phaseRow(`floor ${st.rate}/s`, st.result)
          : `| floor ${st.rate}/s | ${st.rate} | not reached | | | | | | | | | | | | | |`,
      ),
      ...notAcknowledged(
        reached.map((st) => [`floor ${st.rate}/s`, st.result!] as [string, PhaseResult]),
      ),
      '',
      'CPU ms per acknowledged webhook at each rate (the floor’s processes under the services’ names: its ' +
        'delivery-log writer as subscriptions):',
      '',
      '| offered /s | ingress | normalizer | subscriptions | delivery | four processes | Kafka broker | PostgreSQL | load generator | receivers |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...reached.map(({ rate, result: r }) => {
        const w = r!.cpu;
        return `| ${rate} | ${serviceNames.map((n) => per(r!, w.ms.get(n))).join(' | ')} | ${per(r!, servicesCpu(w))} | ${per(r!, w.ms.get('Kafka broker'))} | ${per(r!, w.ms.get('PostgreSQL'))} | ${per(r!, w.ms.get('load generator'))} | ${per(r!, w.ms.get('receivers'))} |`;
      }),
    ].join('\n'),
  };
}
