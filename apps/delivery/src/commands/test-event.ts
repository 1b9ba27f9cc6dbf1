import {
  CloudEvent,
  type SubscriptionRecord,
  type TestDeliveryCommand,
} from '@switchboard/contracts';

export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * The `webhook.test` event a test command sends. Its id is the command's `requestId`, so the
 * admin API finds the attempt by `eventId`, and a repeated request sends nothing twice.
 */
export function testEventOf(
  command: TestDeliveryCommand,
  subscription: SubscriptionRecord,
  now: Date,
): CloudEvent {
  return CloudEvent.parse({
    specversion: '1.0',
    id: command.requestId,
    source: 'switchboard/delivery',
    type: TEST_EVENT_TYPE,
    time: now.toISOString(),
    subject: subscription.id,
    datacontenttype: 'application/json',
    businessid: subscription.businessId,
    topic: subscription.topic,
    environment: subscription.configuration.environments?.[0] ?? 'production',
    provider: 'switchboard',
    data: {
      subscriptionId: subscription.id,
      requestId: command.requestId,
      message: 'A test event from Switchboard: this endpoint receives its webhooks.',
    },
  });
}
