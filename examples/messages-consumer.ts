/**
 * An example Kafka consumer of Switchboard's public topic `switchboard.messages.v1`: it decodes
 * each record with the schema from `@switchboard/contracts`, skips events it has already handled
 * (at-least-once delivery means a record can come twice), and prints one JSON line per inbound
 * WhatsApp message. See docs/consumers.md.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx examples/messages-consumer.ts
 *
 * Settings: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (empty unless Switchboard runs with one), GROUP_ID
 * (this consumer's group: every application reading the topic has its own), FROM_BEGINNING.
 */
import { decode, PublicTopics } from '@switchboard/contracts';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}${PublicTopics.messages.name}`;
const groupId = process.env.GROUP_ID ?? 'example-messages-consumer';

const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId });

/** Event ids handled already. A real consumer keeps them durably, e.g. a unique key in its own table. */
const handled = new Set<string>();

const out = (line: unknown): boolean => process.stdout.write(`${JSON.stringify(line)}\n`);
const note = (line: unknown): boolean => process.stderr.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: process.env.FROM_BEGINNING !== 'false' });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const result = decode(PublicTopics.messages, message.value);
      if (!result.ok) {
        // A record this version of the contracts does not know: note it and go on.
        note({
          skipped: result.reason,
          partition,
          offset: message.offset,
          why: result.message,
        });
        return;
      }
      const event = result.value;
      if (handled.has(event.id)) return;
      handled.add(event.id);
      if (event.type !== 'whatsapp.message.received') return;
      const data = event.data as { messageId: string; from: string; messageType: string };
      out({
        id: event.id,
        business: event.businessid,
        conversation: event.subject,
        messageId: data.messageId,
        from: data.from,
        messageType: data.messageType,
        time: event.time,
      });
    },
  });
  note({ ready: true, topic, groupId });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  note({ failed: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
