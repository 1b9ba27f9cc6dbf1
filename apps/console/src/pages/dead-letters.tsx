import type { PageProps } from '../main';
import { Section } from '../ui';
import { DeliveryLog } from './deliveries';

/**
 * Outbound dead letters are the deliveries whose retries ran out (outcome dead_lettered): retried
 * one by one, or recovered by time range. Inbound dead letters (webhooks the normalizer could not
 * parse) have no admin API yet, so they are not shown.
 */
export function DeadLettersPage(props: PageProps) {
  return (
    <>
      <Section title="Inbound">
        <p role="note">
          Inbound dead letters (provider webhooks the normalizer could not parse, on{' '}
          <code>switchboard.inbound.dlq.v1</code>) have no admin API yet, so this console cannot
          show or replay them. Read them from the topic.
        </p>
      </Section>
      <h2>Outbound: dead-lettered deliveries</h2>
      <DeliveryLog {...props} fixedOutcome="dead_lettered" />
    </>
  );
}
