// Asset keys ("schema/name") and the SQL identifiers they map to.
import { InvalidIdentifierError } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A warehouse relation named by schema and table. */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** Throws unless `identifier` is a plain SQL identifier (so it can be quoted without surprises). */
export function assertIdentifier(identifier: string, context: string): string {
  if (!IDENTIFIER.test(identifier)) throw new InvalidIdentifierError(identifier, context);
  return identifier;
}

/**
 * Parses an asset key `schema/name` (or `schema.name`) into its relation name.
 * @example parseAssetKey('silver/flights') // { schema: 'silver', name: 'flights' }
 */
export function parseAssetKey(key: string): QualifiedName {
  const parts = key.split(/[/.]/);
  if (parts.length !== 2) {
    throw new InvalidIdentifierError(key, 'asset key must be "schema/name"');
  }
  const [schema, name] = parts as [string, string];
  assertIdentifier(schema, `schema of asset key "${key}"`);
  assertIdentifier(name, `name of asset key "${key}"`);
  return { schema, name };
}

/** Canonical key form: `schema/name`, lower-cased because DuckDB and PostgreSQL fold identifiers. */
export function normalizeAssetKey(key: string): string {
  const { schema, name } = parseAssetKey(key);
  return `${schema.toLowerCase()}/${name.toLowerCase()}`;
}

/** Double-quotes a validated identifier. */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** `"schema"."name"` for a relation. */
export function quoteQualified(relation: QualifiedName): string {
  return `${quoteIdentifier(relation.schema)}.${quoteIdentifier(relation.name)}`;
}

/** Single-quotes a string as a SQL literal, for places where DuckDB accepts no bound parameter (file paths in table functions). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
