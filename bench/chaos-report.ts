/**
 * The crash suite's last figures (`npm run test:chaos` with CHAOS_REPORT_FILE set), quoted in the
 * benchmark report beside the commit and date they were measured at: lost webhooks and duplicate
 * deliveries at line rate, under SIGKILLs and a broker restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SummaryRow } from './report';

interface ChaosFigures {
  date: string;
  commit: string;
  rate: number;
  seconds: number;
  sent: number;
  acknowledged: number;
  status503: number;
  noAnswer: number;
  stored: number;
  events: number;
  delivered: number;
  deliveries: number;
  duplicates: number;
  duplicateRatioPercent: number;
  lost: number;
  offeredRate: number;
  deliveredRate: number;
}

/** The figures in `path`, or undefined when there are none. */
export function readChaosReport(path: string): ChaosFigures | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ChaosFigures;
}

export function chaosRows(c: ChaosFigures): SummaryRow[] {
  return [
    {
      figure: `crash suite at ${c.rate}/s: acknowledged webhooks lost`,
      value: c.lost,
      bar: '0',
      met: c.lost === 0,
    },
    {
      figure: 'crash suite: duplicate deliveries (% of deliveries)',
      value: c.duplicateRatioPercent,
      bar: '≤ 0.1 %',
      met: c.duplicateRatioPercent <= 0.1,
      decimals: 3,
    },
  ];
}

export function chaosSection(c: ChaosFigures): { title: string; body: string } {
  const n = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d });
  return {
    title: 'Crash suite',
    body: [
      `\`npm run test:chaos\` at commit \`${c.commit}\`, ${c.date}: signed webhooks offered at ` +
        `${c.rate}/s open loop for ${c.seconds} s while every service is SIGKILLed twice and the ` +
        `broker restarts once; then every acknowledged webhook must be stored once, have one event ` +
        `and be delivered.`,
      '',
      '| sent | acknowledged | 503s | no answer | stored | events | delivered | deliveries | duplicates | duplicate % | lost | offered /s | delivered /s |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${n(c.sent)} | ${n(c.acknowledged)} | ${n(c.status503)} | ${n(c.noAnswer)} | ${n(c.stored)} | ` +
        `${n(c.events)} | ${n(c.delivered)} | ${n(c.deliveries)} | ${n(c.duplicates)} | ` +
        `${n(c.duplicateRatioPercent, 3)} | ${n(c.lost)} | ${n(c.offeredRate, 1)} | ${n(c.deliveredRate, 1)} |`,
      '',
      'No answer: ingress was being killed or restarted, or the broker was down (a webhook that got ' +
        'no 200 was not acknowledged, so the provider retries it; it cannot be lost).',
    ].join('\n'),
  };
}
