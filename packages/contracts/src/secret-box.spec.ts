import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { examples } from './examples';
import { SubscriptionRecord } from './config-records';
import {
  type DataKey,
  DataKeysEnv,
  openSourceRecord,
  openSubscriptionRecord,
  SealedValue,
  SecretBox,
  SecretBoxError,
  secretContext,
  verifyTokenContext,
} from './secret-box';

function dataKey(id: string): DataKey {
  return { id, key: randomBytes(32) };
}

function failureOf(fn: () => unknown): SecretBoxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecretBoxError) return err;
    throw err;
  }
  throw new Error('expected a SecretBoxError, but nothing was thrown');
}

describe(SecretBox.name, () => {
  const k1 = dataKey('k1');
  const k2 = dataKey('k2');

  it('opens what it sealed, and the sealed form carries the key id but not the value', () => {
    // given a box with one key
    const box = new SecretBox([k1]);

    // when a secret is sealed
    const sealed = box.seal('whsec_c2VjcmV0LXZhbHVl', 'sub_1/whs_1');

    // then it reads enc.v1.k1.…, hides the value and opens to it again
    expect(sealed).toMatch(/^enc\.v1\.k1\./);
    expect(SealedValue.safeParse(sealed).success).toBe(true);
    expect(sealed).not.toContain('c2VjcmV0LXZhbHVl');
    expect(SecretBox.keyIdOf(sealed)).toBe('k1');
    expect(box.open(sealed, 'sub_1/whs_1')).toBe('whsec_c2VjcmV0LXZhbHVl');
  });

  it('seals the same value differently each time (a fresh IV per value)', () => {
    const box = new SecretBox([k1]);
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
  });

  it('refuses a value that was altered', () => {
    // given a sealed value with one character of its ciphertext changed
    const box = new SecretBox([k1]);
    const sealed = box.seal('a secret', 'src_1/sec_1');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.slice(-1)}`;

    // then it does not open
    expect(failureOf(() => box.open(tampered, 'src_1/sec_1')).code).toBe('not_authentic');
  });

  it('refuses a value moved to another owner', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal('a secret', secretContext('src_1', 'sec_1'));
    expect(failureOf(() => box.open(sealed, secretContext('src_2', 'sec_1'))).code).toBe(
      'not_authentic',
    );
  });

  it('names the key it lacks when a value was sealed under an unknown key id', () => {
    // given a value sealed under k2 and a box that holds only k1
    const sealed = new SecretBox([k2]).seal('a secret', 'ctx');

    // when it is opened, then the error names both
    const error = failureOf(() => new SecretBox([k1]).open(sealed, 'ctx'));
    expect(error.code).toBe('unknown_key');
    expect(error.message).toContain('data key k2');
    expect(error.message).toContain('(k1)');
  });

  it('refuses values that are not sealed at all', () => {
    const box = new SecretBox([k1]);
    expect(failureOf(() => box.open('plain secret', 'ctx')).code).toBe('malformed');
    expect(failureOf(() => box.open('enc.v1.k1.short', 'ctx')).code).toBe('malformed');
    expect(box.openIfSealed('plain secret', 'ctx')).toBe('plain secret');
  });

  it('rotates: the new key seals, the old one still opens, resealing moves values over', () => {
    // given a value sealed under k1
    const before = new SecretBox([k1]).seal('a secret', 'ctx');

    // when k2 becomes the current key with k1 kept as an older one
    const rotated = new SecretBox([k2, k1]);

    // then the old value still opens but needs resealing; resealed, it carries k2
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.open(before, 'ctx')).toBe('a secret');
    expect(rotated.needsResealing(before)).toBe(true);
    const after = rotated.reseal(before, 'ctx');
    expect(SecretBox.keyIdOf(after)).toBe('k2');
    expect(rotated.needsResealing(after)).toBe(false);
    expect(new SecretBox([k2]).open(after, 'ctx')).toBe('a secret');
    // and a plaintext value needs sealing too
    expect(rotated.needsResealing('plain')).toBe(true);
  });

  it('never shows key material when logged', () => {
    const box = new SecretBox([k1, k2]);
    const shown = `${JSON.stringify({ box })} ${inspect(box)}`;
    expect(shown).toContain('k1, k2');
    expect(shown).not.toContain(k1.key.toString('base64'));
    expect(shown).not.toContain(k2.key.toString('base64'));
  });
});

describe('sealed config records', () => {
  const box = new SecretBox([dataKey('k1')]);

  it('open back to the source record they were sealed from', () => {
    // given a source record whose secret and verify token are sealed
    const source = { ...examples.SourceRecord, verifyToken: 'verify-me' };
    const sealed = {
      ...source,
      secrets: source.secrets.map((s) => ({
        ...s,
        value: box.seal(s.value, secretContext(source.id, s.id)),
      })),
      verifyToken: box.seal('verify-me', verifyTokenContext(source.id)),
    };

    // then opening it gives the record in clear
    expect(JSON.stringify(sealed)).not.toContain(source.secrets[0]!.value);
    expect(openSourceRecord(box, sealed)).toEqual(source);
  });

  it('lets a subscription record carry sealed signing secrets on the topic', () => {
    // given a subscription record with a sealed whsec_ secret
    const record = examples.SubscriptionRecord;
    const sealed = {
      ...record,
      secrets: record.secrets.map((s) => ({
        ...s,
        value: box.seal(s.value, secretContext(record.id, s.id)),
      })),
    };

    // then the contract accepts it and it opens to the record
    expect(SubscriptionRecord.safeParse(sealed).success).toBe(true);
    expect(openSubscriptionRecord(box, sealed)).toEqual(record);
  });
});

describe('DATA_KEYS', () => {
  const b64 = (bytes = 32) => randomBytes(bytes).toString('base64');

  it('reads keys in order, the first sealing', () => {
    const box = DataKeysEnv.parse(` k2:${b64()} , k1:${b64()}`);
    expect(box.currentKeyId).toBe('k2');
    expect(box.keyIds).toEqual(['k2', 'k1']);
  });

  it('lists every bad entry without echoing key material', () => {
    // given a missing id, a short key, a repeated id
    const short = b64(16);
    const result = DataKeysEnv.safeParse(`nokey,k1:${short},k2:${b64()},k2:${b64()}`);

    // then each is reported by position
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toEqual([
      expect.stringMatching(/^key 1: must read <key id>:<key>/),
      expect.stringMatching(/^key 2 \(k1\): the key must be 32 bytes/),
      'key 4 (k2): the id is given twice',
    ]);
    expect(messages.join(' ')).not.toContain(short);
  });

  it('is required', () => {
    expect(DataKeysEnv.safeParse(undefined).success).toBe(false);
    expect(DataKeysEnv.safeParse(' , ').success).toBe(false);
  });
});
