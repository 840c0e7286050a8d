// Which tables hold an asset's quarantined rows: ingestion side outputs (`_error_type`) and `*_quarantine` assets with a reason column.
import { parseAssetKey, type QualifiedName } from '../../model/asset-key.js';
import type { Sluice } from '../../runtime/sluice.js';
import type { MaterializationRecord } from '../../store/records.js';
import type { QuarantineSource } from './quarantine-read.js';

/** The reason column of Sluice's loaders' quarantine tables. */
const INGEST_REASON = '_error_type';
/** Reason columns a quarantine asset may have, in order of preference. */
const ASSET_REASONS = [INGEST_REASON, 'reject_reason', 'reason', 'error'];

/** One quarantine table as the overview lists it (counts from the recorded materialization, no data read). */
export interface QuarantineSummary {
  table: string;
  origin: QuarantineSource['origin'];
  reasonColumn: string;
  /** Rows when it was last published. */
  rowCount: number | null;
}

/** GET /api/quarantine */
export interface QuarantineOverviewResponse {
  assets: { assetKey: string; createdAt: string; tables: QuarantineSummary[] }[];
}

/** GET /api/assets/:schema/:name/quarantine */
export interface QuarantineResponse {
  assetKey: string;
  /** Rows and counts are what the caller's policy lets through; `hidden` says why a table's rows are withheld whole. */
  tables: (Omit<QuarantineSummary, 'rowCount'> & {
    total: number;
    byReason: { reason: string | null; count: number }[];
    columns: string[];
    rows: Record<string, unknown>[];
    hidden?: string;
  })[];
}

/**
 * The quarantine tables of an asset, from its latest materialization: each side output whose columns include
 * `_error_type` (what ingestCsv, ingestJsonLines and ingestParquet write), and the asset itself when its name ends
 * in `_quarantine` and it has a reason column (`reject_reason`, `reason`, `error`).
 * @example await quarantineSources(sluice, 'bronze/flights', latest) // [{ relation: { schema: 'bronze', name: 'flights_quarantine' }, reasonColumn: '_error_type', ... }]
 */
export async function quarantineSources(
  sluice: Sluice,
  assetKey: string,
  latest: MaterializationRecord | undefined,
): Promise<(QuarantineSource & { rowCount: number | null })[]> {
  if (!latest) return [];
  const self = parseAssetKey(assetKey);
  const sources: (QuarantineSource & { rowCount: number | null })[] = [];
  const sideOutputs = latest.metadata.sideOutputs;
  const sides = typeof sideOutputs === 'object' && sideOutputs !== null ? Object.entries(sideOutputs as Record<string, { rowCount?: unknown }>) : [];
  if (sides.length > 0) {
    const session = await sluice.warehouse.session();
    try {
      for (const [table, facts] of sides) {
        const relation = sideRelation(self, table);
        if (!relation) continue;
        const columns = await session.describe(relation);
        if (!columns?.some((c) => c.name.toLowerCase() === INGEST_REASON)) continue;
        sources.push({ relation, reasonColumn: INGEST_REASON, origin: 'side_output', rowCount: typeof facts?.rowCount === 'number' ? facts.rowCount : null });
      }
    } finally {
      session.close();
    }
  }
  if (self.name.endsWith('_quarantine')) {
    const names = new Map(latest.schema.map((c) => [c.name.toLowerCase(), c.name]));
    const reason = ASSET_REASONS.find((r) => names.has(r));
    if (reason) sources.push({ relation: self, reasonColumn: names.get(reason)!, origin: 'asset', rowCount: latest.rowCount });
  }
  return sources;
}

/** A recorded side output `schema.name` of the asset; only tables in the asset's own schema are accepted. */
export function sideRelation(self: QualifiedName, table: string): QualifiedName | undefined {
  const [schema, name, extra] = table.split('.');
  if (!schema || !name || extra !== undefined || schema !== self.schema) return undefined;
  return { schema, name };
}

/** `bronze.flights_quarantine` */
export function relationName(relation: QualifiedName): string {
  return `${relation.schema}.${relation.name}`;
}
