import { retryTransient } from './retry-transient';

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe('retryTransient', () => {
  it('keeps retrying a retriable error past twenty attempts while its time budget lasts', async () => {
    // given a call that answers "not the leader" thirty times before it succeeds
    let calls = 0;
    const call = async () => {
      calls++;
      if (calls <= 30) throw retriable('This server is not the leader for that topic-partition');
      return 'offsets';
    };

    // when it is retried with a budget that covers those failures
    const result = await retryTransient(call, { timeoutMs: 5_000, delayMs: 1, maxDelayMs: 2 });

    // then the call's answer comes back
    expect(result).toBe('offsets');
    expect(calls).toBe(31);
  });

  it('gives up with the last error once the budget is spent', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw retriable(`still no leader (${calls})`);
    };

    await expect(
      retryTransient(call, { timeoutMs: 50, delayMs: 5, maxDelayMs: 10 }),
    ).rejects.toThrow(/still no leader/);
    expect(calls).toBeGreaterThan(1);
  });

  it('retries when kafkajs gave up on a retriable error of its own (the cause is retriable)', async () => {
    // given a call whose first answer is kafkajs's "number of retries exceeded" over a lost leader
    let calls = 0;
    const call = async () => {
      calls++;
      if (calls > 1) return 'offsets';
      throw Object.assign(new Error('Number of retries exceeded'), {
        retriable: false,
        cause: retriable('This server is not the leader for that topic-partition'),
      });
    };

    // then it is retried like the error it wraps
    await expect(retryTransient(call, { timeoutMs: 5_000, delayMs: 1 })).resolves.toBe('offsets');
    expect(calls).toBe(2);
  });

  it('does not retry an error that is not retriable', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw new Error('Invalid topic');
    };

    await expect(retryTransient(call, { timeoutMs: 5_000, delayMs: 1 })).rejects.toThrow(
      'Invalid topic',
    );
    expect(calls).toBe(1);
  });
});
