import type { RawInboundEnvelope } from '@switchboard/contracts';
import { type NormalizedEnvelope, normalizeEnvelope } from './normalize-envelope';

export interface BulkMappingTask {
  envelope: RawInboundEnvelope;
  maxEventsPerWebhook: number;
  failedAt: string;
}

/** Runs in a worker thread of the bulk lane's pool: maps one raw webhook. */
export default function mapBulkWebhook(task: BulkMappingTask): NormalizedEnvelope {
  return normalizeEnvelope(task.envelope, task.maxEventsPerWebhook, task.failedAt);
}
