import { examples, type SourceRecord } from '@switchboard/contracts';
import { SourceRegistry } from './source-registry';

describe(SourceRegistry.name, () => {
  const base: SourceRecord = examples.SourceRecord;

  it('keeps the newest version of a source whatever order records arrive in', () => {
    // given a registry holding version 3 of a source
    const registry = new SourceRegistry();
    registry.upsert({ ...base, version: 3, enabled: false });

    // when an older version arrives afterwards
    registry.upsert({ ...base, version: 2, enabled: true });

    // then the newer record stands
    expect(registry.get(base.id)).toMatchObject({ version: 3, enabled: false });
  });

  it('forgets a deleted source', () => {
    const registry = new SourceRegistry();
    registry.upsert(base);
    registry.remove(base.id);
    expect(registry.get(base.id)).toBeUndefined();
  });

  it('treats secrets past their expiry as no longer live', () => {
    // given one current secret and one that a rotation retired an hour ago
    const now = new Date('2026-11-21T12:00:00Z');
    const source: SourceRecord = {
      ...base,
      secrets: [
        { id: 'new', value: 'new-secret', createdAt: '2026-11-21T11:00:00Z', expiresAt: null },
        {
          id: 'old',
          value: 'old-secret',
          createdAt: '2026-10-01T00:00:00Z',
          expiresAt: '2026-11-21T11:00:00Z',
        },
        {
          id: 'grace',
          value: 'grace-secret',
          createdAt: '2026-10-01T00:00:00Z',
          expiresAt: '2026-11-22T00:00:00Z',
        },
      ],
    };

    // then only the current and the still-in-grace secrets verify
    expect(SourceRegistry.liveSecrets(source, now)).toEqual(['new-secret', 'grace-secret']);
  });

  it('stops using a secret from its expiry on, however often it was asked before', () => {
    // given a source whose old secret expires at noon, asked about in the morning
    const source: SourceRecord = {
      ...base,
      secrets: [
        { id: 'new', value: 'new-secret', createdAt: '2026-11-21T09:00:00Z', expiresAt: null },
        {
          id: 'old',
          value: 'old-secret',
          createdAt: '2026-10-01T00:00:00Z',
          expiresAt: '2026-11-21T12:00:00Z',
        },
      ],
    };
    const at = (time: string) => SourceRegistry.liveSecrets(source, new Date(time));
    expect(at('2026-11-21T10:00:00Z')).toEqual(['new-secret', 'old-secret']);
    expect(at('2026-11-21T11:59:59.999Z')).toEqual(['new-secret', 'old-secret']);

    // then from noon on only the new one is live, and before noon both still are
    expect(at('2026-11-21T12:00:00Z')).toEqual(['new-secret']);
    expect(at('2026-11-21T13:00:00Z')).toEqual(['new-secret']);
    expect(at('2026-11-21T11:00:00Z')).toEqual(['new-secret', 'old-secret']);
  });
});
