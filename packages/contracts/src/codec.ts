import type { z } from 'zod';

import { CloudEvent } from './cloud-event';
import { parsePlainCloudEvent } from './cloud-event-decode';
import type { ContractIssue } from './common';
import { ConfigRecord, type ConfigKey, configKey, parseConfigKey } from './config-records';
import { type CleanupPolicy, ConfigTopic, type TopicDefinition } from './topics';

/** Zod issues in the serialisable form records and errors carry. */
export function toContractIssues(issues: readonly z.core.$ZodIssue[]): ContractIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))),
    message: issue.message,
    code: issue.code,
  }));
}

/** A producer tried to publish a value its topic's schema refuses. Not retryable. */
export class ContractViolation extends Error {
  readonly code = 'contract_violation';
  readonly retryable = false;

  constructor(
    readonly topic: string,
    readonly issues: readonly ContractIssue[],
  ) {
    super(
      `Value for ${topic} violates its contract: ` +
        issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
    this.name = 'ContractViolation';
  }
}

/**
 * Validates a value against its topic's schema and serialises the parsed result as UTF-8 JSON:
 * defaults are filled in and fields the schema does not declare are dropped (CloudEvent keeps
 * them, so extension attributes travel on).
 * @throws ContractViolation when the value does not fit the schema.
 */
export function encode<S extends z.ZodType>(
  topic: TopicDefinition<S, CleanupPolicy>,
  value: z.input<S>,
): Buffer {
  const parsed = topic.schema.safeParse(value);
  if (!parsed.success)
    throw new ContractViolation(topic.name, toContractIssues(parsed.error.issues));
  return Buffer.from(JSON.stringify(parsed.data), 'utf8');
}

/** A record ready for a producer: the key the topic derives and the encoded value. */
export interface EncodedMessage {
  readonly key: string;
  readonly value: Buffer;
}

/**
 * Encodes a value and derives its record key from the topic definition (or takes `key`).
 * @throws ContractViolation when the value does not fit the schema.
 */
export function encodeMessage<S extends z.ZodType>(
  topic: TopicDefinition<S, CleanupPolicy>,
  value: z.input<S>,
  key?: string,
): EncodedMessage {
  const parsed = topic.schema.safeParse(value);
  if (!parsed.success)
    throw new ContractViolation(topic.name, toContractIssues(parsed.error.issues));
  const recordKey = key ?? topic.keyOf?.(parsed.data);
  if (recordKey === undefined) {
    throw new ContractViolation(topic.name, [
      { path: [], message: 'The topic derives no key from its values; pass one', code: 'custom' },
    ]);
  }
  return { key: recordKey, value: Buffer.from(JSON.stringify(parsed.data), 'utf8') };
}

export type DecodeFailureReason = 'malformed_json' | 'schema_violation';

export interface DecodeFailure {
  readonly ok: false;
  readonly reason: DecodeFailureReason;
  readonly message: string;
  /** Schema issues with their paths; empty for malformed JSON. */
  readonly issues: readonly ContractIssue[];
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | DecodeFailure;

/** What decoding yields: compacted topics also yield null for a tombstone. */
export type DecodedValue<S extends z.ZodType, P extends CleanupPolicy> = P extends 'compact'
  ? z.output<S> | null
  : z.output<S>;

/** Record values as Kafka clients hand them over. */
export type RecordValue = Uint8Array | string | null | undefined;

function isEmpty(bytes: RecordValue): bytes is null | undefined {
  return bytes === null || bytes === undefined || bytes.length === 0;
}

function parseJson(bytes: Uint8Array | string): DecodeResult<unknown> {
  const text =
    typeof bytes === 'string'
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      reason: 'malformed_json',
      message: err instanceof Error ? err.message : 'Value is not JSON',
      issues: [],
    };
  }
}

/**
 * Parses and validates a record value. Never throws: a failure says why, so the consumer can
 * dead-letter the record with the issues attached. On a compacted topic an empty or null value
 * is a tombstone and decodes to `null`; elsewhere it is malformed.
 */
export function decode<S extends z.ZodType, P extends CleanupPolicy>(
  topic: TopicDefinition<S, P>,
  bytes: RecordValue,
): DecodeResult<DecodedValue<S, P>> {
  try {
    if (isEmpty(bytes)) {
      if (topic.cleanupPolicy === 'compact') return { ok: true, value: null as DecodedValue<S, P> };
      return { ok: false, reason: 'malformed_json', message: 'Value is empty', issues: [] };
    }
    const json = parseJson(bytes);
    if (!json.ok) return json;
    if ((topic.schema as z.ZodType) === CloudEvent) {
      const event = parsePlainCloudEvent(json.value);
      if (event !== undefined) return { ok: true, value: event as DecodedValue<S, P> };
    }
    const parsed = topic.schema.safeParse(json.value);
    if (!parsed.success) {
      const issues = toContractIssues(parsed.error.issues);
      return {
        ok: false,
        reason: 'schema_violation',
        message: `Value violates ${topic.name}: ${issues.length} issue(s)`,
        issues,
      };
    }
    return { ok: true, value: parsed.data as DecodedValue<S, P> };
  } catch (err) {
    // Validation only throws on schema defects; report them as violations, never crash a consumer.
    return {
      ok: false,
      reason: 'schema_violation',
      message: err instanceof Error ? err.message : String(err),
      issues: [],
    };
  }
}

export type ConfigDecodeResult =
  | {
      readonly ok: true;
      readonly key: ConfigKey;
      /** Null when the record is a tombstone: the key was deleted. */
      readonly record: ConfigRecord | null;
    }
  | {
      readonly ok: false;
      readonly reason: DecodeFailureReason | 'invalid_key' | 'key_mismatch';
      readonly message: string;
      readonly issues: readonly ContractIssue[];
    };

/**
 * Decodes a config topic record from its key and value; a null or empty value is a deletion of
 * what the key names. The key must be the one {@link configKey} gives for the record.
 */
export function decodeConfig(key: RecordValue, value: RecordValue): ConfigDecodeResult {
  const keyText = isEmpty(key)
    ? ''
    : typeof key === 'string'
      ? key
      : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8');
  const parsedKey = parseConfigKey(keyText);
  if (parsedKey === null) {
    return {
      ok: false,
      reason: 'invalid_key',
      message: `"${keyText}" is not a config key`,
      issues: [],
    };
  }
  const decoded = decode(ConfigTopic, value);
  if (!decoded.ok) return decoded;
  if (decoded.value !== null && configKey(decoded.value) !== keyText) {
    return {
      ok: false,
      reason: 'key_mismatch',
      message: `Key "${keyText}" does not name its record (${configKey(decoded.value)})`,
      issues: [],
    };
  }
  return { ok: true, key: parsedKey, record: decoded.value };
}
