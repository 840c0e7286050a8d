// One wire-protocol connection after sign-in: simple and extended queries, each answered by the session itself
// (SET, SHOW, BEGIN), by the principal's catalog (pg_catalog, information_schema) or by the governed read path.
import type { Principal } from '../../access/principal.js';
import { backend, type FieldDescription, type FrontendMessage } from './pg-messages.js';
import { PgCatalog, SETTINGS } from './pg-catalog.js';
import { isCatalogQuery } from './catalog-sql.js';
import { PG_TYPES, pgText, pgTypeOf } from './pg-types.js';
import { inlineParameters } from './inline-params.js';
import { resultNames } from './result-names.js';
import { sessionCommand } from './session-commands.js';
import { identifierName, significant, splitStatements, tokenize } from './sql-tokens.js';
import type { PgWireBackend, WireResult } from './wire-result.js';

/** What one statement produced, ready to send. */
interface Outcome {
  fields?: FieldDescription[];
  rows?: (string | null)[][];
  tag: string;
  /** A warning sent before the completion (a result cut at the row cap). */
  notice?: string;
}

interface PreparedStatement {
  sql: string;
  paramTypes: number[];
}

interface Portal {
  statement: PreparedStatement;
  params: unknown[];
  outcome?: Outcome;
  /** Rows already sent by Execute with a row limit. */
  sent: number;
}

/** A statement the connection refuses before running it (SQLSTATE and message). */
class WireError extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

const READ_KEYWORDS = new Set(['select', 'with', 'values', 'table', '(']);

/** Decodes one Bind parameter (text format, or binary for the fixed-size types clients send that way). */
function decodeParam(value: Buffer | null, format: number, typeOid: number | undefined): unknown {
  if (value === null) return null;
  if (format === 0) return value.toString('utf8');
  switch (typeOid) {
    case PG_TYPES.int2.oid:
      return value.readInt16BE();
    case PG_TYPES.int4.oid:
      return value.readInt32BE();
    case PG_TYPES.int8.oid:
      return value.readBigInt64BE();
    case PG_TYPES.float4.oid:
      return value.readFloatBE();
    case PG_TYPES.float8.oid:
      return value.readDoubleBE();
    case PG_TYPES.bool.oid:
      return value[0] === 1;
    default:
      throw new WireError('0A000', `binary parameters of type ${typeOid ?? 'unknown'} are not supported; send parameters in text format`);
  }
}

function renamed(columns: WireResult['columns'], names: readonly string[]): WireResult['columns'] {
  return columns.map((column, i) => ({ ...column, name: names[i] ?? column.name }));
}

/**
 * The state of one authenticated connection.
 * @example const session = new PgSession(backend, principal, 'local'); const replies = await session.handle(message);
 */
export class PgSession {
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  private readonly settings = new Map<string, string>(Object.entries(SETTINGS));
  private status: 'I' | 'T' | 'E' = 'I';
  /** After an error in an extended-protocol exchange, messages up to Sync are skipped (as PostgreSQL does). */
  private skipping = false;
  private catalog?: Promise<PgCatalog>;

  constructor(
    private readonly backendApi: PgWireBackend,
    private readonly principal: Principal,
    private readonly user: string,
  ) {}

  /** The replies to one frontend message. */
  async handle(message: FrontendMessage): Promise<Buffer[]> {
    if (message.type === 'query') return this.simpleQuery(message.sql);
    if (message.type === 'sync') {
      this.skipping = false;
      return [backend.readyForQuery(this.status)];
    }
    if (this.skipping || message.type === 'flush' || message.type === 'terminate') return [];
    try {
      return await this.extended(message);
    } catch (error) {
      this.skipping = true;
      return [this.errorReply(error)];
    }
  }

  private async simpleQuery(sql: string): Promise<Buffer[]> {
    const replies: Buffer[] = [];
    try {
      const statements = splitStatements(sql);
      if (statements.length === 0) replies.push(backend.emptyQuery());
      for (const statement of statements) replies.push(...this.send(await this.run(statement, [])));
    } catch (error) {
      replies.push(this.errorReply(error));
    }
    return [...replies, backend.readyForQuery(this.status)];
  }

  private async extended(message: Exclude<FrontendMessage, { type: 'query' | 'sync' | 'flush' | 'terminate' }>): Promise<Buffer[]> {
    switch (message.type) {
      case 'parse':
        this.statements.set(message.statement, { sql: message.sql, paramTypes: message.paramTypes });
        return [backend.parseComplete()];
      case 'bind': {
        const statement = this.statements.get(message.statement);
        if (!statement) throw new WireError('26000', `prepared statement "${message.statement}" does not exist`);
        if (message.resultFormats.some((f) => f !== 0)) throw new WireError('0A000', 'binary result format is not supported; request text results');
        const format = (i: number): number => message.paramFormats[message.paramFormats.length === 1 ? 0 : i] ?? 0;
        const params = message.params.map((value, i) => decodeParam(value, format(i), statement.paramTypes[i]));
        this.portals.set(message.portal, { statement, params, sent: 0 });
        return [backend.bindComplete()];
      }
      case 'describe': {
        if (message.target === 'statement') {
          const statement = this.statements.get(message.name);
          if (!statement) throw new WireError('26000', `prepared statement "${message.name}" does not exist`);
          const count = Math.max(
            statement.paramTypes.length,
            (statement.sql.match(/\$\d+/g) ?? []).reduce((n, p) => Math.max(n, Number(p.slice(1))), 0),
          );
          const paramTypes = Array.from({ length: count }, (_, i) => statement.paramTypes[i] || PG_TYPES.text.oid);
          // The columns are known by running it: with NULL parameters, through the same governed path.
          const outcome = await this.run(
            statement.sql,
            paramTypes.map(() => null),
            paramTypes,
          );
          return [backend.parameterDescription(paramTypes), outcome.fields ? backend.rowDescription(outcome.fields) : backend.noData()];
        }
        const portal = this.portal(message.name);
        portal.outcome ??= await this.run(portal.statement.sql, portal.params, portal.statement.paramTypes);
        return [portal.outcome.fields ? backend.rowDescription(portal.outcome.fields) : backend.noData()];
      }
      case 'execute': {
        const portal = this.portal(message.portal);
        portal.outcome ??= await this.run(portal.statement.sql, portal.params, portal.statement.paramTypes);
        const { outcome } = portal;
        if (!outcome.rows) return [outcome.tag === '' ? backend.emptyQuery() : backend.commandComplete(outcome.tag)];
        const end = message.maxRows > 0 ? Math.min(portal.sent + message.maxRows, outcome.rows.length) : outcome.rows.length;
        const replies = outcome.rows.slice(portal.sent, end).map((row) => backend.dataRow(row));
        portal.sent = end;
        if (end < outcome.rows.length) replies.push(backend.portalSuspended());
        else replies.push(...(outcome.notice ? [backend.notice(outcome.notice)] : []), backend.commandComplete(outcome.tag));
        return replies;
      }
      case 'close':
        if (message.target === 'statement') this.statements.delete(message.name);
        else this.portals.delete(message.name);
        return [backend.closeComplete()];
      case 'unsupported':
        throw new WireError('0A000', `protocol message "${message.code}" is not supported (COPY and function calls are not available)`);
    }
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new WireError('34000', `portal "${name}" does not exist`);
    return portal;
  }

  /** Replies for a finished statement of the simple protocol: description, rows, completion. */
  private send(outcome: Outcome): Buffer[] {
    if (outcome.tag === '') return [backend.emptyQuery()];
    if (!outcome.fields || !outcome.rows) return [backend.commandComplete(outcome.tag)];
    const notice = outcome.notice ? [backend.notice(outcome.notice)] : [];
    return [backend.rowDescription(outcome.fields), ...outcome.rows.map((row) => backend.dataRow(row)), ...notice, backend.commandComplete(outcome.tag)];
  }

  /** Runs one statement: a session command, a catalog query, or a governed query. */
  private async run(statement: string, params: readonly unknown[], paramTypes: readonly number[] = []): Promise<Outcome> {
    const sql = inlineParameters(statement, params, paramTypes);
    const words = significant(tokenize(sql));
    if (words.length === 0) return { tag: '' };
    if (this.status === 'E' && !/^(rollback|abort|commit|end)$/i.test(words[0]!.text)) {
      throw new WireError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const command = sessionCommand(sql);
    if (command) return this.sessionStatement(command);
    try {
      if (isCatalogQuery(sql)) {
        const first = identifierName(words[0]!) ?? words[0]!.text;
        if (!READ_KEYWORDS.has(first)) throw new WireError('25006', 'the catalog is read-only: only SELECT statements may read it');
        return this.rowsOutcome(await (await this.catalogFor()).query(sql));
      }
      const [result, tree] = await Promise.all([this.backendApi.query(this.principal, sql, []), this.backendApi.parseTree?.(sql).catch(() => undefined)]);
      return this.rowsOutcome(
        tree === undefined
          ? result
          : {
              ...result,
              columns: renamed(
                result.columns,
                resultNames(
                  tree,
                  result.columns.map((c) => c.name),
                ),
              ),
            },
      );
    } catch (error) {
      if (this.status === 'T') this.status = 'E';
      throw error;
    }
  }

  private sessionStatement(command: NonNullable<ReturnType<typeof sessionCommand>>): Outcome {
    switch (command.kind) {
      case 'set':
        if (command.name !== undefined && command.value !== undefined) this.settings.set(command.name, command.value);
        return { tag: command.tag };
      case 'show': {
        const value = this.settings.get(command.name);
        if (value === undefined) throw new WireError('42704', `unrecognized configuration parameter "${command.name}"`);
        return { fields: [{ name: command.name, type: PG_TYPES.text }], rows: [[value]], tag: 'SHOW' };
      }
      case 'transaction':
        if (command.tag === 'BEGIN') this.status = 'T';
        else {
          const tag = this.status === 'E' ? 'ROLLBACK' : command.tag;
          this.status = 'I';
          return { tag };
        }
        return { tag: command.tag };
      case 'noop':
        return { tag: command.tag };
    }
  }

  private rowsOutcome(result: WireResult): Outcome {
    const fields = result.columns.map((c) => ({ name: c.name, type: pgTypeOf(c.type) }));
    const rows = result.rows.map((row) => fields.map((f, i) => pgText(row[i], f.type)));
    const notice =
      result.truncatedAt === undefined
        ? undefined
        : `the result was cut at ${result.truncatedAt} rows (the governed row cap); narrow the query or aggregate it`;
    return { fields, rows, tag: `SELECT ${rows.length}`, ...(notice ? { notice } : {}) };
  }

  private catalogFor(): Promise<PgCatalog> {
    this.catalog ??= this.backendApi
      .relations(this.principal)
      .then((relations) =>
        PgCatalog.create({ database: this.backendApi.database, user: this.user, version: `PostgreSQL ${SETTINGS.server_version} (Sluice)`, relations }),
      );
    return this.catalog;
  }

  private errorReply(error: unknown): Buffer {
    if (error instanceof WireError) return backend.error(error.sqlState, error.message);
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    // Refusals by the access layer are privilege errors; anything else is the statement's own fault.
    return backend.error(code === 'ACCESS_DENIED' || code === 'QUERY_REFUSED' ? '42501' : '42000', message);
  }

  /** Frees the catalog database. */
  async close(): Promise<void> {
    if (this.catalog) (await this.catalog.catch(() => undefined))?.close();
  }
}
