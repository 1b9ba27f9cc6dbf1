import { examples } from './examples';
import { REDACTED } from './headers';
import {
  DeadLetter,
  RejectedRequest,
  UNKNOWN_SOURCE,
  createRejectedRequest,
} from './inbound-failures';
import { sha256Hex } from './raw-inbound';

describe('RejectedRequest', () => {
  it('accepts the example rejection', () => {
    expect(RejectedRequest.safeParse(examples.RejectedRequest).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown reason', { reason: 'teapot' }, 'reason'],
    ['a negative body length', { bodyBytes: -1 }, 'bodyBytes'],
    ['a missing message', { message: undefined }, 'message'],
    ['an empty route', { route: '' }, 'route'],
  ])('refuses %s', (_label, change, path) => {
    // when
    const result = RejectedRequest.safeParse({ ...examples.RejectedRequest, ...change });

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(path);
  });

  it('refuses a signature header whose value was kept', () => {
    // given
    const rejected = {
      ...examples.RejectedRequest,
      headers: { 'x-hub-signature-256': 'sha256=00ff' },
    };

    // when
    const result = RejectedRequest.safeParse(rejected);

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['headers', 'x-hub-signature-256']);
  });
});

describe(createRejectedRequest.name, () => {
  it('records the body length and digest, not the body, and redacts secrets', () => {
    // given
    const body = Buffer.from('{"entry":[]}');

    // when
    const rejected = createRejectedRequest({
      route: 'meta',
      method: 'POST',
      reason: 'source_not_found',
      message: 'No source "src_x"',
      headers: { 'X-Hub-Signature-256': 'sha256=00ff', 'Content-Type': 'application/json' },
      body,
    });

    // then
    expect(RejectedRequest.safeParse(rejected).success).toBe(true);
    expect(rejected.sourceId).toBe(UNKNOWN_SOURCE);
    expect(rejected.businessId).toBeNull();
    expect(rejected.bodyBytes).toBe(body.length);
    expect(rejected.bodySha256).toBe(sha256Hex(body));
    expect(rejected.headers).toEqual({
      'x-hub-signature-256': REDACTED,
      'content-type': 'application/json',
    });
    expect(JSON.stringify(rejected)).not.toContain('entry');
  });
});

describe('DeadLetter', () => {
  it.each([
    ['the decoded raw envelope', examples.DeadLetter],
    ['the undecodable bytes', examples.DeadLetterFromBytes],
  ])('accepts a dead letter carrying %s', (_label, deadLetter) => {
    expect(DeadLetter.safeParse(deadLetter).success).toBe(true);
  });

  it('refuses issues without a path', () => {
    // given
    const deadLetter = { ...examples.DeadLetter, issues: [{ message: 'x', code: 'custom' }] };

    // when
    const result = DeadLetter.safeParse(deadLetter);

    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['issues', 0, 'path']);
  });

  it('refuses an original of unknown kind', () => {
    // given
    const deadLetter = { ...examples.DeadLetter, original: { kind: 'text', text: '{' } };

    // then
    expect(DeadLetter.safeParse(deadLetter).success).toBe(false);
  });

  it('refuses an unknown reason code', () => {
    // given
    const deadLetter = { ...examples.DeadLetter, reason: { code: 'oops', message: 'x' } };

    // then
    expect(DeadLetter.safeParse(deadLetter).success).toBe(false);
  });
});
