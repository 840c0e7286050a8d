// The manifest beside every export: what was written (schema, rows, files, partitions) and from which data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SluiceError } from '../../errors.js';

/** File name of the manifest inside an export folder (a leading `_`: Spark, Hive and Trino skip it as data). */
export const MANIFEST_FILE = '_sluice_manifest.json';

const ManifestSchema = z.object({
  format: z.literal('parquet'),
  layout: z.literal('hive'),
  asset: z.string(),
  schema: z.string(),
  name: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  partitionBy: z.array(z.string()),
  rows: z.number().int().nonnegative(),
  /** Parquet files, relative to the export folder, with the partition values of each. */
  files: z.array(z.object({ path: z.string(), partition: z.record(z.string(), z.string().nullable()) })),
  dataVersion: z.string().nullable(),
  runId: z.string().nullable(),
  exportedAt: z.string(),
  exportedBy: z.string(),
});

/** What an export folder holds. */
export type ExportManifest = z.infer<typeof ManifestSchema>;

/**
 * Reads and validates the manifest of an export folder.
 * @example const manifest = readManifest('exports/gold/region_monthly_summary');
 */
export function readManifest(folder: string): ExportManifest {
  const path = join(folder, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `no readable export manifest at ${path}; export the asset there first with \`sluice export --select ... --to DIR\``,
      { cause },
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new SluiceError('INVALID_CONFIG', `the export manifest ${path} is not one Sluice wrote: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
