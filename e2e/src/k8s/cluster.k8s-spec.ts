import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { eventually } from '@switchboard/testing';
import { K8S_DIR, ok, run, type RunResult, TestCluster } from './cluster';
import { overlayDir, SERVICES } from './manifests';

const NAMESPACE = 'switchboard';
const NODES = ['kwok-node-a', 'kwok-node-b', 'kwok-node-c'];

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase: string; conditions?: { type: string; status: string }[] };
}
interface Deployment {
  metadata: { name: string; generation: number };
  spec: { replicas: number };
  status: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string }[];
  };
}

function node(name: string, zone: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '16', memory: '64Gi', 'ephemeral-storage': '200Gi', pods: '110' },
      capacity: { cpu: '16', memory: '64Gi', 'ephemeral-storage': '200Gi', pods: '110' },
    },
  });
}

function volume(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: '',
      hostPath: { path: `/var/lib/${name}` },
    },
  });
}

const isReady = (pod: Pod) =>
  !pod.metadata.deletionTimestamp &&
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** A watch that timestamps every line kubectl prints (one per object change). */
class Watch {
  readonly lines: { at: number; text: string }[] = [];
  private buffer = '';
  private readonly child;

  constructor(cluster: TestCluster, args: string[]) {
    this.child = cluster.spawnKubectl(['-n', NAMESPACE, 'get', '--watch', ...args]);
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      for (const text of parts) this.lines.push({ at: performance.now(), text });
    });
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

describe('infra/k8s on a simulated cluster (kube-apiserver, controllers, scheduler, kwok nodes)', () => {
  let cluster: TestCluster;
  let scratch: string;

  const kubectl = (args: string[], input?: string) =>
    cluster.kubectl(['-n', NAMESPACE, ...args], { input });

  function deploy(dir: string): Promise<RunResult> {
    return run('bash', [join(K8S_DIR, 'deploy.sh'), dir], {
      env: {
        ...process.env,
        KUBECTL: join(cluster.bin, 'kubectl'),
        KUBECONFIG: cluster.kubeconfig,
        NAMESPACE,
        TIMEOUT: '180',
      },
      timeoutMs: 600_000,
    });
  }

  async function pods(selector = 'app.kubernetes.io/component=service'): Promise<Pod[]> {
    return (
      await cluster.kubectlJson<{ items: Pod[] }>(['-n', NAMESPACE, 'get', 'pods', '-l', selector])
    ).items;
  }

  async function deployments(): Promise<Deployment[]> {
    return (
      await cluster.kubectlJson<{ items: Deployment[] }>(['-n', NAMESPACE, 'get', 'deployments'])
    ).items;
  }

  const settled = (d: Deployment) =>
    d.status.observedGeneration === d.metadata.generation &&
    d.status.updatedReplicas === d.spec.replicas &&
    d.status.availableReplicas === d.spec.replicas &&
    d.status.replicas === d.spec.replicas &&
    d.status.conditions?.some((c) => c.type === 'Available' && c.status === 'True');

  beforeAll(async () => {
    execFileSync('bash', [join(overlayDir('local'), 'make-secrets.sh')], { stdio: 'ignore' });
    scratch = mkdtempSync(join(tmpdir(), 'switchboard-kwok-'));
    cluster = await TestCluster.start();
    const zones = ['zone-a', 'zone-b', 'zone-c'];
    for (const [i, name] of NODES.entries()) {
      ok(
        await cluster.kubectl(['apply', '-f', '-'], { input: node(name, zones[i]!) }),
        `create node ${name}`,
      );
    }
    // The trial cluster's Kafka and PostgreSQL claim volumes; a real cluster's provisioner makes them.
    for (const name of ['kafka-data', 'postgres-data']) {
      ok(
        await cluster.kubectl(['apply', '-f', '-'], { input: volume(name) }),
        `create volume ${name}`,
      );
    }
    await eventually(
      async () => {
        const nodes = await cluster.kubectlJson<{ items: Pod[] }>(['get', 'nodes']);
        const ready = nodes.items.filter((n) =>
          n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === NODES.length ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'kwok nodes to be Ready' },
    );
  });

  afterAll(async () => {
    await cluster?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('deploys the local overlay: the migration Job completes and every Deployment becomes available', async () => {
    // when the local overlay is deployed the way the README says
    const result = await deploy(overlayDir('local'));

    // then the deploy succeeded, the Job completed, and every service and datastore is up
    expect(result.code).toBe(0);
    const job = await cluster.kubectlJson<{ status: { succeeded?: number } }>([
      '-n',
      NAMESPACE,
      'get',
      'job',
      'switchboard-migrate',
    ]);
    expect(job.status.succeeded).toBe(1);
    const all = await deployments();
    expect(all.map((d) => d.metadata.name).sort()).toEqual(
      SERVICES.map((s) => `switchboard-${s}`).sort(),
    );
    for (const d of all)
      expect({ name: d.metadata.name, settled: settled(d) }).toEqual({
        name: d.metadata.name,
        settled: true,
      });
    const sets = await cluster.kubectlJson<{
      items: { metadata: { name: string }; status: { readyReplicas?: number } }[];
    }>(['-n', NAMESPACE, 'get', 'statefulsets']);
    expect(sets.items.map((s) => [s.metadata.name, s.status.readyReplicas])).toEqual([
      ['switchboard-kafka', 1],
      ['switchboard-postgres', 1],
    ]);
  });

  it('rolls a new image revision only after its migration Job completed, and rolls it back', async () => {
    // given a release that changes every image's tag
    const release = join(scratch, 'release-v2');
    execFileSync('mkdir', ['-p', release]);
    writeFileSync(
      join(release, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        `  - ${relative(release, overlayDir('local'))}`,
        'images:',
        ...SERVICES.map((s) => `  - name: switchboard/${s}\n    newTag: v2`),
        '',
      ].join('\n'),
    );
    const previousJob = await cluster.kubectlJson<{ metadata: { uid: string } }>([
      '-n',
      NAMESPACE,
      'get',
      'job',
      'switchboard-migrate',
    ]);
    const jobs = new Watch(cluster, [
      'jobs',
      '-o',
      'jsonpath={.metadata.uid} {.status.succeeded}{"\\n"}',
    ]);
    const servicePods = new Watch(cluster, [
      'pods',
      '-l',
      'app.kubernetes.io/component=service',
      '-o',
      'jsonpath={.metadata.name} {.spec.containers[0].image}{"\\n"}',
    ]);

    // when it is deployed
    let result: RunResult;
    try {
      result = await deploy(release);
    } finally {
      jobs.stop();
      servicePods.stop();
    }

    // then the new Job completed before the first pod of the new revision was created
    expect(result.code).toBe(0);
    const completed = jobs.lines.find(
      (l) => !l.text.startsWith(previousJob.metadata.uid) && l.text.endsWith(' 1'),
    );
    const firstNewPod = servicePods.lines.find((l) => l.text.endsWith(':v2'));
    expect(completed).toBeDefined();
    expect(firstNewPod).toBeDefined();
    expect(completed!.at).toBeLessThan(firstNewPod!.at);

    // and every service runs the new revision, rolled out completely
    for (const d of await deployments())
      expect({ name: d.metadata.name, settled: settled(d) }).toEqual({
        name: d.metadata.name,
        settled: true,
      });
    const images = (await pods())
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.spec.containers[0]!.image);
    expect(images.length).toBeGreaterThanOrEqual(SERVICES.length);
    expect(images.filter((i) => !i.endsWith(':v2'))).toEqual([]);

    // when one service is rolled back
    ok(await kubectl(['rollout', 'undo', 'deployment/switchboard-ingress']), 'rollout undo');
    ok(
      await kubectl(['rollout', 'status', 'deployment/switchboard-ingress', '--timeout=120s']),
      'rollout status',
    );

    // then it runs the previous image again
    await eventually(
      async () => {
        const ingress = (await pods('app.kubernetes.io/name=ingress')).filter(
          (p) => !p.metadata.deletionTimestamp,
        );
        return ingress.length > 0 &&
          ingress.every((p) => p.spec.containers[0]!.image === 'switchboard/ingress:local')
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, what: 'ingress back on switchboard/ingress:local' },
    );
  });

  it('drains a node without breaking any PodDisruptionBudget', async () => {
    // given two replicas of every service, spread over the nodes
    for (const s of ['ingress', 'normalizer', 'delivery']) {
      ok(
        await kubectl([
          'patch',
          'hpa',
          `switchboard-${s}`,
          '--type=merge',
          '-p',
          '{"spec":{"minReplicas":2}}',
        ]),
        `patch hpa ${s}`,
      );
    }
    ok(
      await kubectl(['scale', 'deployment/switchboard-subscriptions', '--replicas=2']),
      'scale subscriptions',
    );
    const budgetsAllow = async (allowed: number, healthy = 2) => {
      const budgets = await cluster.kubectlJson<{
        items: {
          metadata: { name: string };
          status: { disruptionsAllowed: number; currentHealthy: number };
        }[];
      }>([
        '-n',
        NAMESPACE,
        'get',
        'poddisruptionbudgets',
        '-l',
        'app.kubernetes.io/part-of=switchboard',
      ]);
      const services = budgets.items.filter((b) =>
        SERVICES.some((s) => b.metadata.name === `switchboard-${s}`),
      );
      return services.length === SERVICES.length &&
        services.every(
          (b) => b.status.currentHealthy === healthy && b.status.disruptionsAllowed === allowed,
        )
        ? true
        : undefined;
    };
    await eventually(
      async () =>
        (await deployments()).every((d) => d.spec.replicas === 2 && settled(d))
          ? budgetsAllow(1)
          : undefined,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: 'two available replicas of every service',
      },
    );

    // given nodes that take no new pod, so that an evicted pod's replacement cannot become ready
    const evict = (pod: Pod) =>
      cluster.kubectl(
        [
          'create',
          '--raw',
          `/api/v1/namespaces/${NAMESPACE}/pods/${pod.metadata.name}/eviction`,
          '-f',
          '-',
        ],
        {
          input: JSON.stringify({
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: pod.metadata.name, namespace: NAMESPACE },
          }),
        },
      );
    for (const n of NODES) ok(await cluster.kubectl(['cordon', n]), `cordon ${n}`);
    const pairs = await Promise.all(
      SERVICES.map(async (s) => (await pods(`app.kubernetes.io/name=${s}`)).filter(isReady)),
    );

    // when one pod of every service is evicted, then each eviction is allowed
    for (const [i, service] of SERVICES.entries()) {
      const first = await evict(pairs[i]![0]!);
      expect({ service, code: first.code, stderr: first.stderr }).toEqual({
        service,
        code: 0,
        stderr: '',
      });
    }
    await eventually(() => budgetsAllow(0, 1), {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: 'every budget to allow no further disruption',
    });

    // when the second pod of every service is evicted, then every budget refuses it
    for (const [i, service] of SERVICES.entries()) {
      const second = await evict(pairs[i]![1]!);
      expect({ service, code: second.code }).toEqual({ service, code: 1 });
      expect(second.stderr).toMatch(/violate the pod's disruption budget/);
    }
    for (const n of NODES) ok(await cluster.kubectl(['uncordon', n]), `uncordon ${n}`);
    await eventually(
      async () => ((await deployments()).every(settled) ? budgetsAllow(1) : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: 'two available replicas of every service again',
      },
    );

    // when the node running the most Switchboard pods is drained, sampling the ready pods meanwhile
    const placed = await pods('app.kubernetes.io/part-of=switchboard');
    const target = NODES.map(
      (n) => [n, placed.filter((p) => p.spec.nodeName === n).length] as const,
    ).sort((x, y) => y[1] - x[1])[0]![0];
    const fewestReady: Record<string, number> = Object.fromEntries(SERVICES.map((s) => [s, 2]));
    let draining = true;
    const sampling = (async () => {
      while (draining) {
        const current = await pods();
        for (const s of SERVICES) {
          const ready = current.filter(
            (p) => p.metadata.labels['app.kubernetes.io/name'] === s && isReady(p),
          ).length;
          fewestReady[s] = Math.min(fewestReady[s]!, ready);
        }
      }
    })();
    const drain = await cluster.kubectl(
      ['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=180s'],
      { timeoutMs: 240_000 },
    );
    draining = false;
    await sampling;

    // then the drain finished, nothing of Switchboard is left on the node, and no service ever had
    // fewer ready pods than its budget allows
    expect(drain.stderr + drain.stdout).toMatch(/drained/);
    expect(drain.code).toBe(0);
    expect(
      (await pods('app.kubernetes.io/part-of=switchboard')).filter(
        (p) => p.spec.nodeName === target && !p.metadata.deletionTimestamp,
      ),
    ).toEqual([]);
    for (const s of SERVICES)
      expect({ service: s, atLeastOne: fewestReady[s]! >= 1 }).toEqual({
        service: s,
        atLeastOne: true,
      });
    await eventually(async () => ((await deployments()).every(settled) ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'every service available again on the other nodes',
    });
    ok(await cluster.kubectl(['uncordon', target]), 'uncordon');
  });
});
