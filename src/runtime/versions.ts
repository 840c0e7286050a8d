// Code versions and data versions: the fingerprints staleness and lineage are built on.
import { createHash } from 'node:crypto';
import type { AssetDefinition } from '../model/asset-definition.js';

function digest(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The author's `codeVersion`, else a hash of the SQL (whitespace-insensitive) or of the compute function's source.
 * @example codeVersionOf(asset({ key: 'a/b', sql: 'SELECT 1' })) // 'a3f1...'
 */
export function codeVersionOf(asset: AssetDefinition): string {
  if (asset.codeVersion !== undefined) return asset.codeVersion;
  const body = asset.sql !== undefined ? asset.sql.replace(/\s+/g, ' ').trim() : String(asset.compute);
  return digest([asset.kind, body]);
}

/** Data version derived from the code and the inputs' data versions (used for views). */
export function derivedDataVersion(codeVersion: string, inputVersions: Readonly<Record<string, string | null>>): string {
  const inputs = Object.keys(inputVersions)
    .sort()
    .map((k) => `${k}=${inputVersions[k] ?? 'none'}`);
  return digest([codeVersion, ...inputs]);
}

/** Data version of stored content: its schema plus an order-independent hash of its rows. */
export function contentDataVersion(schemaSignature: string, contentHash: string): string {
  return digest([schemaSignature, contentHash]);
}
