import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeliveryAttemptsTopic,
  InboundRawTopic,
  PublicTopics,
  SubscriptionEventsTopic,
} from '@switchboard/contracts';
import { repoRoot } from '@switchboard/testing';
import { K8S_DIR, ok, OVERLAYS, run, TestCluster } from './cluster';
import {
  byKind,
  type K8sObject,
  named,
  overlayDir,
  renderObjects,
  renderYaml,
  SERVICES,
  type Service,
} from './manifests';
import { relaxQuantities, writeKubeconformSchemas } from './openapi-schemas';

/** Mebibytes in a Kubernetes memory quantity (384Mi, 1Gi). */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/** The largest resident memory docs/benchmarks.md reports for each service (after the sweep, soak). */
function benchmarkResidentMb(): Record<Service, number> {
  const doc = readFileSync(join(repoRoot(), 'docs', 'benchmarks.md'), 'utf8');
  const section = doc.split('## Resident memory')[1]?.split('\n## ')[0] ?? '';
  const result = {} as Record<Service, number>;
  for (const service of SERVICES) {
    const values = section
      .split('\n')
      .filter((line) => new RegExp(`^\\|\\s*${service}\\s*\\|`).test(line))
      .flatMap((line) => line.split('|').map((cell) => Number(cell.trim())))
      .filter((n) => Number.isFinite(n) && n > 0);
    if (values.length === 0)
      throw new Error(`docs/benchmarks.md reports no resident memory for ${service}`);
    result[service] = Math.max(...values);
  }
  return result;
}

/** A copy of `yaml` with an unknown field in the first container of the ingress Deployment. */
function withUnknownField(yaml: string): string {
  const docs = yaml.split('\n---\n');
  const i = docs.findIndex(
    (d) => /^kind: Deployment$/m.test(d) && /^ {2}name: switchboard-ingress$/m.test(d),
  );
  if (i < 0 || !docs[i]!.includes('\n      - env:')) throw new Error('ingress container not found');
  docs[i] = docs[i]!.replace('\n      - env:', '\n      - bogusField: true\n        env:');
  return docs.join('\n---\n');
}

function container(deployment: K8sObject) {
  return deployment.spec.template.spec.containers[0];
}

describe('infra/k8s manifests', () => {
  let cluster: TestCluster;
  const rendered = {} as Record<(typeof OVERLAYS)[number], { yaml: string; objects: K8sObject[] }>;
  let schemaLocation: string;
  let schemaDir: string;

  beforeAll(async () => {
    execFileSync('bash', [join(K8S_DIR, 'overlays', 'local', 'make-secrets.sh')], {
      stdio: 'ignore',
    });
    cluster = await TestCluster.start();
    for (const overlay of OVERLAYS) {
      rendered[overlay] = {
        yaml: await renderYaml(cluster, overlayDir(overlay)),
        objects: await renderObjects(cluster, overlayDir(overlay)),
      };
    }
    // Strict JSON Schemas for every kind the overlays use, from this API server's OpenAPI.
    const openapi = relaxQuantities(
      JSON.parse(ok(await cluster.kubectl(['get', '--raw', '/openapi/v2']), 'GET /openapi/v2')),
    );
    const kinds = new Set(
      OVERLAYS.flatMap((o) => rendered[o].objects.map((x) => `${x.apiVersion}/${x.kind}`)),
    );
    schemaDir = mkdtempSync(join(tmpdir(), 'switchboard-schemas-'));
    schemaLocation = writeKubeconformSchemas(openapi, kinds, schemaDir);
    // The overlays' namespace exists, so that a server-side dry run can admit what goes in it.
    ok(
      await cluster.kubectl([
        'apply',
        '--server-side',
        '-f',
        join(overlayDir('local'), 'namespace.yaml'),
      ]),
      'create namespace',
    );
  });

  afterAll(async () => {
    await cluster?.stop();
    if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
  });

  describe.each(OVERLAYS)('the %s overlay', (overlay) => {
    it('is admitted whole by kube-apiserver 1.35 with strict field validation (server-side dry run)', async () => {
      // when every object is applied server-side as a dry run, unknown fields refused
      const result = await cluster.kubectl([
        'apply',
        '--server-side',
        '--dry-run=server',
        '--validate=strict',
        '-k',
        overlayDir(overlay),
      ]);

      // then each one is admitted, with no warning
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const admitted = result.stdout
        .split('\n')
        .filter((l) => l.endsWith('serverside-applied (server dry run)'));
      expect(admitted).toHaveLength(rendered[overlay].objects.length);
    });

    it('passes kubeconform in strict mode against the API server’s own schemas', async () => {
      const result = await run(
        join(cluster.bin, 'kubeconform'),
        ['-strict', '-summary', '-output', 'json', '-schema-location', schemaLocation, '-'],
        { input: rendered[overlay].yaml },
      );
      const report = JSON.parse(result.stdout) as {
        resources: { kind: string; name: string; status: string; msg: string }[];
        summary: { valid: number; invalid: number; errors: number; skipped: number };
      };
      expect(report.resources.filter((r) => r.status !== 'statusValid')).toEqual([]);
      expect(report.summary).toEqual({
        valid: rendered[overlay].objects.length,
        invalid: 0,
        errors: 0,
        skipped: 0,
      });
      expect(result.code).toBe(0);
    });

    it('has no critical kube-score finding (exceptions carry a kube-score/ignore annotation with its reason)', async () => {
      const result = await run(
        join(cluster.bin, 'kube-score'),
        ['score', '--output-format', 'ci', '-'],
        { input: rendered[overlay].yaml },
      );
      const lines = result.stdout.split('\n');
      expect(lines.filter((l) => l.startsWith('[CRITICAL]'))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('[OK]')).length).toBeGreaterThan(50);
      expect(result.code).toBe(0);
    });
  });

  it('refuses an unknown field, both in the dry run and in kubeconform (the checks above can fail)', async () => {
    // given the local overlay with one misspelt field
    const yaml = withUnknownField(rendered.local.yaml);

    // when it is validated both ways
    const dryRun = await cluster.kubectl(
      ['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'],
      { input: yaml },
    );
    const schema = await run(
      join(cluster.bin, 'kubeconform'),
      ['-strict', '-summary', '-schema-location', schemaLocation, '-'],
      { input: yaml },
    );

    // then both refuse it, naming the field
    expect(dryRun.code).not.toBe(0);
    expect(dryRun.stderr).toMatch(
      /bogusField: field not declared in schema|unknown field "[^"]*bogusField"/,
    );
    expect(schema.code).not.toBe(0);
    expect(schema.stdout).toMatch(/bogusField/);
  });

  it('keeps every autoscaler within the partitions its service consumes', () => {
    // Members of a consumer group beyond the partition count get no partition and idle.
    const limits: Record<string, number> = {
      'switchboard-normalizer': InboundRawTopic.partitions,
      'switchboard-delivery': Math.min(...Object.values(PublicTopics).map((t) => t.partitions)),
    };
    for (const overlay of OVERLAYS) {
      for (const [name, partitions] of Object.entries(limits)) {
        const hpa = named(rendered[overlay].objects, 'HorizontalPodAutoscaler', name);
        expect({ overlay, name, max: hpa.spec.maxReplicas <= partitions }).toEqual({
          overlay,
          name,
          max: true,
        });
      }
      // The admin API has no autoscaler: its fixed replicas share the delivery log's partitions.
      const subscriptions = named(
        rendered[overlay].objects,
        'Deployment',
        'switchboard-subscriptions',
      );
      const consumed = Math.min(
        DeliveryAttemptsTopic.partitions,
        SubscriptionEventsTopic.partitions,
      );
      expect({ overlay, replicas: subscriptions.spec.replicas <= consumed }).toEqual({
        overlay,
        replicas: true,
      });
    }
  });

  it('scales ingress on CPU, and normalizer and delivery on consumer lag with CPU as the fallback', () => {
    for (const overlay of OVERLAYS) {
      const metrics = (name: string) =>
        named(
          rendered[overlay].objects,
          'HorizontalPodAutoscaler',
          `switchboard-${name}`,
        ).spec.metrics.map(
          (m: {
            type: string;
            resource?: { name: string };
            external?: { metric: { name: string; selector: unknown } };
          }) =>
            m.type === 'Resource'
              ? `cpu`
              : `${m.external?.metric.name} ${JSON.stringify(m.external?.metric.selector)}`,
        );
      expect(metrics('ingress')).toEqual(['cpu']);
      expect(metrics('normalizer')).toEqual([
        'kafka_consumer_lag {"matchLabels":{"group":"switchboard-normalizer"}}',
        'cpu',
      ]);
      expect(metrics('delivery')).toEqual([
        'kafka_consumer_lag {"matchLabels":{"group":"switchboard-delivery"}}',
        'cpu',
      ]);
      // An autoscaled Deployment leaves its replica count to the autoscaler.
      for (const service of ['ingress', 'normalizer', 'delivery']) {
        expect(
          named(rendered[overlay].objects, 'Deployment', `switchboard-${service}`).spec.replicas,
        ).toBeUndefined();
      }
    }
  });

  it('gives every pod more time to stop than its drain takes (preStop sleep + SHUTDOWN_TIMEOUT_MS)', () => {
    for (const overlay of OVERLAYS) {
      const settings = byKind(rendered[overlay].objects, 'ConfigMap').find((c) =>
        c.metadata.name.startsWith('switchboard-settings'),
      )!;
      const drainSeconds = Number(settings.data!.SHUTDOWN_TIMEOUT_MS) / 1000;
      for (const deployment of byKind(rendered[overlay].objects, 'Deployment')) {
        const preStop = container(deployment).lifecycle?.preStop?.sleep?.seconds ?? 0;
        const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
        expect({ name: deployment.metadata.name, longer: grace > preStop + drainSeconds }).toEqual({
          name: deployment.metadata.name,
          longer: true,
        });
      }
    }
  });

  it('sizes memory from the benchmark: the request holds the resident memory measured, the limit 20 % more', () => {
    const measured = benchmarkResidentMb();
    for (const service of SERVICES) {
      const { resources } = container(
        named(rendered.production.objects, 'Deployment', `switchboard-${service}`),
      );
      expect({
        service,
        request: mebibytes(resources.requests.memory) >= measured[service],
      }).toEqual({ service, request: true });
      expect({
        service,
        limit: mebibytes(resources.limits.memory) >= measured[service] * 1.2,
      }).toEqual({ service, limit: true });
    }
  });

  it('runs every container as a non-root user on a read-only root filesystem, with probes on /health', () => {
    for (const overlay of OVERLAYS) {
      const workloads = [
        ...byKind(rendered[overlay].objects, 'Deployment'),
        ...byKind(rendered[overlay].objects, 'Job'),
      ];
      for (const workload of workloads) {
        const pod = workload.spec.template.spec;
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        for (const c of pod.containers) {
          expect({ name: c.name, readOnly: c.securityContext.readOnlyRootFilesystem }).toEqual({
            name: c.name,
            readOnly: true,
          });
          expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        }
      }
      for (const deployment of byKind(rendered[overlay].objects, 'Deployment')) {
        const c = container(deployment);
        expect([
          c.startupProbe.httpGet.path,
          c.livenessProbe.httpGet.path,
          c.readinessProbe.httpGet.path,
        ]).toEqual(['/health/live', '/health/live', '/health/ready']);
        const budget = byKind(rendered[overlay].objects, 'PodDisruptionBudget').find(
          (b) =>
            b.spec.selector.matchLabels['app.kubernetes.io/name'] ===
            deployment.spec.selector.matchLabels['app.kubernetes.io/name'],
        );
        expect({
          deployment: deployment.metadata.name,
          budget: budget?.spec.maxUnavailable,
        }).toEqual({
          deployment: deployment.metadata.name,
          budget: 1,
        });
      }
    }
  });

  it('holds no secret value in the base or the production overlay, and the local one’s is git-ignored', async () => {
    for (const dir of [overlayDir('base'), overlayDir('production')]) {
      const objects = await renderObjects(cluster, dir);
      expect(byKind(objects, 'Secret')).toEqual([]);
      for (const workload of [...byKind(objects, 'Deployment'), ...byKind(objects, 'Job')]) {
        for (const c of workload.spec.template.spec.containers) {
          const literal = (c.env ?? []).filter(
            (e: { name: string; value?: string }) =>
              ['DATABASE_URL', 'DATA_KEYS', 'OPERATOR_API_KEY'].includes(e.name) &&
              e.value !== undefined,
          );
          expect(literal).toEqual([]);
        }
      }
    }
    const ignored = await run('git', ['check-ignore', 'infra/k8s/overlays/local/secrets.env'], {
      cwd: repoRoot(),
    });
    expect(ignored.code).toBe(0);
  });

  it('gives each service an environment its own configuration schema accepts, secrets included', () => {
    const secrets: Record<string, string> = {
      DATABASE_URL: 'postgres://switchboard:secret@postgres.example.internal:5432/switchboard',
      DATA_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      OPERATOR_API_KEY: 'o'.repeat(40),
    };
    const needs: Record<Service, string[]> = {
      ingress: ['DATA_KEYS'],
      normalizer: ['DATABASE_URL'],
      subscriptions: ['DATABASE_URL', 'DATA_KEYS', 'OPERATOR_API_KEY'],
      delivery: ['DATABASE_URL', 'DATA_KEYS'],
    };
    for (const overlay of OVERLAYS) {
      const { objects } = rendered[overlay];
      for (const service of SERVICES) {
        const c = container(named(objects, 'Deployment', `switchboard-${service}`));
        const env: Record<string, string> = {};
        for (const from of c.envFrom) {
          Object.assign(env, named(objects, 'ConfigMap', from.configMapRef.name).data);
        }
        const fromSecret: string[] = [];
        for (const e of c.env as {
          name: string;
          value?: string;
          valueFrom?: { secretKeyRef: { name: string; key: string } };
        }[]) {
          if (e.value !== undefined) env[e.name] = e.value;
          if (e.valueFrom) {
            expect(e.valueFrom.secretKeyRef.name).toMatch(/^switchboard-secrets(-[a-z0-9]{10})?$/);
            fromSecret.push(e.name);
            env[e.name] = secrets[e.valueFrom.secretKeyRef.key]!;
          }
        }
        expect({ service, fromSecret: fromSecret.sort() }).toEqual({
          service,
          fromSecret: needs[service].sort(),
        });
        const schemaName = `${service[0]!.toUpperCase()}${service.slice(1)}Config`;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const config = require(
          join(repoRoot(), 'apps', service, 'dist', 'config', `${service}.config.js`),
        );
        const parsed = config[schemaName].safeParse(env);
        expect({ overlay, service, issues: parsed.error?.issues ?? [] }).toEqual({
          overlay,
          service,
          issues: [],
        });
        expect(parsed.data.PORT).toBe(c.ports[0].containerPort);
      }
    }
  });

  it('lets only ingress and the admin API take traffic from outside the namespace; delivery never reaches private ranges', () => {
    for (const overlay of OVERLAYS) {
      const policies = byKind(rendered[overlay].objects, 'NetworkPolicy');
      expect(
        named(rendered[overlay].objects, 'NetworkPolicy', 'switchboard-default-deny').spec,
      ).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
      for (const policy of policies) {
        for (const rule of policy.spec.ingress ?? []) {
          const fromOutside =
            rule.from === undefined ||
            rule.from.some(
              (peer: { namespaceSelector?: unknown; ipBlock?: unknown }) =>
                peer.namespaceSelector || peer.ipBlock,
            );
          if (!fromOutside) continue;
          const ports = (rule.ports ?? []).map((p: { port: number }) => p.port).sort();
          const selected = policy.spec.podSelector.matchLabels?.['app.kubernetes.io/name'];
          const allowed =
            (selected === 'ingress' && ports.join() === '8080') ||
            (selected === 'subscriptions' && ports.join() === '50051,8081') ||
            // The documented exception: a labelled Prometheus namespace reads /metrics only.
            (overlay === 'production' &&
              policy.metadata.name === 'switchboard-metrics-from-scraper' &&
              ports.join() === '8082,8083' &&
              rule.from.every((p: { namespaceSelector?: unknown }) => p.namespaceSelector));
          expect({ overlay, policy: policy.metadata.name, allowed }).toEqual({
            overlay,
            policy: policy.metadata.name,
            allowed: true,
          });
        }
      }
      const internet = named(
        rendered[overlay].objects,
        'NetworkPolicy',
        'switchboard-delivery-to-internet',
      );
      const v4 = internet.spec.egress[0].to.find(
        (t: { ipBlock: { cidr: string } }) => t.ipBlock.cidr === '0.0.0.0/0',
      );
      expect(v4.ipBlock.except).toEqual(
        expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
      );
    }
  });
});
