// The server's one governed reader per app: policies validated on first use, every row the API returns read through it.
import type { AuditLog } from '../access/audit/audit-log.js';
import { GovernedReader, type GovernedAuditSink } from '../access/governed-query/governed-reader.js';
import { QueryRefusedError } from '../access/governed-query/query-refused-error.js';
import { loadPolicies } from '../access/policy/load-policies.js';
import { mayPreview, mayReadRawTables, type Principal } from '../access/principal.js';
import type { PolicySet } from '../access/policy/policy-set.js';
import { normalizeAssetKey, parseAssetKey } from '../model/asset-key.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import type { Sluice } from '../runtime/sluice.js';
import { SluiceError } from '../errors.js';
import { HttpError } from './api-errors.js';
import { relationName, sideRelation } from './views/quarantine-sources.js';

/** The governed reader of an app and the policies it applies (for stats and samples that are not queries). */
export interface GovernedReads {
  reader(): Promise<GovernedReader<Principal>>;
  policies(): Promise<PolicySet>;
  /** The side outputs the assets' latest materializations recorded (`bronze/flights_quarantine` -> `bronze/flights`). */
  sideOutputs(): Promise<Map<string, string>>;
}

/**
 * Builds the reader lazily: the policies are validated against the warehouse on the first read (a failed
 * validation is retried on the next one, so a fixed config needs no restart of a waiting request).
 * HTTP requests are audited by the access middleware (`sluice serve`); `audit` adds the reader's own entries.
 * @example const reads = governedReads(sluice); const { rows } = await (await reads.reader()).readAsset(principal, 'gold/x', { maxRows: 50 });
 */
export function governedReads(sluice: Sluice, audit: GovernedAuditSink = () => undefined): GovernedReads {
  let policies: Promise<PolicySet> | undefined;
  let reader: Promise<GovernedReader<Principal>> | undefined;
  const loadedPolicies = (): Promise<PolicySet> => {
    policies ??= loadPolicies(sluice.project, sluice.warehouse);
    policies.catch(() => (policies = undefined));
    return policies;
  };
  return {
    policies: loadedPolicies,
    reader: () => {
      if (sluice.warehouse.dialect !== 'duckdb') return Promise.reject(governedReadsNeedDuckDb(sluice.warehouse.location));
      reader ??= loadedPolicies().then(
        (set) =>
          new GovernedReader<Principal>({
            warehouse: sluice.warehouse,
            assetKeys: () => sluice.project.graph.keys(),
            policies: set,
            mayRead: mayPreview,
            rawRelations: () => tablesOutsideAssets(sluice.project),
            mayReadRaw: mayReadRawTables,
            audit,
          }),
      );
      reader.catch(() => (reader = undefined));
      return reader;
    },
    sideOutputs: async () => {
      const owners = new Map<string, string>();
      for (const [key, latest] of await sluice.store.latestMaterializations()) {
        const sides = latest.metadata.sideOutputs;
        if (typeof sides !== 'object' || sides === null) continue;
        for (const table of Object.keys(sides)) {
          const relation = sideRelation(parseAssetKey(key), table);
          if (relation) owners.set(relationName(relation).replace('.', '/'), key);
        }
      }
      return owners;
    },
  };
}

/**
 * The governed reader parses, rewrites and renders SQL with DuckDB's own parser (json_serialize_sql and back), and the
 * SQL it renders is DuckDB's; on a PostgreSQL warehouse it would run neither. Say so, and where the data can be read.
 */
function governedReadsNeedDuckDb(location: string): SluiceError {
  return new SluiceError(
    'GOVERNED_READS_NEED_DUCKDB',
    `rows are read through Sluice (queries, previews, samples, quarantine rows, exports) only from a DuckDB warehouse; this project's warehouse is PostgreSQL at ${location}: read it with psql or any PostgreSQL client, with the project's row policies and masks applied by \`sluice access compile --engine postgres\``,
  );
}

/** Tables SQL may read that no asset describes: the project's externalTables (event landing tables among them) and rejected events. */
function tablesOutsideAssets(project: LoadedProject): string[] {
  const rejected = (project.definition.sensors ?? []).flatMap((s) => (s.type === 'events' ? [normalizeAssetKey(`landing/${s.source}_rejected`)] : []));
  return [...project.definition.externalTables, ...rejected];
}

/**
 * Maps a governed read's failure to an API error: refusals 403, the caller's SQL or limits 400.
 * @example catch (error) { throw governedHttpError(error); }
 */
export function governedHttpError(error: unknown): unknown {
  if (error instanceof QueryRefusedError && error.code === 'SQL_ERROR') return new HttpError(400, 'SQL_ERROR', error.message);
  return error;
}

/**
 * Records each governed read in the audit log: `data:<purpose>` on the assets read, the query, the rows
 * answered, and the policies applied (or the refusal).
 * @example governedReads(sluice, governedAuditSink(access.audit))
 */
export function governedAuditSink(audit: AuditLog): GovernedAuditSink {
  return (entry) =>
    audit.record({
      principal: entry.principal.id,
      action: `data:${entry.purpose}`,
      resource: entry.assets.length > 0 ? entry.assets.join(', ') : 'warehouse',
      query: entry.sql,
      rows: entry.rows ?? null,
      allowed: entry.allowed,
      status: entry.allowed ? 200 : 403,
      detail: entry.reason ?? (entry.policies && entry.policies.length > 0 ? `policies: ${entry.policies.join(' | ')}` : null),
    });
}
