/** The REST API of the subscriptions service, same origin, with the credentials kept in session storage. */

export type Credentials =
  | { kind: 'business'; businessId: string; apiKey: string }
  | { kind: 'operator'; operatorKey: string };

const STORAGE_KEY = 'switchboard.console.credentials';

export function loadCredentials(): Credentials | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Credentials) : null;
  } catch {
    return null;
  }
}

export function saveCredentials(credentials: Credentials | null): void {
  if (credentials) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** An answer that was not 2xx, with the API's own code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly credentials: Credentials) {}

  private headers(): Record<string, string> {
    return this.credentials.kind === 'business'
      ? { 'x-api-key': this.credentials.apiKey }
      : { authorization: `Bearer ${this.credentials.operatorKey}` };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          ...this.headers(),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, 'network_error', `The API did not answer: ${String(err)}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below when the status is an error
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `http_${res.status}`,
        error?.message ?? (text.slice(0, 300) || `HTTP ${res.status}`),
      );
    }
    return json as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}

export const topics = [
  'messages',
  'delivery_status',
  'templates',
  'account',
  'users',
  'flows',
  'calls',
  'platform',
] as const;
export type Topic = (typeof topics)[number];

export interface Filter {
  field: string;
  expression: string;
}
export interface Configuration {
  echo: boolean;
  channelTypes: string[];
  filters: Filter[];
  eventTypes?: string[];
  environments?: string[];
  retry?: { schedule?: number[]; timeoutMs?: number };
  /** structured: the whole CloudEvent as the body; binary: data as the body, attributes as ce- headers. */
  cloudEventsMode?: CloudEventsMode;
  /** conversation: one conversation's events one at a time, in event-time order. */
  ordering?: 'none' | 'conversation';
  /** Never send a status earlier than one already delivered for the same message. */
  statusMonotonic?: boolean;
}
export type CloudEventsMode = 'structured' | 'binary';
export interface SecretSummary {
  id: string;
  createdAt: string;
  expiresAt: string | null;
}
export interface Webhook {
  id: string;
  topic: Topic;
  address: string;
  state: 'active' | 'failing' | 'disabled';
  configuration: Configuration;
  secrets: SecretSummary[];
  createdAt: string;
  updatedAt: string;
  version: number;
}
export interface CreatedWebhook extends Webhook {
  replaced: boolean;
  secret: { id: string; value: string; createdAt: string };
}
export interface TestResult {
  requestId: string;
  outcome: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseBody: string | null;
  attemptedAt: string;
}
export interface WebhookHealth {
  state: string;
  health: { status: string; consecutiveFailures: number; reason: string; changedAt: string } | null;
  last24h: { succeeded: number; failed: number; deadLettered: number };
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  consecutiveFailures: number;
  lastError: { at: string; statusCode: number | null; error: string | null } | null;
}
export interface Figures {
  attempts: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
}
export interface StatsWindow extends Figures {
  from: string;
  bucketSeconds: number;
  buckets: (Figures & { start: string })[];
}
export type WindowName = '1h' | '24h' | '7d';
export interface HealthStats {
  state: string;
  generatedAt: string;
  windows: Record<WindowName, StatsWindow>;
  consecutiveFailures: number;
  lastError: {
    at: string;
    statusCode: number | null;
    error: string | null;
    responseSnippet: string | null;
  } | null;
  timeline: { at: string; state: string; source: string; detail: string | null }[];
}
export interface Delivery {
  id: string;
  subscriptionId: string;
  topic: Topic;
  eventId: string;
  eventType: string;
  outcome: string;
  attemptCount: number;
  statusCode: number | null;
  error: string | null;
  firstAttemptAt: string;
  lastAttemptAt: string;
  nextAttemptAt: string | null;
}
export interface Attempt {
  id: string;
  attempt: number;
  attemptedAt: string;
  outcome: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseBody: string | null;
  nextAttemptAt: string | null;
}
export interface DeliveryDetail extends Delivery {
  attempts: Attempt[];
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface CloudEvent {
  id: string;
  type: string;
  time: string;
  source: string;
  subject?: string;
  topic: string;
  rawid?: string;
  provider?: string;
  environment?: string;
  data: unknown;
  [key: string]: unknown;
}

/** `?a=1&b=2` of the given values, leaving out empty ones. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
export interface RawWebhook {
  id: string;
  sourceId: string;
  provider: string;
  environment: string;
  receivedAt: string;
  contentType: string;
  bodyEncoding: 'utf8' | 'base64';
  body: string;
  /** What the normalizer made of it first: normalized, partial or dead_lettered. */
  outcome: string;
  events: CloudEvent[];
}
export interface LastReplay {
  requestId: string;
  outcome: 'published' | 'partial' | 'dead_lettered';
  eventsProduced: number;
  eventsPublished: number;
  deadLetters: number;
  replayedAt: string;
}
export interface InboundDeadLetter {
  id: string;
  reason: { code: string; message: string };
  failedAt: string;
  provider: string;
  sourceId: string;
  rawWebhookId: string;
  receivedAt: string;
  /** JSON Pointer of the one item that failed; null when the whole webhook did. */
  pointer: string | null;
  replayState: 'never_replayed' | 'replayed';
  lastReplay: LastReplay | null;
}
export interface InboundDeadLetterDetail extends InboundDeadLetter {
  issues: { path: (string | number)[]; message: string; code: string }[];
  item: unknown;
  contentType: string;
  bodyEncoding: 'utf8' | 'base64';
  body: string;
}
export interface ReplayAccepted {
  requestId: string;
  rawWebhooks: number;
}
export interface OutboundDeadLetter {
  id: string;
  reason: { code: string; message: string };
  failedAt: string;
  subscriptionId: string;
  topic: Topic;
  eventId: string;
  eventType: string;
  attemptCount: number;
  statusCode: number | null;
  firstAttemptAt: string;
}
export const providers = ['meta', 'onprem', 'connectly', 'cubeconnect', 'standard'] as const;
export const deadLetterReasons = [
  'envelope_malformed_json',
  'envelope_schema_violation',
  'payload_malformed_json',
  'payload_schema_violation',
  'payload_unsupported',
  'too_many_events',
  'processing_failed',
] as const;
