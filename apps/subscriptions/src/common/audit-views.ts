import { AppError } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';

/** The normalizer has not created its audit views in this database (yet). */
export class AuditLogUnavailableError extends AppError {
  constructor(code: string, what: string) {
    super(code, `The ${what} is not available`, 503, true, { 'retry-after': '30' });
  }
}

/**
 * Reads the normalizer's audit log through its documented read contract, the versioned views of
 * schema `audit` (`AuditViews` in @switchboard/contracts), never its tables. Until the normalizer
 * has created them, the read answers 503 with the given code.
 */
export async function queryAuditViews<R>(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
  unavailable: { code: string; what: string },
): Promise<R[]> {
  try {
    return (await dataSource.query(sql, params)) as R[];
  } catch (err) {
    const code = (err as { driverError?: { code?: string } }).driverError?.code;
    // 42P01: undefined table (or view); 3F000: undefined schema.
    if (code === '42P01' || code === '3F000') {
      throw new AuditLogUnavailableError(unavailable.code, unavailable.what);
    }
    throw err;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A raw body as received: its text when it is UTF-8 JSON, base64 otherwise. */
export function rawBodyView(body: Buffer): { bodyEncoding: 'utf8' | 'base64'; body: string } {
  try {
    const text = utf8.decode(body);
    JSON.parse(text);
    return { bodyEncoding: 'utf8', body: text };
  } catch {
    return { bodyEncoding: 'base64', body: body.toString('base64') };
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Audit log ids are UUIDs; anything else names nothing there. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
