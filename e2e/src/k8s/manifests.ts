import { join } from 'node:path';
import { K8S_DIR, ok, type Overlay, type TestCluster } from './cluster';

/** The parts of a Kubernetes object the checks read; everything else stays `unknown`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export function overlayDir(overlay: Overlay | 'base'): string {
  return overlay === 'base' ? join(K8S_DIR, 'base') : join(K8S_DIR, 'overlays', overlay);
}

/** The overlay as `kubectl kustomize` renders it (YAML, every object). */
export async function renderYaml(cluster: TestCluster, dir: string): Promise<string> {
  return ok(await cluster.kubectl(['kustomize', dir]), `kubectl kustomize ${dir}`);
}

/** The rendered objects as JSON (kubectl converts them; nothing is sent to the server). */
export async function renderObjects(cluster: TestCluster, dir: string): Promise<K8sObject[]> {
  const yaml = await renderYaml(cluster, dir);
  const out = ok(
    await cluster.kubectl(['create', '--dry-run=client', '-o', 'json', '-f', '-'], { input: yaml }),
    `kubectl create --dry-run=client (${dir})`,
  );
  // kubectl prints one pretty-printed JSON object after another, each closing at column 0.
  return JSON.parse(`[${out.trim().replace(/\n}\n{/g, '\n},\n{')}]`) as K8sObject[];
}

export function byKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered overlay`);
  return found;
}

export const SERVICES = ['ingress', 'normalizer', 'subscriptions', 'delivery'] as const;
export type Service = (typeof SERVICES)[number];
