import { examples, SecretBox, secretContext, verifyTokenContext } from '@switchboard/contracts';
import { unsealedFields } from './config-writer';

describe(unsealedFields.name, () => {
  const box = new SecretBox([{ id: 'k1', key: Buffer.alloc(32, 7) }]);

  it('names every secret of a record that is not sealed', () => {
    // given a source record with its secret and verify token in clear
    const source = { ...examples.SourceRecord, verifyToken: 'verify-token' };

    // then both are named
    expect(unsealedFields(source)).toEqual([`secrets[${source.secrets[0]!.id}]`, 'verifyToken']);
    expect(unsealedFields(examples.SubscriptionRecord)).toEqual(
      examples.SubscriptionRecord.secrets.map((s) => `secrets[${s.id}]`),
    );
  });

  it('passes a record whose secrets are all sealed', () => {
    const source = examples.SourceRecord;
    const sealed = {
      ...source,
      secrets: source.secrets.map((s) => ({
        ...s,
        value: box.seal(s.value, secretContext(source.id, s.id)),
      })),
      verifyToken: box.seal('verify-token', verifyTokenContext(source.id)),
    };
    expect(unsealedFields(sealed)).toEqual([]);
  });
});
