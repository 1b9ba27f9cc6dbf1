import type { SourceRecord } from '@switchboard/contracts';

/**
 * The sources ingress knows, held in memory from the compacted config topic: the request path
 * reads no database. Records apply by version, so a replayed or reordered older record never
 * overwrites a newer one.
 */
export class SourceRegistry {
  private readonly sources = new Map<string, SourceRecord>();
  private loaded = false;

  /** True once the config topic has been read up to where it stood at start. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  markLoaded(): void {
    this.loaded = true;
  }

  get size(): number {
    return this.sources.size;
  }

  get(id: string): SourceRecord | undefined {
    return this.sources.get(id);
  }

  upsert(record: SourceRecord): void {
    const current = this.sources.get(record.id);
    if (current && current.version > record.version) return;
    this.sources.set(record.id, record);
  }

  remove(id: string): void {
    this.sources.delete(id);
  }

  /**
   * Secret values that are live at `now`: not expired (a rotated-out secret keeps working until
   * then). Worked out once per source record and kept until the next of them expires.
   */
  static liveSecrets(source: SourceRecord, now: Date): readonly string[] {
    const at = now.getTime();
    const known = liveSecretsOf.get(source);
    if (known && at >= known.from && at < known.until) return known.values;
    let until = Infinity;
    const values: string[] = [];
    for (const secret of source.secrets) {
      const expires = secret.expiresAt === null ? Infinity : Date.parse(secret.expiresAt);
      if (expires > at) {
        values.push(secret.value);
        until = Math.min(until, expires);
      }
    }
    liveSecretsOf.set(source, { from: at, until, values });
    return values;
  }
}

/** Live secrets by source record (records are replaced, never changed): valid from `from` until `until`. */
const liveSecretsOf = new WeakMap<
  SourceRecord,
  { from: number; until: number; values: readonly string[] }
>();
