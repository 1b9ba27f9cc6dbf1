import { subscriptionRecord } from '../../test/builders';
import { SubscriptionRegistry } from './subscription-registry';

describe(SubscriptionRegistry.name, () => {
  const base = subscriptionRecord({ version: 1 });

  it('keeps the newest version whatever order records arrive in', () => {
    // given version 3 of a subscription
    const registry = new SubscriptionRegistry();
    registry.upsert({ ...base, version: 3, address: 'https://new.example/hook' });

    // when version 2 arrives afterwards
    registry.upsert({ ...base, version: 2, address: 'https://old.example/hook' });

    // then version 3 stands, found by business and topic and by id
    expect(registry.find(base.businessId, base.topic)?.record.version).toBe(3);
    expect(registry.get(base.id)?.record.address).toBe('https://new.example/hook');
  });

  it('forgets a deleted subscription', () => {
    const registry = new SubscriptionRegistry();
    registry.upsert(base);
    registry.remove(base.businessId, base.topic);
    expect(registry.find(base.businessId, base.topic)).toBeUndefined();
    expect(registry.get(base.id)).toBeUndefined();
  });

  it('drops the old id when a business and topic get a new subscription', () => {
    const registry = new SubscriptionRegistry();
    registry.upsert(base);
    registry.upsert({ ...base, id: 'sub_replacement', version: base.version + 1 });
    expect(registry.get(base.id)).toBeUndefined();
    expect(registry.get('sub_replacement')).toBeDefined();
  });

  it('holds a local disable until a newer version of the record arrives', () => {
    // given an active subscription delivery disabled at version 4
    const registry = new SubscriptionRegistry();
    registry.upsert({ ...base, version: 4, state: 'active' });
    registry.disableLocally(base.id, 4);
    expect(registry.isEnabled(registry.get(base.id)!)).toBe(false);

    // when the business re-enables it (version 5)
    registry.upsert({ ...base, version: 5, state: 'active' });

    // then it is delivered to again; a record saying disabled is never delivered to
    expect(registry.isEnabled(registry.get(base.id)!)).toBe(true);
    registry.upsert({ ...base, version: 6, state: 'disabled' });
    expect(registry.isEnabled(registry.get(base.id)!)).toBe(false);
  });
});
