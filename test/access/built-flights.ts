// The flights example built once per machine (cached under the temp folder, keyed by the example's files) and
// copied for each test file, so the export, DDL, wire-protocol and compiler tests share one ~1 min build.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Sluice } from '../../src/index.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SLUICE_SRC = join(REPO_ROOT, 'src', 'index.ts');
const FLIGHTS_DIR = join(REPO_ROOT, 'examples', 'flights');

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => !f.startsWith('data') && !f.startsWith('landing') && statSync(join(dir, f)).isFile())
    .sort();
}

/** A key that changes whenever the example's definitions, SQL or seeds change. */
function exampleHash(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(FLIGHTS_DIR)) hash.update(file).update(readFileSync(join(FLIGHTS_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

async function buildOnce(cache: string): Promise<void> {
  const done = join(cache, 'done');
  const lock = `${cache}.lock`;
  for (;;) {
    if (existsSync(done)) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file builds it: wait for its `done` marker (or for its lock to go, if it failed).
      await delay(500);
    }
  }
  try {
    if (existsSync(done)) return;
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    const sluice = await Sluice.open({ dir: FLIGHTS_DIR, warehousePath: join(cache, 'warehouse.duckdb'), metadataPath: join(cache, 'sluice.sqlite') });
    try {
      const result = await sluice.materialize();
      if (result.status !== 'succeeded')
        throw new Error(`building the flights example failed: ${JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded'))}`);
    } finally {
      await sluice.close();
    }
    mkdirSync(done);
    // Builds of earlier versions of the example are dead weight (~60 MB each): drop those finished over an hour ago
    // (a test that started before the example changed may still be copying a recent one).
    for (const entry of readdirSync(dirname(cache))) {
      const other = join(dirname(cache), entry);
      const finished = join(other, 'done');
      if (
        entry.startsWith('sluice-test-flights-') &&
        other !== cache &&
        !entry.endsWith('.lock') &&
        existsSync(finished) &&
        Date.now() - statSync(finished).mtimeMs > 3_600_000
      ) {
        rmSync(other, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A private copy of the flights project with its built warehouse and metadata store in `dir/data`. */
export interface BuiltFlights {
  /** The project folder (its sluice.config.ts imports Sluice from this checkout's src/). */
  dir: string;
  warehousePath: string;
  metadataPath: string;
  remove(): void;
}

/**
 * Copies the flights project and its cached build into a fresh folder (building it first if needed).
 * @example const flights = await builtFlights(); await startDevServer({ project: flights.dir, port: 0 });
 */
export async function builtFlights(): Promise<BuiltFlights> {
  const cache = join(tmpdir(), `sluice-test-flights-${exampleHash()}`);
  await buildOnce(cache);
  const root = mkdtempSync(join(tmpdir(), 'sluice-flights-copy-'));
  const dir = join(root, 'flights');
  for (const part of ['sql', 'seeds']) cpSync(join(FLIGHTS_DIR, part), join(dir, part), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const config = readFileSync(join(FLIGHTS_DIR, 'sluice.config.ts'), 'utf8').replace("from 'sluice'", `from ${JSON.stringify(SLUICE_SRC)}`);
  writeFileSync(join(dir, 'sluice.config.ts'), config);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(dir, 'data'));
  for (const file of ['warehouse.duckdb', 'sluice.sqlite']) copyFileSync(join(cache, file), join(dir, 'data', file));
  return {
    dir,
    warehousePath: join(dir, 'data', 'warehouse.duckdb'),
    metadataPath: join(dir, 'data', 'sluice.sqlite'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
