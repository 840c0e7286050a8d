// Reads the well-known entries of a materialization's free-form metadata (column stats, input versions), defensively.

/** Profile of one column as recorded at materialization. */
export interface ColumnStatsView {
  name: string;
  nullCount: number | null;
  distinctApprox: number | null;
  /** False for an estimate, and for a record from before Sluice said which it was. */
  distinctExact: boolean;
  min: string | null;
  max: string | null;
}

const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const asText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * `metadata.columnStats` by column name; entries that do not have the expected shape are skipped.
 * @example readColumnStats(record.metadata).get('delay_min')?.nullCount
 */
export function readColumnStats(metadata: Record<string, unknown>): Map<string, ColumnStatsView> {
  const stats = new Map<string, ColumnStatsView>();
  const raw = metadata['columnStats'];
  if (!Array.isArray(raw)) return stats;
  for (const entry of raw) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e['name'] !== 'string') continue;
    stats.set(e['name'], {
      name: e['name'],
      nullCount: asNumber(e['nullCount']),
      distinctApprox: asNumber(e['distinctApprox']),
      distinctExact: e['distinctExact'] === true,
      min: asText(e['min']),
      max: asText(e['max']),
    });
  }
  return stats;
}

/**
 * `metadata.inputVersions`: the data version of each upstream asset this materialization read.
 * @example readInputVersions(record.metadata) // [['silver/airports', 'd157a3e4']]
 */
export function readInputVersions(metadata: Record<string, unknown>): [string, string | null][] {
  const raw = metadata['inputVersions'];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  return Object.entries(raw as Record<string, unknown>).map(([key, version]) => [key, asText(version)]);
}

/** Metadata keys shown in their own sections rather than as raw values. */
export const STRUCTURED_METADATA_KEYS: ReadonlySet<string> = new Set(['columnStats', 'inputVersions']);
