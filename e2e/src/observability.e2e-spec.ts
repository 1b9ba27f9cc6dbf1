import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestDatabase,
  deleteTopicsWithPrefix,
  freePort,
  type ServiceName,
  ServiceProcess,
  type TestDatabase,
  testKafka,
  testKafkaBrokers,
  uniqueName,
} from '@switchboard/testing';

const observability = join(__dirname, '..', '..', 'infra', 'observability');
const rulesDir = join(observability, 'prometheus');

/** Runs promtool (Debian's `prometheus` package, installed by `./sb`); fails loudly without it. */
function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: rulesDir, encoding: 'utf8' });
  if (run.error) {
    throw new Error(
      `promtool could not be run (${run.error.message}); ./sb installs it from Debian's prometheus package`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric and recording-rule names a PromQL expression reads: identifiers that are not
 * functions, keywords, label matchers, grouping labels, durations or strings.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const after = bare.slice(match.index + name.length).trimStart();
    if (after.startsWith('(') || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Every expression of the rules file, and the names it records. */
function rules(): { exprs: string[]; recorded: Set<string> } {
  const text = readFileSync(join(rulesDir, 'rules.yml'), 'utf8');
  const exprs: string[] = [];
  const recorded = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const record = /^\s*- record: (\S+)/.exec(lines[i]!);
    if (record) recorded.add(record[1]!);
    const expr = /^(\s*)expr: (.*)$/.exec(lines[i]!);
    if (!expr) continue;
    if (expr[2] !== '|') {
      exprs.push(expr[2]!);
      continue;
    }
    const block: string[] = [];
    const indent = expr[1]!.length;
    while (
      i + 1 < lines.length &&
      (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)
    ) {
      block.push(lines[++i]!);
    }
    exprs.push(block.join('\n'));
  }
  return { exprs, recorded };
}

function dashboardExprs(): string[] {
  const dashboard = JSON.parse(
    readFileSync(join(observability, 'grafana', 'switchboard.json'), 'utf8'),
  ) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

describe('alerting rules, recording rules and the dashboard', () => {
  it('pass promtool: the rules load, and each alert fires on the series meant to raise it and only then', () => {
    const check = promtool('check', 'rules', 'rules.yml');
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const tests = promtool('test', 'rules', 'rules.test.yml');
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
  });

  it('read the names a PromQL expression uses, not its functions, labels or strings', () => {
    expect(
      metricNames(
        'sum by (outcome) (rate(switchboard_delivery_attempts_total{outcome="a_b"}[5m])) / on (job) up',
      ).sort(),
    ).toEqual(['switchboard_delivery_attempts_total', 'up']);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))')).toEqual([
      'x_bucket',
    ]);
  });

  describe('against the four services as processes', () => {
    const prefix = `${uniqueName('e2e-obs')}.`;
    let database: TestDatabase;
    const services: ServiceProcess[] = [];
    const names: ServiceName[] = ['ingress', 'normalizer', 'subscriptions', 'delivery'];

    beforeAll(async () => {
      database = await createTestDatabase('e2e_observability');
      for (const name of names) {
        const service = new ServiceProcess(name, await freePort(), {
          KAFKA_BROKERS: testKafkaBrokers().join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          DATABASE_URL: database.url,
          ...(name === 'subscriptions' ? { GRPC_PORT: String(await freePort()) } : {}),
        });
        services.push(service);
        service.start();
      }
      await Promise.all(services.map((s) => s.waitReady()));
    });

    afterAll(async () => {
      await Promise.all(services.map((s) => s.stop('SIGKILL')));
      await database?.drop();
      await deleteTopicsWithPrefix(testKafka(), prefix);
    });

    it('export every metric the rules and the dashboard query', async () => {
      // given the metric families the services export (a histogram also as _bucket, _sum, _count)
      const exported = new Set<string>(['up']);
      for (const service of services) {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
          exported.add(name!);
          if (type === 'histogram' || type === 'summary') {
            for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
          }
        }
      }
      const { exprs, recorded } = rules();
      expect(recorded.size).toBeGreaterThan(0);

      // then every name in every expression is a recording rule or an exported metric
      const queried = [...exprs, ...dashboardExprs()].flatMap(metricNames);
      expect(queried.length).toBeGreaterThan(20);
      const unknown = [...new Set(queried)].filter((n) => !recorded.has(n) && !exported.has(n));
      expect(unknown).toEqual([]);
      for (const needed of [
        'kafka_consumer_lag',
        'switchboard_delivery_event_age_seconds_bucket',
        'switchboard_delivery_lane_queued',
        'subscriptions_outbox_backlog',
        'process_cpu_seconds_total',
      ]) {
        expect(exported).toContain(needed);
      }
    });
  });
});
