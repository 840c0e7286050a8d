// The read accounting of each load (accepted + quarantined + skipped = read), found in materialization metadata (pure).
import type { MaterializationRecord } from '../../store/records.js';

/** One load's accounting, as an ingestion result recorded with `ctx.addMetadata` states it. */
export interface LoadAccounting {
  /** Where it was found in the metadata: `ingestion`, `lateDeliveries`, `lateDeliveries.byFormat.csv`. */
  name: string;
  read: number;
  accepted: number;
  quarantined: number;
  skipped: number;
  /** Whether accepted + quarantined + skipped = read. */
  balanced: boolean;
  /** Rows per reason (`bad_cast:delay`, `blank_line`...), merged from the parts when the total has none. */
  byReason: Record<string, number>;
  /** Accountings nested inside this one (one per file format, say). */
  parts: LoadAccounting[];
}

/** The loads of one materialization. */
export interface MaterializationLoads {
  runId: string;
  createdAt: string;
  partition: string | null;
  loads: LoadAccounting[];
}

/** GET /api/assets/:schema/:name/loads */
export interface LoadsResponse {
  assetKey: string;
  /** Newest first; materializations without any ingestion accounting are left out. */
  materializations: MaterializationLoads[];
}

const FIELDS = ['read', 'accepted', 'quarantined', 'skipped'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAccounting(value: Record<string, unknown>): boolean {
  return FIELDS.every((field) => typeof value[field] === 'number');
}

/**
 * Every accounting in a metadata object, outermost first; nested ones become `parts`.
 * @example loadAccountings({ ingestion: { read: 4, accepted: 3, quarantined: 1, skipped: 0, byReason: { bad_cast: 1 } } })[0]?.balanced // true
 */
function loadAccountings(metadata: Record<string, unknown>, prefix = '', depth = 0): LoadAccounting[] {
  if (depth > 4) return [];
  const found: LoadAccounting[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (!isRecord(value)) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (!isAccounting(value)) {
      found.push(...loadAccountings(value, name, depth + 1));
      continue;
    }
    const parts = loadAccountings(value, name, depth + 1);
    const [read, accepted, quarantined, skipped] = FIELDS.map((field) => value[field] as number) as [number, number, number, number];
    const own = isRecord(value.byReason) ? Object.entries(value.byReason).filter((e): e is [string, number] => typeof e[1] === 'number') : [];
    const byReason: Record<string, number> = {};
    for (const [reason, count] of own.length > 0 ? own : parts.flatMap((p) => Object.entries(p.byReason))) byReason[reason] = (byReason[reason] ?? 0) + count;
    found.push({ name, read, accepted, quarantined, skipped, balanced: accepted + quarantined + skipped === read, byReason, parts });
  }
  return found;
}

/**
 * The loads of each materialization that recorded any, newest first.
 * @example materializationLoads(await store.materializationHistory('bronze/flights', 50))
 */
export function materializationLoads(history: readonly MaterializationRecord[]): MaterializationLoads[] {
  return history
    .map((record) => ({ runId: record.runId, createdAt: record.createdAt, partition: record.partition, loads: loadAccountings(record.metadata) }))
    .filter((entry) => entry.loads.length > 0);
}
