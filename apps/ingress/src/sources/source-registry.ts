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

  /** Secret values that are live at `now`: not expired (a rotated-out secret keeps working until then). */
  static liveSecrets(source: SourceRecord, now: Date): string[] {
    const at = now.getTime();
    return source.secrets
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > at)
      .map((s) => s.value);
  }
}
