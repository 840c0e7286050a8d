// DuckDB column types as PostgreSQL types (OID, size, typmod) and values in PostgreSQL's text format.

/** A PostgreSQL type as a RowDescription announces it. */
export interface PgType {
  oid: number;
  /** The name `format_type` prints (`integer`, `numeric(18,3)`, `timestamp without time zone`). */
  name: string;
  /** pg_type.typname (`int4`, `numeric`, `timestamp`). */
  typname: string;
  /** Fixed size in bytes, -1 for variable length. */
  size: number;
  /** Type modifier: precision and scale of a numeric, else -1. */
  typmod: number;
}

const scalar = (oid: number, typname: string, name: string, size: number): PgType => Object.freeze({ oid, typname, name, size, typmod: -1 });

/** The built-in types Sluice answers with (OIDs from PostgreSQL's pg_type.dat). */
export const PG_TYPES = {
  bool: scalar(16, 'bool', 'boolean', 1),
  bytea: scalar(17, 'bytea', 'bytea', -1),
  int8: scalar(20, 'int8', 'bigint', 8),
  int2: scalar(21, 'int2', 'smallint', 2),
  int4: scalar(23, 'int4', 'integer', 4),
  text: scalar(25, 'text', 'text', -1),
  json: scalar(114, 'json', 'json', -1),
  float4: scalar(700, 'float4', 'real', 4),
  float8: scalar(701, 'float8', 'double precision', 8),
  date: scalar(1082, 'date', 'date', 4),
  time: scalar(1083, 'time', 'time without time zone', 8),
  timestamp: scalar(1114, 'timestamp', 'timestamp without time zone', 8),
  timestamptz: scalar(1184, 'timestamptz', 'timestamp with time zone', 8),
  interval: scalar(1186, 'interval', 'interval', 16),
  timetz: scalar(1266, 'timetz', 'time with time zone', 12),
  numeric: scalar(1700, 'numeric', 'numeric', -1),
  uuid: scalar(2950, 'uuid', 'uuid', 16),
} as const;

const BY_DUCKDB_NAME: Readonly<Record<string, PgType>> = {
  BOOLEAN: PG_TYPES.bool,
  TINYINT: PG_TYPES.int2,
  UTINYINT: PG_TYPES.int2,
  SMALLINT: PG_TYPES.int2,
  USMALLINT: PG_TYPES.int4,
  INTEGER: PG_TYPES.int4,
  UINTEGER: PG_TYPES.int8,
  BIGINT: PG_TYPES.int8,
  // Wider than int8: numeric keeps every digit.
  UBIGINT: PG_TYPES.numeric,
  HUGEINT: PG_TYPES.numeric,
  UHUGEINT: PG_TYPES.numeric,
  BIGNUM: PG_TYPES.numeric,
  VARINT: PG_TYPES.numeric,
  FLOAT: PG_TYPES.float4,
  DOUBLE: PG_TYPES.float8,
  VARCHAR: PG_TYPES.text,
  BLOB: PG_TYPES.bytea,
  JSON: PG_TYPES.json,
  DATE: PG_TYPES.date,
  TIME: PG_TYPES.time,
  'TIME WITH TIME ZONE': PG_TYPES.timetz,
  TIMESTAMP: PG_TYPES.timestamp,
  TIMESTAMP_S: PG_TYPES.timestamp,
  TIMESTAMP_MS: PG_TYPES.timestamp,
  TIMESTAMP_NS: PG_TYPES.timestamp,
  'TIMESTAMP WITH TIME ZONE': PG_TYPES.timestamptz,
  INTERVAL: PG_TYPES.interval,
  UUID: PG_TYPES.uuid,
};

/**
 * The PostgreSQL type a DuckDB column type is sent as; lists, structs, maps, enums and the like go as text
 * (DuckDB's own rendering), which every client can read.
 * @example pgTypeOf('DECIMAL(18,3)') // { oid: 1700, name: 'numeric(18,3)', typmod: (18 << 16 | 3) + 4, ... }
 */
export function pgTypeOf(duckdbType: string): PgType {
  const type = duckdbType.trim().toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) {
    const [precision, scale] = [Number(decimal[1]), Number(decimal[2])];
    // PostgreSQL's numeric typmod: ((precision << 16) | scale) + VARHDRSZ.
    return { ...PG_TYPES.numeric, name: `numeric(${precision},${scale})`, typmod: ((precision << 16) | scale) + 4 };
  }
  return BY_DUCKDB_NAME[type] ?? PG_TYPES.text;
}

function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dateTimeText(date: Date, withTime: boolean): string {
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  if (!withTime) return day;
  const ms = date.getUTCMilliseconds();
  return `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : ''}`;
}

/** Microseconds since midnight as `HH:MM:SS[.ffffff]`. */
function clockText(micros: bigint): string {
  const seconds = Number(micros / 1_000_000n);
  const fraction = Number(micros % 1_000_000n);
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return fraction ? `${clock}.${pad(fraction, 6).replace(/0+$/, '')}` : clock;
}

interface IntervalParts {
  months: number;
  days: number;
  micros: bigint;
}

function isInterval(value: unknown): value is IntervalParts {
  return typeof value === 'object' && value !== null && 'months' in value && 'days' in value && 'micros' in value;
}

/** An interval in PostgreSQL's default style: `1 year 2 mons 3 days 04:05:06`. */
function intervalText({ months, days, micros }: IntervalParts): string {
  const parts: string[] = [];
  const unit = (n: number, one: string, many: string): void => {
    if (n !== 0) parts.push(`${n} ${Math.abs(n) === 1 ? one : many}`);
  };
  unit(Math.trunc(months / 12), 'year', 'years');
  unit(months % 12, 'mon', 'mons');
  unit(days, 'day', 'days');
  if (micros !== 0n || parts.length === 0) parts.push(`${micros < 0n ? '-' : ''}${clockText(micros < 0n ? -micros : micros)}`);
  return parts.join(' ');
}

function bytesText(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/**
 * A value in PostgreSQL's text format for `type`, or null for SQL NULL. DuckDB's value objects render exactly
 * (decimals keep every digit); plain JS values are the fallback.
 * @example pgText(true, PG_TYPES.bool) // 't'
 */
export function pgText(value: unknown, type: PgType): string | null {
  if (value === null || value === undefined) return null;
  switch (type.oid) {
    case PG_TYPES.bool.oid:
      return value === true || value === 'true' ? 't' : 'f';
    case PG_TYPES.float4.oid:
    case PG_TYPES.float8.oid:
      return typeof value === 'number' ? floatText(value) : String(value);
    case PG_TYPES.numeric.oid:
      if (typeof value === 'number' && type.typmod > 0) return value.toFixed((type.typmod - 4) & 0xffff);
      return String(value);
    case PG_TYPES.date.oid:
      return value instanceof Date ? dateTimeText(value, false) : String(value);
    case PG_TYPES.timestamp.oid:
      return value instanceof Date ? dateTimeText(value, true) : String(value);
    case PG_TYPES.timestamptz.oid:
      return value instanceof Date ? `${dateTimeText(value, true)}+00` : String(value);
    case PG_TYPES.bytea.oid:
      if (value instanceof Uint8Array) return bytesText(value);
      if (typeof value === 'object' && 'bytes' in value && value.bytes instanceof Uint8Array) return bytesText(value.bytes);
      return String(value);
    case PG_TYPES.time.oid:
      return typeof value === 'bigint' ? clockText(value) : String(value);
    case PG_TYPES.interval.oid:
      return isInterval(value) ? intervalText(value) : String(value);
    default:
      if (value instanceof Date) return dateTimeText(value, true);
      if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      return String(value);
  }
}
