import { Injectable, Logger } from '@nestjs/common';
import { createRejectedRequest, InboundRejectedTopic, Provider } from '@switchboard/contracts';
import { TopicPublisher } from '@switchboard/kafka';
import { errorMessage, InjectConfig } from '@switchboard/service-kit';
import type { IngressConfig } from '../config/ingress.config';
import { IngressMetrics } from './ingress.metrics';
import type { RejectionReason } from './ingress.errors';

export interface Rejection {
  route: string;
  method: string;
  sourceId: string;
  businessId: string | null;
  reason: RejectionReason;
  message: string;
  remoteAddress: string;
  headers: Record<string, string | string[] | undefined>;
  /** The refused body when it was read; only its length and digest are recorded. */
  body: Buffer | undefined;
  /** The announced length when the body was not read (too large, wrong type). */
  bodyBytes: number;
  receivedAt: Date;
}

/**
 * The values the `route` label may take: the routes ingress serves, and `unknown` for any other
 * path segment (a label per segment a client makes up would grow the metrics without bound).
 */
const routeLabels: ReadonlySet<string> = new Set(Provider.options);
const unknownRoute = 'unknown';

/** Headers worth keeping about a rejected request (secret-bearing ones are redacted anyway). */
const keptHeaders = [
  'content-type',
  'content-length',
  'user-agent',
  'x-forwarded-for',
  'webhook-id',
];

/**
 * Counts every rejection and records it, without secrets, on the rejected topic. Recording is
 * rate-limited (a token bucket refilled every second) so that a flood of bad requests cannot fill
 * the disk; what is over the limit is only counted. Recording never delays the answer.
 */
@Injectable()
export class RejectionRecorder {
  private readonly logger = new Logger(RejectionRecorder.name);
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly publisher: TopicPublisher,
    private readonly metrics: IngressMetrics,
    @InjectConfig() private readonly config: IngressConfig,
  ) {
    this.tokens = config.REJECTION_LOG_PER_SECOND;
  }

  record(rejection: Rejection): void {
    const route = routeLabels.has(rejection.route) ? rejection.route : unknownRoute;
    this.metrics.requests.inc({ route, outcome: rejection.reason });
    if (!this.takeToken()) {
      this.metrics.rejectionsNotRecorded.inc();
      return;
    }
    const record = createRejectedRequest({
      receivedAt: rejection.receivedAt,
      route: rejection.route.slice(0, 64),
      method: rejection.method,
      sourceId: rejection.sourceId.slice(0, 256),
      businessId: rejection.businessId,
      reason: rejection.reason,
      message: rejection.message,
      remoteAddress: rejection.remoteAddress,
      headers: pickHeaders(rejection.headers),
      body: rejection.body ?? Buffer.alloc(0),
    });
    if (rejection.body === undefined) record.bodyBytes = rejection.bodyBytes;
    this.publisher.publish(InboundRejectedTopic, record).catch((err: unknown) => {
      this.metrics.rejectionsNotRecorded.inc();
      this.logger.warn({ err: errorMessage(err) }, 'Rejection not recorded');
    });
  }

  private takeToken(): boolean {
    const now = Date.now();
    if (now - this.refilledAt >= 1_000) {
      this.tokens = this.config.REJECTION_LOG_PER_SECOND;
      this.refilledAt = now;
    }
    if (this.tokens <= 0) return false;
    this.tokens -= 1;
    return true;
  }
}

function pickHeaders(headers: Rejection['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of keptHeaders) {
    const value = headers[name];
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (text !== undefined) kept[name] = text.slice(0, 512);
  }
  return kept;
}
