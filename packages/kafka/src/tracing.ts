import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { errorMessage } from '@switchboard/service-kit';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/** The trace a Kafka record belongs to: what `propagation.extract` found in its headers. */
export type TraceContext = Context;

/**
 * True when a process-wide propagator is registered, that is when the OpenTelemetry SDK was
 * started (`startTracing` does so only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set). Producers and
 * consumers read it once, when they are made: with tracing off they do no context work at all.
 */
export function tracingEnabled(): boolean {
  return propagation.fields().length > 0;
}

function tracer(): Tracer {
  return trace.getTracer('@switchboard/kafka');
}

/** Reads W3C trace headers (`traceparent`, `tracestate`, `baggage`) from kafkajs headers. */
export const kafkaHeaderGetter: TextMapGetter<IHeaders | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => {
    const value = carrier?.[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Writes W3C trace headers into kafkajs headers. */
export const kafkaHeaderSetter: TextMapSetter<IHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The trace context carried by a record's headers (the root context when there is none). */
export function extractTraceContext(headers: IHeaders | undefined): TraceContext {
  return propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
}

/** Puts `ctx` in `headers` as `traceparent` (and `tracestate`, `baggage` when present). */
export function injectTraceContext(ctx: TraceContext, headers: IHeaders): void {
  propagation.inject(ctx, headers, kafkaHeaderSetter);
}

/**
 * Runs `fn` with `ctx` as the active context, so that spans started inside it (an outbound HTTP
 * request, a record sent) join that trace; with no context (tracing off) it just runs `fn`.
 */
export function withTraceContext<T>(ctx: TraceContext | undefined, fn: () => T): T {
  return ctx === undefined ? fn() : context.with(ctx, fn);
}

/** The context active now, or undefined when tracing is off (no context work then). */
export function activeTraceContext(): TraceContext | undefined {
  return tracingEnabled() ? context.active() : undefined;
}

/**
 * Producer side of a record: a `send <topic>` span whose parent is the context the record was
 * enqueued under, and the record's headers carrying that span.
 */
export function startSendSpan(topic: string, parent: TraceContext, headers: IHeaders): Span {
  const span = tracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
      },
    },
    parent,
  );
  injectTraceContext(trace.setSpan(parent, span), headers);
  return span;
}

/**
 * Producer side of a record with no span of its own: the record's headers carry `parent` as it
 * is, and the span active there (the request that enqueued the record, e.g. ingress's server span)
 * is given the send's messaging attributes. One span per request instead of two, for a service
 * whose request does nothing but this send. Returns that span when it records, to mark a failed
 * send on it.
 */
export function recordSendOnParent(
  topic: string,
  parent: TraceContext,
  headers: IHeaders,
): Span | undefined {
  injectTraceContext(parent, headers);
  const span = trace.getSpan(parent);
  if (!span?.isRecording()) return undefined;
  span.setAttributes({
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.destination.name': topic,
  });
  return span;
}

/** Marks a send that failed on the span it was recorded on, without ending that span. */
export function recordSendFailure(spans: readonly Span[], err: unknown): void {
  const message = errorMessage(err);
  for (const span of spans) span.addEvent('send failed', { 'error.message': message });
}

/**
 * Consumer side of a record: a `process <topic>` span whose parent is the context found in the
 * record's headers, so a record's processing joins the trace of what produced it.
 */
export function startProcessSpan(
  topic: string,
  partition: number,
  groupId: string,
  message: KafkaMessage,
): { span: Span; context: TraceContext } {
  const parent = extractTraceContext(message.headers);
  const span = tracer().startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': Number(message.offset),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends spans, marking them failed with the error's message when there is one. */
export function endSpans(spans: readonly Span[], err?: unknown): void {
  for (const span of spans) {
    if (err !== undefined) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: errorMessage(err),
      });
    }
    span.end();
  }
}

/**
 * Runs `fn` with tracing suppressed: the kafkajs instrumentation then neither starts its own
 * producer spans nor overwrites the `traceparent` each record already carries (it would inject
 * the context of the flush, the same for every record of a batch, instead of each record's own).
 */
export function withoutInstrumentation<T>(fn: () => T): T {
  return context.with(suppressTracing(ROOT_CONTEXT), fn);
}
