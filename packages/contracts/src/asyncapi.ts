import { z } from 'zod';

import { EventCatalog } from './events/catalog';
import { type NamedSchemaName, namedSchemaNames, namedSchemas } from './json-schemas';
import { type AnyTopicDefinition, TopicCatalog } from './topics';

/** The AsyncAPI version of the document {@link asyncApiDocument} builds. */
export const ASYNCAPI_VERSION = '3.0.0';

/** Payload schemas are JSON Schema draft-07, the JSON Schema dialect AsyncAPI 3 tooling reads. */
const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';
const KAFKA_BINDING_VERSION = '0.5.0';

type Json = Record<string, unknown>;

/** Headers every record of a topic carries, by name, with what they hold. */
function headersOf(topic: AnyTopicDefinition): Json {
  const headers = topic.headers ?? {};
  const properties: Record<string, Json> = {};
  for (const [name, description] of Object.entries(headers)) {
    properties[name] = { type: 'string', description };
  }
  return { type: 'object', properties, required: Object.keys(headers) };
}

function schemaNameOf(schema: z.ZodType): NamedSchemaName {
  const name = namedSchemaNames.find((candidate) => namedSchemas[candidate] === schema);
  if (!name) throw new Error('Every topic schema must be a named schema');
  return name;
}

/** Message names of a topic: one per canonical event type on a public topic, else its schema's. */
function messageNamesOf(topic: AnyTopicDefinition): NamedSchemaName[] {
  const schemaName = schemaNameOf(topic.schema);
  if (schemaName !== 'CloudEvent') return [schemaName];
  const onTopic = EventCatalog.filter(
    (entry) => entry.anyTopic || `switchboard.${entry.topic}.v1` === topic.name,
  );
  return [...new Set(onTopic.map((entry) => entry.schemaName))];
}

function channelId(topic: AnyTopicDefinition): string {
  return topic.name
    .replace(/^switchboard\./, '')
    .replace(/\.v\d+$/, '')
    .replace(/\./g, '_');
}

function channelOf(topic: AnyTopicDefinition): Json {
  const messages: Json = {};
  for (const name of messageNamesOf(topic)) {
    messages[name] = { $ref: `#/components/messages/${name}` };
  }
  return {
    address: topic.name,
    title: topic.name,
    description: `${topic.description}. Record key: ${topic.key}.`,
    messages,
    bindings: {
      kafka: {
        topic: topic.name,
        partitions: topic.partitions,
        topicConfiguration: {
          'cleanup.policy': [topic.cleanupPolicy],
          'retention.ms': topic.retentionMs ?? -1,
          'max.message.bytes': topic.maxMessageBytes,
        },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

/**
 * The AsyncAPI 3 document of every topic in the catalog: address, partitions, retention and
 * size limit (Kafka channel bindings), the record key, the headers, and one message per payload
 * schema (every canonical event type on a public topic). Generated, never written by hand:
 * `npm run generate -w packages/contracts` writes it to `asyncapi.json`.
 */
export function asyncApiDocument(version: string): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const schemas: Json = {};

  for (const topic of TopicCatalog) {
    const id = channelId(topic);
    channels[id] = channelOf(topic);
    const names = messageNamesOf(topic);
    operations[`send_${id}`] = {
      action: 'send',
      title: `Switchboard writes ${topic.name}`,
      channel: { $ref: `#/channels/${id}` },
      messages: names.map((name) => ({ $ref: `#/channels/${id}/messages/${name}` })),
    };
    for (const name of names) {
      schemas[name] ??= {
        schemaFormat: SCHEMA_FORMAT,
        schema: z.toJSONSchema(namedSchemas[name], {
          target: 'draft-7',
          io: 'input',
          unrepresentable: 'throw',
        }),
      };
      messages[name] ??= {
        name,
        title: name,
        contentType: contentTypeOf(topic),
        headers: headersOf(topic),
        payload: { $ref: `#/components/schemas/${name}` },
        bindings: {
          kafka: {
            key: { type: 'string', description: topic.key },
            bindingVersion: KAFKA_BINDING_VERSION,
          },
        },
      };
    }
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Switchboard topics',
      version,
      description:
        'Every Kafka topic Switchboard writes: the raw inbound webhooks and their failures, ' +
        'the compacted configuration topic, delivery attempts, commands and health events, and ' +
        'the public topics of canonical events (CloudEvents 1.0, structured mode). A topic name ' +
        'ends in its major version (`.v1`); within a version, changes are additive only.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The broker `./sb start` runs; topic names may carry a KAFKA_TOPIC_PREFIX',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

function contentTypeOf(topic: AnyTopicDefinition): string {
  return schemaNameOf(topic.schema) === 'CloudEvent'
    ? 'application/cloudevents+json'
    : 'application/json';
}
