import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { eventually } from '@switchboard/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { ConsumerSupervisor, consumerLiveness } from './consumer.supervisor';

/** Stands in for a kafkajs consumer: connects or refuses as told, and crashes on demand. */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash' };
  disconnected = false;

  constructor(private readonly refuse: boolean) {
    super();
  }

  async connect(): Promise<void> {
    if (this.refuse) throw new Error('Connection refused');
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  crash(): void {
    this.emit(this.events.CRASH, { payload: { error: new Error('fetch loop failed') } });
  }
}

const policy = {
  initialBackoffMs: 1,
  maxBackoffMs: 60_000,
  maxRestarts: 2,
  startTimeoutMs: 60_000,
};

function supervised(refuseStarts: () => boolean) {
  const kafka = {} as Kafka;
  const consumers: FakeConsumer[] = [];
  const supervisor = new ConsumerSupervisor(
    kafka,
    'consumer:test',
    {
      create: () => {
        const consumer = new FakeConsumer(consumers.length > 0 && refuseStarts());
        consumers.push(consumer);
        return consumer as unknown as Consumer;
      },
      run: async () => undefined,
    },
    policy,
  );
  return { kafka, consumers, supervisor };
}

describe(ConsumerSupervisor.name, () => {
  beforeEach(() => {
    // Every crash and restart is logged; keep the test output quiet.
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('gives up after more crashes in a row than its policy allows, and is then dead', async () => {
    // given a running consumer
    const { kafka, consumers, supervisor } = supervised(() => false);
    await supervisor.start();

    // when every consumer it starts crashes
    for (let crash = 1; crash <= 3; crash++) {
      await eventually(() => (consumers.length === crash ? true : undefined));
      await eventually(() => (supervisor.status.state === 'running' ? true : undefined));
      consumers[crash - 1]!.crash();
    }

    // then it restarted twice, stays down, and liveness names it
    expect(supervisor.status).toMatchObject({ state: 'dead', restarts: 2 });
    expect(consumerLiveness(kafka).deadReason()).toContain('consumer:test: crashed 3 times');
    await supervisor.stop();
    expect(consumerLiveness(kafka).deadReason()).toBeUndefined();
  });

  it('keeps trying while starts fail (the broker unreachable), without counting as dead', async () => {
    // given a running consumer that crashes while the broker refuses new connections
    let refusing = true;
    const { kafka, consumers, supervisor } = supervised(() => refusing);
    await supervisor.start();
    consumers[0]!.crash();

    // when many more starts than the policy's crashes fail
    await eventually(() => (consumers.length > 6 ? true : undefined));

    // then it is restarting, alive, and each refused consumer was disconnected
    expect(supervisor.status.state).toBe('restarting');
    expect(consumerLiveness(kafka).deadReason()).toBeUndefined();
    expect(consumers.slice(1, 6).every((c) => c.disconnected)).toBe(true);

    // and once the broker answers, it runs again
    refusing = false;
    await eventually(() => (supervisor.status.state === 'running' ? true : undefined), {
      timeoutMs: 9_000,
    });
    await supervisor.stop();
  });
});
