// A tiny throwaway project for API and CLI tests: three SQL assets over a CSV (one with checks), and one asset that waits while a `hold` file exists.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root, its public API and its CLI entry. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SLUICE_INDEX = join(REPO_ROOT, 'src', 'index.ts');
export const SLUICE_BIN = join(REPO_ROOT, 'bin', 'sluice.js');

/** Keys of the fixture's assets, in dependency order. */
export const FIXTURE_KEYS = ['raw/numbers', 'clean/numbers', 'mart/totals', 'ops/gate'] as const;

const CONFIG = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asset, checks, defineProject } from ${JSON.stringify(SLUICE_INDEX)};

export const project = defineProject({
  name: 'api-fixture',
  assets: [
    asset({
      key: 'raw/numbers', group: 'ingest', description: 'Numbers from numbers.csv.', owners: ['team-a'], tags: { layer: 'raw' },
      sql: "SELECT * FROM read_csv('numbers.csv', header = true, columns = {'n': 'INTEGER'})",
    }),
    asset({
      key: 'clean/numbers', group: 'transform', sql: 'SELECT n, n * 2 AS doubled FROM raw.numbers WHERE n IS NOT NULL',
      checks: [checks.notNull('n'), checks.acceptedRange('n', { min: 0, max: 3 }, { severity: 'warn' })],
    }),
    asset({ key: 'mart/totals', group: 'mart', kind: 'view', sql: 'SELECT count(*) AS numbers, sum(doubled) AS total FROM clean.numbers' }),
    asset({
      key: 'ops/gate', group: 'ops', description: 'Waits while the file "hold" exists, so tests can catch a run in flight.',
      compute: async (ctx) => {
        while (existsSync(join(ctx.projectDir, 'hold'))) {
          if (ctx.signal.aborted) throw new Error('canceled while held');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return [{ ok: true }];
      },
    }),
  ],
});
`;

/** A fixture project folder and the switches tests flip. */
export interface FixtureProject {
  dir: string;
  /** Makes raw/numbers fail (its CSV disappears) or work again. */
  breakSource(broken: boolean): void;
  /** Makes ops/gate wait (until released or canceled). */
  hold(held: boolean): void;
  remove(): void;
}

/**
 * Creates the fixture in a fresh temp folder.
 * @example const project = createFixtureProject(); const sluice = await Sluice.open({ dir: project.dir });
 */
export function createFixtureProject(): FixtureProject {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-api-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'sluice.config.ts'), CONFIG);
  writeFileSync(join(dir, 'numbers.csv'), 'n\n1\n2\n3\n4\n');
  return {
    dir,
    breakSource: (broken) =>
      broken ? renameSync(join(dir, 'numbers.csv'), join(dir, 'numbers.csv.off')) : renameSync(join(dir, 'numbers.csv.off'), join(dir, 'numbers.csv')),
    hold: (held) => (held ? writeFileSync(join(dir, 'hold'), '') : rmSync(join(dir, 'hold'), { force: true })),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
