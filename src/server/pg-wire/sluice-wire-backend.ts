// The wire protocol's view of an opened project: relations from the asset graph, data from the governed read path.
import { readableKeys, type Principal } from '../../access/principal.js';
import { parseAssetKey, quoteQualified } from '../../model/asset-key.js';
import type { Sluice } from '../../runtime/sluice.js';
import type { CatalogRelation, PgWireBackend, WireResult } from './wire-result.js';

/** Runs one statement for a principal through the governed read path. */
export type GovernedWireQuery = (principal: Principal, sql: string, params: readonly unknown[]) => Promise<WireResult>;

/** The columns a statement returns to a principal, from the governed plan, without reading rows or auditing. */
export type GovernedWireDescribe = (principal: Principal, sql: string) => Promise<CatalogRelation['columns']>;

/** What the backend is built from. */
export interface SluiceWireBackendConfig {
  sluice: Sluice;
  /** The governed read path: every byte of data a client receives comes from here. */
  query: GovernedWireQuery;
  /** Column types as the principal sees them (masks included), for the catalog. */
  describe: GovernedWireDescribe;
  /** Who a connection is: `password` is undefined under trust. Resolve undefined to refuse. */
  authenticate(user: string, password: string | undefined): Promise<Principal | undefined>;
}

/**
 * A wire backend over an opened project. A relation's columns are those the principal's own governed
 * `SELECT *` would return (described, not run), so masks that change a type show in the catalog too.
 * @example const backend = sluiceWireBackend({ sluice, query: governedQuery, authenticate: async () => LOCAL_DEV_PRINCIPAL });
 */
export function sluiceWireBackend(config: SluiceWireBackendConfig): PgWireBackend {
  const { sluice } = config;
  return {
    database: sluice.project.definition.name,
    query: config.query,
    authenticate: config.authenticate,
    parseTree: (sql) => sluice.warehouse.parseTree(sql),
    async relations(principal: Principal): Promise<CatalogRelation[]> {
      const relations: CatalogRelation[] = [];
      for (const key of readableKeys(principal, sluice.project.graph.order)) {
        const definition = sluice.project.graph.get(key)!.definition;
        const name = parseAssetKey(key);
        let columns: CatalogRelation['columns'];
        try {
          columns = await config.describe(principal, `SELECT * FROM ${quoteQualified(name)}`);
        } catch {
          // Never built (or not readable as rows by this principal): not in the catalog.
          continue;
        }
        relations.push({
          schema: name.schema,
          name: name.name,
          kind: definition.kind === 'view' ? 'view' : 'table',
          ...(definition.description ? { description: definition.description } : {}),
          columns,
        });
      }
      return relations;
    },
  };
}
