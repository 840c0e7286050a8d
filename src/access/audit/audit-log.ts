// The audit log: who did or tried what, on which resource, with which outcome; written before the answer leaves.
import type { AccessStore, AuditEntry, AuditFilter } from '../../store/access-store.js';
import { parseDuration } from '../identity/api-tokens.js';

/** One event to record; `at` defaults to now. */
export interface AuditEvent {
  principal: string | null;
  action: string;
  resource: string;
  query?: string | null;
  rows?: number | null;
  allowed: boolean;
  status: number;
  client?: string | null;
  detail?: string | null;
  at?: string;
}

/** Longest query text kept per entry: enough to read, not a way to fill the disk. */
const MAX_QUERY_CHARS = 10_000;

/** Anything shaped like a credential is cut out of free text before it is stored. */
const SECRETS = [/slu_[0-9a-f]{16}_[A-Za-z0-9_-]+/g, /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, /(bearer\s+)\S+/gi];

/**
 * Removes API tokens, JWTs and bearer credentials from text bound for the log.
 * @example redactSecrets('Bearer slu_0123456789abcdef_xyz') // 'Bearer [redacted]'
 */
export function redactSecrets(text: string): string {
  return SECRETS.reduce(
    (out, pattern) =>
      out.replace(pattern, (match, prefix?: string) =>
        typeof prefix === 'string' && match.toLowerCase().startsWith('bearer') ? `${prefix}[redacted]` : '[redacted]',
      ),
    text,
  );
}

/**
 * Appends audit entries durably and lists them.
 * @example await new AuditLog(store).record({ principal: 'viewer', action: 'asset:preview', resource: 'GET /api/assets/silver/flights/preview', allowed: false, status: 403 });
 */
export class AuditLog {
  constructor(private readonly store: AccessStore) {}

  /** Resolves once the entry is stored; callers answer only afterwards. */
  record(event: AuditEvent): Promise<void> {
    const query = event.query == null ? null : redactSecrets(event.query).slice(0, MAX_QUERY_CHARS);
    return this.store.appendAudit({
      at: event.at ?? new Date().toISOString(),
      principal: event.principal,
      action: event.action,
      resource: redactSecrets(event.resource),
      query,
      rows: event.rows ?? null,
      allowed: event.allowed,
      status: event.status,
      client: event.client ?? null,
      detail: event.detail == null ? null : redactSecrets(event.detail),
    });
  }

  /** Entries newest first. */
  list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.store.listAudit(filter);
  }
}

/**
 * `24h` -> the ISO time 24 hours ago; an ISO date or time is taken as is.
 * @example sinceTime('7d', new Date('2026-01-08T00:00:00Z')) // '2026-01-01T00:00:00.000Z'
 */
export function sinceTime(text: string, now: Date = new Date()): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  return new Date(now.getTime() - parseDuration(text, '--since')).toISOString();
}
