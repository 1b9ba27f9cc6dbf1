import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, repoRoot } from '@switchboard/testing';

export const K8S_DIR = join(repoRoot(), 'infra', 'k8s');
export const OVERLAYS = ['local', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/**
 * The directory holding kube-apiserver, etcd, kubectl, kwok, kubeconform and kube-score, built by
 * infra/k8s/tools/build.sh (cached under .local/, so this is quick once built).
 */
export function toolsBin(): string {
  return execFileSync('bash', [join(K8S_DIR, 'tools', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 60 * 60_000,
  }).trim();
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to its end; never throws on a non-zero exit (the caller asserts on `code`). */
export function run(
  file: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 300_000,
        env: options.env ?? process.env,
        cwd: options.cwd,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Fails with the tool's output when it did not exit 0. */
export function ok(result: RunResult, what: string): string {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}\n${result.stderr}\n${result.stdout}`.trim());
  }
  return result.stdout;
}

interface Component {
  name: string;
  child: ChildProcess;
  log: string;
}

/** Certificates and keys for one throwaway control plane, made with openssl. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=switchboard-test-ca',
  );
  const signed = (name: string, subject: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  signed(
    'apiserver',
    '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes.default.svc\n' +
      'extendedKeyUsage=serverAuth\n',
  );
  signed('admin', '/O=system:masters/CN=switchboard-test-admin', 'extendedKeyUsage=clientAuth\n');
  openssl('genrsa', '-out', 'sa.key', '2048');
  openssl('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

/**
 * A control plane on loopback: etcd, kube-apiserver, kube-controller-manager and kube-scheduler,
 * with kwok standing in for the kubelets of the nodes the test creates. Everything runs from a
 * temporary directory and is stopped (and removed) by `stop`.
 */
export class TestCluster {
  private readonly components: Component[] = [];

  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly kubeconfig: string,
  ) {}

  static async start(bin = toolsBin()): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-k8s-'));
    makeCertificates(dir);
    const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await Promise.all(
      Array.from({ length: 6 }, freePort),
    );
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: test\n  cluster:\n    server: https://127.0.0.1:${apiserver}\n    certificate-authority: ${join(dir, 'ca.crt')}`,
        'users:',
        `- name: admin\n  user:\n    client-certificate: ${join(dir, 'admin.crt')}\n    client-key: ${join(dir, 'admin.key')}`,
        'contexts:',
        '- name: test\n  context:\n    cluster: test\n    user: admin',
        'current-context: test',
        '',
      ].join('\n'),
    );
    const cluster = new TestCluster(bin, dir, kubeconfig);
    try {
      const f = (name: string) => join(dir, name);
      cluster.spawn('etcd', [
        '--name=test',
        `--data-dir=${f('etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ]);
      cluster.spawn('kube-apiserver', [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiserver}`,
        `--tls-cert-file=${f('apiserver.crt')}`,
        `--tls-private-key-file=${f('apiserver.key')}`,
        `--client-ca-file=${f('ca.crt')}`,
        `--service-account-key-file=${f('sa.pub')}`,
        `--service-account-signing-key-file=${f('sa.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=false',
        '--endpoint-reconciler-type=none',
        '--profiling=false',
      ]);
      await eventually(
        async () =>
          (await cluster.kubectl(['get', '--raw', '/readyz'])).code === 0 ? true : undefined,
        { timeoutMs: 120_000, intervalMs: 500, what: 'kube-apiserver to be ready' },
      );
      const kubeconfigFlags = [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
      ];
      cluster.spawn('kube-controller-manager', [
        ...kubeconfigFlags,
        `--secure-port=${controllerManager}`,
        `--service-account-private-key-file=${f('sa.key')}`,
        `--root-ca-file=${f('ca.crt')}`,
        '--use-service-account-credentials=false',
        // Autoscalers act within seconds, so the drain test need not wait 15 s for them.
        '--horizontal-pod-autoscaler-sync-period=2s',
      ]);
      cluster.spawn('kube-scheduler', [...kubeconfigFlags, `--secure-port=${scheduler}`]);
      cluster.spawn('kwok', [
        `--kubeconfig=${kubeconfig}`,
        `--config=${join(K8S_DIR, 'tools', 'kwok-stages.yaml')}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-lease-duration-seconds=40',
        '--cidr=10.244.0.0/16',
        '--node-ip=10.0.0.1',
        `--server-address=127.0.0.1:${kwok}`,
      ]);
      // Every namespace gets its default ServiceAccount from the controller manager.
      await eventually(
        async () =>
          (await cluster.kubectl(['-n', 'default', 'get', 'serviceaccount', 'default'])).code === 0
            ? true
            : undefined,
        { timeoutMs: 60_000, intervalMs: 500, what: 'kube-controller-manager to start' },
      );
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  private spawn(name: string, args: string[]): void {
    const log = join(this.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(join(this.bin, name), args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.once('exit', (code, signal) => {
      if (!this.stopping)
        process.stderr.write(`${name} exited (${code ?? signal})\n${this.logTail(name)}\n`);
    });
    this.components.push({ name, child, log });
  }

  private stopping = false;

  /** The last lines a component logged, for failure messages. */
  logTail(name: string, lines = 30): string {
    const component = this.components.find((c) => c.name === name);
    if (!component) return '';
    return readFileSync(component.log, 'utf8').split('\n').slice(-lines).join('\n');
  }

  kubectl(
    args: readonly string[],
    options: { input?: string; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    return run(join(this.bin, 'kubectl'), [`--kubeconfig=${this.kubeconfig}`, ...args], options);
  }

  async kubectlJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(
      ok(await this.kubectl([...args, '-o', 'json']), `kubectl ${args.join(' ')}`),
    ) as T;
  }

  /** Starts kubectl in the background (a watch); the caller ends it. */
  spawnKubectl(args: readonly string[]): ChildProcess {
    return spawn(join(this.bin, 'kubectl'), [`--kubeconfig=${this.kubeconfig}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Stops every component, newest first, and removes the cluster's directory. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const { child } of [...this.components].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
