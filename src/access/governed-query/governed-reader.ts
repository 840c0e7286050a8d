// The one door for data: parse -> guard -> rewrite each relation to its policy-applied form -> run capped and timed -> audit.
import { LRUCache } from 'lru-cache';
import { SluiceError } from '../../errors.js';
import type { Row } from '../../model/asset-definition.js';
import { parseAssetKey, quoteQualified } from '../../model/asset-key.js';
import { didYouMean } from '../../model/did-you-mean.js';
import type { Warehouse, WarehouseSession } from '../../engine/warehouse.js';
import type { PolicyRelation, PolicySet } from '../policy/policy-set.js';
import type { PolicyPrincipal } from '../policy/policy-principal.js';
import { parseLossless, stringifyLossless } from './lossless-json.js';
import { capRows, spliceRelations, type ParsedRelation } from './query-rewrite.js';
import { QueryRefusedError } from './query-refused-error.js';
import { sideOutputPolicy } from './side-output-policy.js';
import { guardStatement } from './statement-guard.js';

/** Why data is read; recorded in the audit log. */
export type ReadPurpose = 'query' | 'preview' | 'check-sample' | 'quarantine' | 'column-stats' | 'history' | 'export' | 'pg-wire';

/** One governed read or refusal, as the audit log records it. */
export interface GovernedAuditEntry {
  principal: { id: string; name: string };
  purpose: ReadPurpose;
  sql: string;
  allowed: boolean;
  /** Asset keys the statement reads (as far as it got). */
  assets: string[];
  rows?: number;
  /** Refusal or failure, in the words the caller saw. */
  reason?: string;
  /** Row filters and masks applied, per asset (`silver/flights: filter west-only; mask name partial`). */
  policies?: string[];
}

/** Where audit entries go; awaited before the answer is returned. */
export type GovernedAuditSink = (entry: GovernedAuditEntry) => void | Promise<void>;

/** Construction options of the reader. */
export interface GovernedReaderConfig<P extends PolicyPrincipal = PolicyPrincipal> {
  warehouse: Pick<Warehouse, 'session'>;
  /** Keys of the project's assets (the only relations a governed query may name). */
  assetKeys: () => Iterable<string>;
  policies: PolicySet;
  /** Whether the principal may see the rows of an asset (a role or a scoped grant). */
  mayRead: (principal: P, key: string) => boolean;
  audit: GovernedAuditSink;
  /**
   * Tables outside the asset graph (event landing tables, their rejected events, the project's externalTables),
   * read as they are (no policy can describe them) and only by principals `mayReadRaw` allows.
   */
  rawRelations?: () => Iterable<string>;
  mayReadRaw?: (principal: P) => boolean;
  /** Default row cap (10,000) and statement timeout (30 s). */
  maxRows?: number;
  timeoutMs?: number;
}

/** Per-call options of a governed read. */
export interface GovernedReadOptions {
  purpose?: ReadPurpose;
  maxRows?: number;
  timeoutMs?: number;
  /**
   * Side outputs of assets (`bronze/flights_quarantine` -> `bronze/flights`) this statement may also name: each is
   * read under its owning asset's permission and policy, or refused as hidden when that policy does not fit it.
   */
  sideOutputs?: ReadonlyMap<string, string>;
}

/** The answer of a governed read. */
export interface GovernedResult {
  columns: string[];
  /** Each column's SQL type, when the warehouse reports them. */
  columnTypes?: { name: string; type: string }[];
  rows: Row[];
  /** True when the result had more rows than the cap (only the first `maxRows` are returned). */
  truncated: boolean;
  assets: string[];
}

/** A governed statement ready to run: SQL text whose relations are all policy-applied, and its bound values. */
export interface GovernedPlan {
  sql: string;
  params: unknown[];
  assets: string[];
  policies: string[];
}

const MAX_SQL_LENGTH = 100_000;
/** Characters (keys and values) each of the parse and render caches holds at most. */
const CACHED_SQL_CHARS = 8_000_000;

/**
 * Answers kept of json_serialize_sql or json_deserialize_sql, both pure functions of their input text: a query asked
 * again (a dashboard's, an app's) is guarded and rewritten in JS alone, without the two round trips to DuckDB (~0.7 ms
 * each) that were most of the rewrite's cost. Who may read what is decided on every call, never kept.
 */
function sqlTextCache(): LRUCache<string, string> {
  return new LRUCache<string, string>({ maxSize: CACHED_SQL_CHARS, sizeCalculation: (value, key) => value.length + key.length });
}

/**
 * Every way data leaves Sluice goes through `query` (or `readAsset`, which builds the SQL itself).
 * @example
 * const reader = new GovernedReader({ warehouse, assetKeys: () => graph.keys(), policies, mayRead, audit });
 * const { rows } = await reader.query(analystWest, 'SELECT origin, count(*) FROM silver.flights GROUP BY 1');
 */
export class GovernedReader<P extends PolicyPrincipal = PolicyPrincipal> {
  /** SQL text -> its parse tree (JSON), and parse tree (JSON) -> SQL text: see sqlTextCache. */
  private readonly parseTrees = sqlTextCache();
  private readonly renderedTrees = sqlTextCache();

  constructor(private readonly config: GovernedReaderConfig<P>) {}

  /** Reads rows of one asset (a preview, a sample): `SELECT * FROM asset` through the same rules. */
  readAsset(principal: P, key: string, options: GovernedReadOptions = {}): Promise<GovernedResult> {
    return this.query(principal, `SELECT * FROM ${quoteQualified(parseAssetKey(key))}`, { purpose: 'preview', ...options });
  }

  /** Runs one read-only statement for `principal`; every refusal and every answer is audited. */
  async query(principal: P, sql: string, options: GovernedReadOptions = {}): Promise<GovernedResult> {
    const purpose = options.purpose ?? 'query';
    const maxRows = options.maxRows ?? this.config.maxRows ?? 10_000;
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs ?? 30_000;
    const audit = (entry: Omit<GovernedAuditEntry, 'principal' | 'purpose' | 'sql'>): Promise<void> =>
      Promise.resolve(this.config.audit({ principal: { id: principal.id, name: principal.name }, purpose, sql, ...entry }));
    const session = await this.config.warehouse.session();
    let plan: GovernedPlan | undefined;
    try {
      plan = await this.plan(principal, sql, { session, rowCap: maxRows + 1, ...(options.sideOutputs ? { sideOutputs: options.sideOutputs } : {}) });
      const { rows, columns } = await runWithTimeout(session, plan, timeoutMs);
      const truncated = rows.length > maxRows;
      if (truncated) rows.length = maxRows;
      await audit({ allowed: true, assets: plan.assets, rows: rows.length, policies: plan.policies });
      return {
        columns: columns ? columns.map((c) => c.name) : rows[0] ? Object.keys(rows[0]) : [],
        ...(columns ? { columnTypes: columns } : {}),
        rows,
        truncated,
        assets: plan.assets,
      };
    } catch (error) {
      const refusal =
        error instanceof QueryRefusedError ? error : new QueryRefusedError('engine', `query failed: ${error instanceof Error ? error.message : String(error)}`);
      await audit({ allowed: false, assets: plan?.assets ?? [], reason: refusal.message, ...(plan ? { policies: plan.policies } : {}) });
      throw refusal;
    } finally {
      session.close();
    }
  }

  /**
   * Parses, guards and rewrites `sql` for `principal` without running it (the rewrite whose cost the bench measures).
   * Throws QueryRefusedError for anything outside the rules.
   */
  async plan(
    principal: P,
    sql: string,
    options: { session?: WarehouseSession; rowCap?: number; sideOutputs?: ReadonlyMap<string, string> } = {},
  ): Promise<GovernedPlan> {
    if (sql.length > MAX_SQL_LENGTH)
      throw new QueryRefusedError('statement', `the query is ${sql.length} characters long; at most ${MAX_SQL_LENGTH} are accepted`);
    const own = options.session ?? (await this.config.warehouse.session());
    try {
      return await this.planOn(own, principal, sql, options.rowCap, options.sideOutputs ?? new Map());
    } finally {
      if (!options.session) own.close();
    }
  }

  private async planOn(
    session: WarehouseSession,
    principal: P,
    sql: string,
    rowCap: number | undefined,
    sideOutputs: ReadonlyMap<string, string>,
  ): Promise<GovernedPlan> {
    const tree = (await this.parse(session, sql)) as { statements: Record<string, unknown>[] };
    if (tree.statements.length !== 1)
      throw new QueryRefusedError('statement', `send exactly one statement (got ${tree.statements.length}); split them into separate requests`);
    const statement = tree.statements[0]!;
    const references = guardStatement(statement.node);
    const known = new Set(this.config.assetKeys());
    const keys = [...new Set(references.map((ref) => `${ref.schema}/${ref.name}`))];
    const raw = new Set<string>();
    for (const key of keys) {
      const ref = references.find((r) => `${r.schema}/${r.name}` === key)!;
      if (ref.catalog !== '')
        throw new QueryRefusedError(
          'relation',
          `relation "${ref.catalog}.${ref.schema}.${ref.name}" is refused: name assets as schema.name, without a database`,
        );
      if (!known.has(key) && !sideOutputs.has(key) && this.readsRaw(principal, key)) {
        raw.add(key);
        continue;
      }
      const owner = known.has(key) ? key : sideOutputs.get(key);
      if (owner === undefined || !known.has(owner) || !this.config.mayRead(principal, owner)) {
        const readable = [...known].filter((k) => this.config.mayRead(principal, k));
        const suggestion = didYouMean(key, readable);
        throw new QueryRefusedError(
          'relation',
          `relation "${key.replace('/', '.')}" is not an asset you may read${suggestion ? `; did you mean "${suggestion.replace('/', '.')}"?` : ''} (list them with GET /api/assets)`,
        );
      }
    }
    const compiled = new Map<string, PolicyRelation>();
    for (const key of keys) {
      if (raw.has(key)) {
        compiled.set(key, { sql: `SELECT * FROM ${quoteQualified(parseAssetKey(key))}`, params: [], filters: [], masks: new Map() });
        continue;
      }
      const owner = known.has(key) ? undefined : sideOutputs.get(key);
      const parse = (text: string): Promise<unknown> => this.parse(session, text);
      compiled.set(
        key,
        owner
          ? await sideOutputPolicy(session, this.config.policies, principal, owner, parseAssetKey(key), parse)
          : this.config.policies.relation(principal, key),
      );
    }
    const parsed = new Map<string, ParsedRelation>();
    await Promise.all(
      keys.map(async (key) => {
        const relation = compiled.get(key)!;
        parsed.set(key, { node: await this.relationNode(session, relation.sql), params: relation.params });
      }),
    );
    const params = spliceRelations(references, (ref) => parsed.get(`${ref.schema}/${ref.name}`)!);
    const capped = rowCap === undefined || capRows(statement, rowCap);
    let text = await this.deserialize(session, { error: false, statements: [statement] });
    if (!capped) text = `SELECT * FROM (${text}) AS __sluice_result LIMIT ${rowCap}`;
    const policies = [...compiled].flatMap(([key, r]) => {
      const parts = [...r.filters.map((f) => `filter ${f}`), ...[...r.masks].map(([column, mask]) => `mask ${column} ${mask}`)];
      return parts.length > 0 ? [`${key}: ${parts.join('; ')}`] : [];
    });
    return { sql: text, params, assets: keys, policies };
  }

  /** Whether `key` is a table outside the assets that `principal` may read as it is. */
  private readsRaw(principal: P, key: string): boolean {
    if (!this.config.rawRelations || !this.config.mayReadRaw?.(principal)) return false;
    for (const relation of this.config.rawRelations()) if (relation === key) return true;
    return false;
  }

  /** The statement's parse tree, read losslessly (HUGEINT literals stay exact); non-SELECT statements are refused here. */
  private async parse(session: WarehouseSession, sql: string): Promise<unknown> {
    let text = this.parseTrees.get(sql);
    if (text === undefined) {
      const [row] = await session.query<{ tree: string }>('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
      text = String(row?.tree);
      this.parseTrees.set(sql, text);
    }
    let tree: { error?: boolean; error_message?: string };
    try {
      // A fresh object each time: the rewrite splices policy relations into it.
      tree = parseLossless(text) as typeof tree;
    } catch (error) {
      throw new QueryRefusedError('syntax', `cannot parse the query: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!tree.error) return tree;
    const message = tree.error_message ?? 'syntax error';
    if (/Only SELECT statements/i.test(message)) {
      throw new QueryRefusedError(
        'statement',
        'only read-only queries (SELECT, WITH, VALUES) may run here; COPY, ATTACH, INSTALL/LOAD, PRAGMA, SET, CALL, EXPORT, DDL and DML are refused',
      );
    }
    throw new QueryRefusedError('syntax', `cannot parse the query: ${message}`);
  }

  /** The SELECT node of a policy-applied relation; the text holds no values, so its kept parse serves every principal. */
  private async relationNode(session: WarehouseSession, sql: string): Promise<unknown> {
    return ((await this.parse(session, sql)) as { statements: { node: unknown }[] }).statements[0]!.node;
  }

  private async deserialize(session: WarehouseSession, tree: unknown): Promise<string> {
    const json = stringifyLossless(tree);
    const kept = this.renderedTrees.get(json);
    if (kept !== undefined) return kept;
    const [row] = await session.query<{ sql: string }>('SELECT json_deserialize_sql($1::JSON) AS sql', [json]);
    if (!row || typeof row.sql !== 'string') throw new SluiceError('SQL_ERROR', 'the rewritten query could not be rendered');
    this.renderedTrees.set(json, row.sql);
    return row.sql;
  }
}

/** Runs the plan, interrupting it after `timeoutMs`; engine messages lose quoted literals (they may hold filtered-out values). */
async function runWithTimeout(
  session: WarehouseSession,
  plan: GovernedPlan,
  timeoutMs: number,
): Promise<{ rows: Row[]; columns?: { name: string; type: string }[] }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    session.interrupt();
  }, timeoutMs);
  try {
    if (session.queryTyped) return await session.queryTyped(plan.sql, plan.params);
    return { rows: await session.query(plan.sql, plan.params) };
  } catch (error) {
    if (timedOut)
      throw new QueryRefusedError(
        'timeout',
        `the query ran longer than ${timeoutMs / 1000} s and was stopped; narrow it (a WHERE, an aggregate) or ask an admin for a longer timeout`,
      );
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/'[^']*'/g, "'…'");
    throw new QueryRefusedError('engine', `query failed: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}
