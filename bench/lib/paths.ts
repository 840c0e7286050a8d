// Where the repository, the bench and its scratch space live, resolved from this file so any cwd works.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(BENCH_DIR, '..');
export const FLIGHTS_DIR = join(REPO_ROOT, 'examples', 'flights');

/** Set in a snapshot's processes: the working tree it was copied from. */
export const SOURCE_REPO_ENV = 'SLUICE_BENCH_SOURCE_REPO';

/** Derived inputs (subsets, CSV exports) are kept across runs: rebuilding the 3M-row CSV costs seconds. */
export const CACHE_DIR = join(tmpdir(), 'sluice-bench-cache');

/** A fresh scratch folder; warehouses and stores of a repetition never share files. */
export function scratchDir(label: string): string {
  mkdirSync(join(tmpdir(), 'sluice-bench'), { recursive: true });
  return mkdtempSync(join(tmpdir(), 'sluice-bench', `${label}-`));
}
