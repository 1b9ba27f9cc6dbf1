import { eventually } from '@switchboard/testing';
import type { AdminCall, Business } from './meta-business';

/** An inbound dead letter as the admin API lists and shows it (the fields the suites read). */
export interface InboundDeadLetter {
  id: string;
  reason: { code: string };
  pointer: string | null;
  rawWebhookId: string;
  replayState: string;
  lastReplay: {
    requestId: string;
    outcome: string;
    eventsProduced: number;
    eventsPublished: number;
    deadLetters: number;
  } | null;
  bodyEncoding?: string;
  body?: string;
}

/** Waits until the business has exactly one inbound dead letter, and answers it. */
export async function theOneInboundDeadLetter(
  admin: AdminCall,
  business: Pick<Business, 'base' | 'key'>,
): Promise<InboundDeadLetter> {
  const [deadLetter] = await eventually(
    async () => {
      const list = await admin<{ items: InboundDeadLetter[] }>(
        'GET',
        `${business.base}/inbound-dead-letters`,
        business.key,
      );
      return list.body.items?.length === 1 ? list.body.items : undefined;
    },
    { timeoutMs: 30_000, what: 'the inbound dead letter' },
  );
  return deadLetter!;
}

/** Waits until the dead letter shows the outcome of the replay request `requestId`, and answers it. */
export async function replayOutcome(
  admin: AdminCall,
  business: Pick<Business, 'base' | 'key'>,
  deadLetterId: string,
  requestId: string,
): Promise<InboundDeadLetter> {
  return eventually(
    async () => {
      const one = await admin<InboundDeadLetter>(
        'GET',
        `${business.base}/inbound-dead-letters/${deadLetterId}`,
        business.key,
      );
      return one.body.lastReplay?.requestId === requestId ? one.body : undefined;
    },
    { timeoutMs: 30_000, what: `the outcome of replay ${requestId}` },
  );
}
