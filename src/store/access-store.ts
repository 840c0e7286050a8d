// What the access layer keeps in the metadata store: API tokens (hashes only), UI sessions and the audit log.

/** An API token; the secret itself is never stored, only its SHA-256. */
export interface TokenRecord {
  /** Public id, also the first part of the token (`slu_<id>_<secret>`). */
  id: string;
  user: string;
  /** Hex SHA-256 of the secret part. */
  secretHash: string;
  createdAt: string;
  /** ISO time, or null for a token that never expires. */
  expiresAt: string | null;
  revokedAt: string | null;
  description: string | null;
}

/** A signed-in browser; the cookie holds the session secret, the store only its SHA-256. */
export interface SessionRecord {
  /** Hex SHA-256 of the cookie value. */
  idHash: string;
  /** The configured user, or the OIDC subject. */
  subject: string;
  /** Groups granted at sign-in (from OIDC claims). */
  groups: readonly string[];
  /** The API token signed in with, so revoking it ends the session too. */
  tokenId: string | null;
  /** Sent back in `x-csrf-token` on every state-changing request. */
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** One line of the audit log. */
export interface AuditEntry {
  id: number;
  at: string;
  /** Principal id, or null when authentication failed. */
  principal: string | null;
  /** e.g. `run:launch`, `auth:sign-in`, `auth:failed`. */
  action: string;
  /** e.g. `POST /api/runs` or `asset gold/x`. */
  resource: string;
  /** SQL or selection sent, when there is one. */
  query: string | null;
  rows: number | null;
  allowed: boolean;
  status: number;
  client: string | null;
  /** Why it was denied or failed. */
  detail: string | null;
}

/** Which audit entries to list, newest first. */
export interface AuditFilter {
  principal?: string;
  since?: string;
  deniedOnly?: boolean;
  limit?: number;
}

/**
 * Storage of tokens, sessions and audit entries (SQLite now; PostgreSQL implements the same interface).
 * `appendAudit` resolves only once the entry is durable: the server answers after it.
 */
export interface AccessStore {
  insertToken(token: TokenRecord): Promise<void>;
  findToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** False when no such token exists; revoking twice keeps the first time. */
  revokeToken(id: string, at: string): Promise<boolean>;
  insertSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
