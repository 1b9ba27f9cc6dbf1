import { deliveryIdOf, uuidV5 } from './delivery-id';

describe('delivery ids', () => {
  it('are RFC 9562 version 5 UUIDs', () => {
    // the RFC's example: the DNS namespace and www.example.com
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('are the same for the same subscription and event, and differ otherwise', () => {
    const id = deliveryIdOf('sub_1', 'evt_1');
    expect(deliveryIdOf('sub_1', 'evt_1')).toBe(id);
    expect(deliveryIdOf('sub_2', 'evt_1')).not.toBe(id);
    expect(deliveryIdOf('sub_1', 'evt_2')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
