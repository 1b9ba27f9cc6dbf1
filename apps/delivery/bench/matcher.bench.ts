/**
 * What tenant-supplied filter globs cost delivery's event loop: microseconds per match of hostile
 * patterns (each backtracked for seconds to minutes under the regular-expression matcher delivery
 * used before) against a 10 KB value, beside a plain `spring-*` filter on a short value measured in
 * the same run; then the p99 wait of one tenant's 200 events in a batch alone, interleaved with 200
 * events of a tenant with 20 ordinary filters, and interleaved with as many of a tenant with 20
 * hostile filters.
 *
 *   ./sb bench:matcher           (BENCH_MATCH_RUNS overrides the matches timed per pattern)
 */
import { performance } from 'node:perf_hooks';
import type { CloudEvent } from '@switchboard/contracts';
import { cloudEvent, subscriptionRecord } from '../test/builders';
import { SubscriptionMatcher } from '../src/matching/subscription-matcher';

const runs = Number(process.env.BENCH_MATCH_RUNS ?? 2000);

function matcherOf(businessId: string, expressions: string[]): SubscriptionMatcher {
  return new SubscriptionMatcher(
    subscriptionRecord({
      businessId,
      configuration: {
        filters: expressions.map((expression) => ({ field: 'campaign_name', expression })),
      },
    }),
  );
}

const eventOf = (businessid: string, campaignName: string): CloudEvent =>
  cloudEvent({ businessid, data: { ...cloudEvent().data, campaignName } });

/** Mean microseconds of one match, after a warm-up of a tenth of the runs. */
function microsPerMatch(matcher: SubscriptionMatcher, event: CloudEvent): number {
  for (let i = 0; i < runs / 10; i++) matcher.match(event);
  const start = performance.now();
  for (let i = 0; i < runs; i++) matcher.match(event);
  return ((performance.now() - start) * 1000) / runs;
}

const baseline = microsPerMatch(
  matcherOf('biz_acme', ['spring-*']),
  eventOf('biz_acme', 'spring-7'),
);
console.log(`baseline: one 'spring-*' filter on 'spring-7': ${baseline.toFixed(2)} µs a match`);
const tenKB = 'a'.repeat(10_000);
for (const [name, pattern] of [
  ["'*a'.repeat(50) + 'b'", '*a'.repeat(50) + 'b'],
  ["'a*'.repeat(100) + 'b'", 'a*'.repeat(100) + 'b'],
  ["'*[a-z]*[!b]'.repeat(20) + 'b'", '*[a-z]*[!b]'.repeat(20) + 'b'],
  ["'*{a,aa}'.repeat(20) + 'b'", '*{a,aa}'.repeat(20) + 'b'],
] as const) {
  const micros = microsPerMatch(matcherOf('biz_acme', [pattern]), eventOf('biz_acme', tenKB));
  console.log(
    `${name} on a 10 KB value: ${micros.toFixed(2)} µs a match (${(micros / baseline).toFixed(1)}× baseline)`,
  );
}

// One tenant's batch, alone, among a hostile tenant's events (20 filters that all pass, so each
// event runs all 20), and among as many events of a tenant with 20 ordinary "contains" filters
// that all pass on the same 10 KB values: the cost any busy neighbour adds, the one to compare with.
const hostile = matcherOf(
  'biz_hostile',
  Array.from({ length: 20 }, (_, i) => '*a'.repeat(40 + i) + '*'),
);
const ordinary = matcherOf(
  'biz_busy',
  Array.from({ length: 20 }, (_, i) => `*${'a'.repeat(i + 1)}*`),
);
const normal = matcherOf('biz_acme', ['spring-*']);
const theirs = Array.from({ length: 200 }, () => eventOf('biz_hostile', tenKB));
const busy = Array.from({ length: 200 }, () => eventOf('biz_busy', tenKB));
const ours = Array.from({ length: 200 }, (_, i) => eventOf('biz_acme', `spring-${i}`));
function p99Wait(batch: CloudEvent[], neighbour: SubscriptionMatcher): number {
  const waits: number[] = [];
  const start = performance.now();
  for (const e of batch) {
    const mine = e.businessid === 'biz_acme';
    (mine ? normal : neighbour).match(e);
    if (mine) waits.push(performance.now() - start);
  }
  return waits.sort((a, b) => a - b)[Math.floor(waits.length * 0.99)]!;
}
const mixedBatch = ours.flatMap((e, i) => [theirs[i]!, e]);
const busyBatch = ours.flatMap((e, i) => [busy[i]!, e]);
for (let i = 0; i < 20; i++) {
  p99Wait(mixedBatch, hostile);
  p99Wait(busyBatch, ordinary);
}
const best = (measure: () => number): number => Math.min(...Array.from({ length: 20 }, measure));
const alone = best(() => p99Wait(ours, hostile));
const beside = best(() => p99Wait(busyBatch, ordinary));
const mixed = best(() => p99Wait(mixedBatch, hostile));
console.log(
  `p99 wait of 200 events in a batch: ${alone.toFixed(2)} ms alone, ${beside.toFixed(2)} ms among ` +
    `200 events of a tenant with 20 ordinary '*aa…*' filters on 10 KB values, ${mixed.toFixed(2)} ms ` +
    `among 200 such events of a tenant with 20 hostile filters ` +
    `(${(mixed / beside).toFixed(2)}× the ordinary neighbour)`,
);
