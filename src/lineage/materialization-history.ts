// What changed between materializations of an asset: schema, row count, code, data and inputs (pure).
import type { ColumnSchema, MaterializationRecord } from '../store/metadata-store.js';

/** The difference between two schemas, by column name. */
export interface SchemaDiff {
  added: ColumnSchema[];
  removed: ColumnSchema[];
  retyped: { name: string; from: string; to: string }[];
  /** Columns whose nullability changed (`true` = now nullable). */
  nullability: { name: string; nullable: boolean }[];
}

/** One materialization and how it differs from the one before it. */
export interface HistoryEntry {
  record: MaterializationRecord;
  /** Undefined for the first materialization shown without a predecessor. */
  previous?: MaterializationRecord;
  rowDelta: number | null;
  codeChanged: boolean;
  dataChanged: boolean;
  schema: SchemaDiff;
  /** Upstream assets whose data version differs from the one the previous build read. */
  inputsChanged: string[];
}

/**
 * Columns added, removed, retyped or with changed nullability from `before` to `after`.
 * @example diffSchemas([{ name: 'a', type: 'INTEGER', nullable: true }], [{ name: 'a', type: 'BIGINT', nullable: true }]).retyped
 * // [{ name: 'a', from: 'INTEGER', to: 'BIGINT' }]
 */
export function diffSchemas(before: readonly ColumnSchema[], after: readonly ColumnSchema[]): SchemaDiff {
  const old = new Map(before.map((c) => [c.name.toLowerCase(), c]));
  const now = new Map(after.map((c) => [c.name.toLowerCase(), c]));
  const diff: SchemaDiff = { added: [], removed: [], retyped: [], nullability: [] };
  for (const [name, c] of now) {
    const was = old.get(name);
    if (!was) diff.added.push(c);
    else {
      if (was.type !== c.type) diff.retyped.push({ name: c.name, from: was.type, to: c.type });
      if (was.nullable !== c.nullable) diff.nullability.push({ name: c.name, nullable: c.nullable });
    }
  }
  for (const [name, c] of old) if (!now.has(name)) diff.removed.push(c);
  return diff;
}

function inputVersions(record: MaterializationRecord): Record<string, string | null> {
  return (record.metadata.inputVersions ?? {}) as Record<string, string | null>;
}

/**
 * How `record` differs from `previous` (an earlier materialization of the same asset).
 * @example compareMaterializations(history[1], history[0]).rowDelta // 3
 */
function compareMaterializations(previous: MaterializationRecord | undefined, record: MaterializationRecord): HistoryEntry {
  if (!previous) {
    return { record, rowDelta: null, codeChanged: false, dataChanged: false, schema: diffSchemas(record.schema, record.schema), inputsChanged: [] };
  }
  const before = inputVersions(previous);
  const after = inputVersions(record);
  const inputs = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return {
    record,
    previous,
    rowDelta: record.rowCount !== null && previous.rowCount !== null ? record.rowCount - previous.rowCount : null,
    codeChanged: record.codeVersion !== previous.codeVersion,
    dataChanged: record.dataVersion !== previous.dataVersion,
    schema: diffSchemas(previous.schema, record.schema),
    inputsChanged: inputs.filter((k) => (before[k] ?? null) !== (after[k] ?? null)),
  };
}

/**
 * Entries, newest first, each compared with the materialization before it. `records` is newest first (as the
 * store returns it); fetch one more than you show, so the oldest shown has its predecessor (only the very
 * first materialization then has none).
 * @example historyEntries(await store.materializationHistory('gold/daily', 11)).slice(0, 10)
 */
export function historyEntries(records: readonly MaterializationRecord[]): HistoryEntry[] {
  return records.map((record, i) => compareMaterializations(records[i + 1], record));
}

/**
 * The changes of one entry in words: `code changed; +col x BIGINT; rows +12 (+0.4%); new data from silver/flights`.
 * @example describeChanges(entry) // 'first materialization'
 */
export function describeChanges(entry: HistoryEntry): string {
  if (!entry.previous) return 'first materialization';
  const parts: string[] = [];
  if (entry.codeChanged) parts.push('code changed');
  parts.push(...schemaWords(entry.schema));
  if (entry.rowDelta !== null && entry.rowDelta !== 0) parts.push(`rows ${signed(entry.rowDelta)}${percent(entry.rowDelta, entry.previous.rowCount)}`);
  if (entry.inputsChanged.length > 0) parts.push(`new input data: ${entry.inputsChanged.join(', ')}`);
  if (parts.length === 0) return entry.dataChanged ? 'data changed' : 'no change';
  // Say what the data did whenever the other changes do not already show it.
  const visible = entry.rowDelta !== null && entry.rowDelta !== 0 ? true : schemaWords(entry.schema).length > 0;
  if (!entry.dataChanged) parts.push('same data');
  else if (!visible) parts.push('data changed');
  return parts.join('; ');
}

/**
 * A schema diff in words, one item per change.
 * @example schemaWords(diff) // ['+column x BIGINT', '-column y', 'z INTEGER -> BIGINT']
 */
function schemaWords(diff: SchemaDiff): string[] {
  return [
    ...diff.added.map((c) => `+column ${c.name} ${c.type}`),
    ...diff.removed.map((c) => `-column ${c.name}`),
    ...diff.retyped.map((c) => `${c.name} ${c.from} -> ${c.to}`),
    ...diff.nullability.map((c) => `${c.name} now ${c.nullable ? 'nullable' : 'NOT NULL'}`),
  ];
}

/** What changed from the last materialization before `since` (the baseline) to the latest one. */
export interface ChangesSince {
  since: string;
  baseline?: MaterializationRecord;
  latest?: MaterializationRecord;
  materializations: number;
  /** The latest compared with the baseline; undefined when either is missing. */
  change?: HistoryEntry;
}

/**
 * The net change over a period: compares the latest materialization with the last one before `since`.
 * @example changesSince(records, '2026-11-24T00:00:00.000Z').change?.rowDelta
 */
export function changesSince(records: readonly MaterializationRecord[], since: string): ChangesSince {
  const within = records.filter((r) => r.createdAt >= since);
  const baseline = records.find((r) => r.createdAt < since);
  const latest = within[0];
  const result: ChangesSince = { since, materializations: within.length };
  if (baseline) result.baseline = baseline;
  if (latest) result.latest = latest;
  if (baseline && latest) result.change = compareMaterializations(baseline, latest);
  return result;
}

/**
 * A point in time from `2026-11-24`, an ISO timestamp, or a duration ago (`90m`, `24h`, `7d`).
 * @example parseSince('24h', new Date('2026-11-25T12:00:00Z')) // '2026-11-24T12:00:00.000Z'
 */
export function parseSince(text: string, now: Date = new Date()): string | undefined {
  const relative = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2]!.toLowerCase() as 'm' | 'min' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  if (text.trim().toLowerCase() === 'yesterday') return new Date(now.getTime() - 86_400_000).toISOString();
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function signed(n: number): string {
  return `${n > 0 ? '+' : ''}${n.toLocaleString('en-US')}`;
}

function percent(delta: number, base: number | null): string {
  if (base === null || base === 0) return '';
  const pct = (100 * delta) / base;
  return ` (${pct > 0 ? '+' : ''}${Math.abs(pct) < 0.1 ? pct.toFixed(3) : pct.toFixed(1)}%)`;
}
