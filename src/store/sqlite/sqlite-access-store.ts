// Tokens, sessions and the audit log in the project's SQLite metadata file (own tables, beside the run store's).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AccessStore, AuditEntry, AuditFilter, SessionRecord, TokenRecord } from '../access-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS access_tokens (
  id TEXT PRIMARY KEY, user_name TEXT NOT NULL, secret_hash TEXT NOT NULL, created_at TEXT NOT NULL,
  expires_at TEXT, revoked_at TEXT, description TEXT);
CREATE TABLE IF NOT EXISTS access_sessions (
  id_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, groups_json TEXT NOT NULL, token_id TEXT,
  csrf_token TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, principal TEXT, action TEXT NOT NULL, resource TEXT NOT NULL,
  query TEXT, row_count INTEGER, allowed INTEGER NOT NULL, status INTEGER NOT NULL, client TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
`;

interface TokenRow {
  id: string;
  user_name: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  description: string | null;
}

interface SessionRow {
  id_hash: string;
  subject: string;
  groups_json: string;
  token_id: string | null;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

interface AuditRow {
  id: number;
  at: string;
  principal: string | null;
  action: string;
  resource: string;
  query: string | null;
  row_count: number | null;
  allowed: number;
  status: number;
  client: string | null;
  detail: string | null;
}

const token = (r: TokenRow): TokenRecord => ({
  id: r.id,
  user: r.user_name,
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  description: r.description,
});

/**
 * The SQLite access store. Audit entries are committed with `synchronous = FULL` on their own connection, so an
 * entry the server has answered after survives the process being killed (and a power cut).
 * @example const store = SqliteAccessStore.open({ path: 'data/sluice.sqlite' });
 */
export class SqliteAccessStore implements AccessStore {
  private readonly statements;

  private constructor(private readonly db: Database.Database) {
    this.statements = {
      insertToken: db.prepare(
        'INSERT INTO access_tokens (id, user_name, secret_hash, created_at, expires_at, revoked_at, description) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findToken: db.prepare<[string], TokenRow>('SELECT * FROM access_tokens WHERE id = ?'),
      listTokens: db.prepare<[], TokenRow>('SELECT * FROM access_tokens ORDER BY created_at, id'),
      revokeToken: db.prepare('UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
      insertSession: db.prepare(
        'INSERT INTO access_sessions (id_hash, subject, groups_json, token_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findSession: db.prepare<[string], SessionRow>('SELECT * FROM access_sessions WHERE id_hash = ?'),
      deleteSession: db.prepare('DELETE FROM access_sessions WHERE id_hash = ?'),
      appendAudit: db.prepare(
        'INSERT INTO audit_log (at, principal, action, resource, query, row_count, allowed, status, client, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /** Opens (creating the tables if needed) the access tables of a metadata file. */
  static open(config: { path: string }): SqliteAccessStore {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const db = new Database(config.path);
    db.pragma('journal_mode = WAL');
    // FULL: each commit is fsynced, so an audit entry written before an answer outlives a crash of the host too.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteAccessStore(db);
  }

  async insertToken(t: TokenRecord): Promise<void> {
    this.statements.insertToken.run(t.id, t.user, t.secretHash, t.createdAt, t.expiresAt, t.revokedAt, t.description);
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const row = this.statements.findToken.get(id);
    return row ? token(row) : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.statements.listTokens.all().map(token);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.statements.revokeToken.run(at, id).changes > 0;
  }

  async insertSession(s: SessionRecord): Promise<void> {
    this.statements.insertSession.run(s.idHash, s.subject, JSON.stringify(s.groups), s.tokenId, s.csrfToken, s.createdAt, s.expiresAt);
  }

  async findSession(idHash: string): Promise<SessionRecord | undefined> {
    const r = this.statements.findSession.get(idHash);
    if (!r) return undefined;
    return {
      idHash: r.id_hash,
      subject: r.subject,
      groups: JSON.parse(r.groups_json) as string[],
      tokenId: r.token_id,
      csrfToken: r.csrf_token,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.statements.deleteSession.run(idHash);
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<void> {
    this.statements.appendAudit.run(e.at, e.principal, e.action, e.resource, e.query, e.rows, e.allowed ? 1 : 0, e.status, e.client, e.detail);
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.principal !== undefined) {
      where.push('principal = ?');
      params.push(filter.principal);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      params.push(filter.since);
    }
    if (filter.deniedOnly) where.push('allowed = 0');
    params.push(filter.limit ?? 1000);
    const sql = `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db
      .prepare<(string | number)[], AuditRow>(sql)
      .all(...params)
      .map((r) => ({
        id: r.id,
        at: r.at,
        principal: r.principal,
        action: r.action,
        resource: r.resource,
        query: r.query,
        rows: r.row_count,
        allowed: r.allowed === 1,
        status: r.status,
        client: r.client,
        detail: r.detail,
      }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
