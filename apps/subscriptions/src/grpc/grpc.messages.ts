import type { SubscriptionConfiguration } from '@switchboard/contracts';
import type { SecretSummary } from '../secrets/secrets';
import type { Source } from '../sources/sources.schemas';
import type { Webhook } from '../webhooks/webhooks.schemas';

/**
 * Messages of `switchboard/admin/v1/admin.proto` as proto-loader hands them over (camelCase,
 * absent fields undefined, repeated fields arrays), and conversions between them and the REST
 * shapes, so both transports share one validation (the zod schemas) and one set of use cases.
 */
export interface ProtoExternalIds {
  wabaIds?: string[];
  phoneNumberIds?: string[];
}

export interface ProtoConfiguration {
  echo?: boolean;
  channelTypes?: string[];
  filters?: { field?: string; expression?: string }[];
  eventTypes?: string[];
  environments?: string[];
  retry?: { schedule?: number[]; timeoutMs?: number };
  cloudEventsMode?: string;
  ordering?: string;
  statusMonotonic?: boolean;
}

/** Drops undefined values, so strict schemas see only what the caller set. */
export function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function externalIdsFromProto(ids: ProtoExternalIds | undefined) {
  return ids === undefined
    ? undefined
    : { wabaIds: ids.wabaIds ?? [], phoneNumberIds: ids.phoneNumberIds ?? [] };
}

/** Empty repeated fields mean "absent" (every type, every environment, default schedule). */
export function configurationFromProto(configuration: ProtoConfiguration | undefined) {
  if (configuration === undefined) return undefined;
  const nonEmpty = <T>(list: T[] | undefined) => (list && list.length > 0 ? list : undefined);
  return defined({
    echo: configuration.echo ?? false,
    channelTypes: configuration.channelTypes ?? [],
    filters: (configuration.filters ?? []).map((f) => ({
      field: f.field ?? '',
      expression: f.expression ?? '',
    })),
    eventTypes: nonEmpty(configuration.eventTypes),
    environments: nonEmpty(configuration.environments),
    retry:
      configuration.retry === undefined
        ? undefined
        : defined({
            schedule: nonEmpty(configuration.retry.schedule),
            timeoutMs: configuration.retry.timeoutMs,
          }),
    // Absent means the REST default (structured); anything else is validated there.
    cloudEventsMode: configuration.cloudEventsMode,
    // Absent means none and false, as over REST.
    ordering: configuration.ordering,
    statusMonotonic: configuration.statusMonotonic,
  });
}

export function configurationToProto(configuration: SubscriptionConfiguration): ProtoConfiguration {
  return {
    echo: configuration.echo,
    channelTypes: configuration.channelTypes,
    filters: configuration.filters,
    eventTypes: configuration.eventTypes ?? [],
    environments: configuration.environments ?? [],
    retry:
      configuration.retry === undefined
        ? undefined
        : {
            schedule: configuration.retry.schedule ?? [],
            timeoutMs: configuration.retry.timeoutMs,
          },
    cloudEventsMode: configuration.cloudEventsMode ?? 'structured',
    ordering: configuration.ordering ?? 'none',
    statusMonotonic: configuration.statusMonotonic ?? false,
  };
}

export function secretsToProto(secrets: SecretSummary[]) {
  return secrets.map((s) => ({
    id: s.id,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt ?? undefined,
  }));
}

export function sourceToProto(source: Source) {
  const { verification, ...rest } = source;
  return {
    ...rest,
    secrets: secretsToProto(source.secrets),
    ...(verification !== null && { verification }),
  };
}

export function webhookToProto(webhook: Webhook) {
  return {
    ...webhook,
    configuration: configurationToProto(webhook.configuration),
    secrets: secretsToProto(webhook.secrets),
  };
}

/** Nulls become absent fields (proto3 `optional`), in nested objects and lists too. */
export type NoNulls<T> = T extends null
  ? undefined
  : T extends (infer U)[]
    ? NoNulls<U>[]
    : T extends object
      ? { [K in keyof T]: NoNulls<T[K]> }
      : T;

export function withoutNulls<T>(value: T): NoNulls<T> {
  if (value === null) return undefined as NoNulls<T>;
  if (Array.isArray(value)) return value.map(withoutNulls) as NoNulls<T>;
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutNulls(v)]),
    ) as NoNulls<T>;
  }
  return value as NoNulls<T>;
}
