// Creates throwaway project folders for tests: a sluice.config.ts importing Sluice from this checkout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of src/index.ts, for configs written into temp folders. */
export const SLUICE_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'index.ts');
/** Absolute path of the CLI entry. */
export const SLUICE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'sluice.js');

export interface TempProject {
  dir: string;
  write(relativePath: string, content: string): void;
  remove(): void;
}

/** A temp folder with the given files; `sluice.config.ts` may import from '@sluice' (replaced by this checkout's src/index.ts). */
export function tempProject(files: Record<string, string>): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const write = (relativePath: string, content: string): void => {
    const path = join(dir, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content.replaceAll("'@sluice'", JSON.stringify(SLUICE_SRC)));
  };
  // Projects are ES modules, like the examples (and so configs can be re-imported after an edit).
  write('package.json', JSON.stringify({ type: 'module', private: true }));
  for (const [path, content] of Object.entries(files)) write(path, content);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
