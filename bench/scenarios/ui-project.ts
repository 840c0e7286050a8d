// Helpers of the browser scenario: a generated project of cheap views in groups, the built UI, and a real `sluice dev`
// serving both on a free port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, scratchDir } from '../lib/paths.js';

/** Debian's Chromium; the bench never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** A generated project: its folder and, per group, its asset keys in order. */
export interface GeneratedProject {
  dir: string;
  groups: Map<string, string[]>;
  remove(): void;
}

/**
 * `size` views (`SELECT 1 AS x`) in `groups` equal groups, each reading 0-3 earlier assets (mostly nearby, so mostly
 * from its own group): the shape the issue measured (10,000 assets in 20 groups). The config imports the measured
 * tree's build (as a user's imports the installed package), or its sources in a bench snapshot.
 * @example const project = generateProject(10_000, 20); // 20 groups of 500
 */
export function generateProject(size: number, groups: number, seed = 7): GeneratedProject {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const byGroup = new Map<string, string[]>();
  const keys: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    const group = `domain_${String(Math.floor((i / size) * groups)).padStart(2, '0')}`;
    const key = `${group}/asset_${String(i).padStart(5, '0')}`;
    const deps = new Set<string>();
    if (i >= 20) {
      const count = Math.floor(random() * 4);
      for (let d = 0; d < count; d++) deps.add(keys[Math.max(0, i - 1 - Math.floor(random() * Math.min(i, random() < 0.8 ? 60 : i)))] as string);
    }
    keys.push(key);
    byGroup.set(group, [...(byGroup.get(group) ?? []), key]);
    lines.push(
      `  asset({ key: ${JSON.stringify(key)}, group: ${JSON.stringify(group)}, kind: 'view', sql: 'SELECT 1 AS x', deps: ${JSON.stringify([...deps])} }),`,
    );
  }
  const dir = scratchDir(`ui-${size}`);
  const built = join(REPO_ROOT, 'dist', 'index.js');
  const sluice = JSON.stringify(existsSync(built) ? built : join(REPO_ROOT, 'src', 'index.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(dir, 'sluice.config.ts'),
    `import { asset, defineProject } from ${sluice};\n\nexport const project = defineProject({\n  name: 'ui-${size}',\n  assets: [\n${lines.join('\n')}\n  ],\n});\n`,
  );
  return { dir, groups: byGroup, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds ui/dist of the measured tree when it is missing (a bench snapshot copies the sources only). */
export function ensureUiBuilt(): void {
  if (existsSync(join(REPO_ROOT, 'ui', 'dist', 'index.html'))) return;
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO_ROOT, 'ui', 'vite.config.ts'), '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    },
  );
}

// The project folder is outside the repository, so tsx is named by path.
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Node arguments that run a sluice command: the built CLI as users run it (bin/sluice.js), or its sources through
 * tsx where nothing is built.
 * @example spawnSync(process.execPath, sluiceCommand('list'), { cwd: project.dir })
 */
export function sluiceCommand(...args: string[]): string[] {
  if (existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) return [join(REPO_ROOT, 'bin', 'sluice.js'), ...args];
  const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src', 'cli', 'main.ts'))}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
  return ['--import', TSX_LOADER, '--input-type=module', '-e', script, '--', ...args];
}

/** A running `sluice dev` of a generated project. */
export interface UiServer {
  url: string;
  /** From spawning to answering GET /api/lineage (milliseconds). */
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `sluice dev --port 0` (built, or from src/ through tsx) in `dir` and waits until its lineage route answers.
 * @example const server = await startUiServer(project.dir); try { ... } finally { await server.stop(); }
 */
export async function startUiServer(dir: string): Promise<UiServer> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, sluiceCommand('dev', '--port', '0', '--host', '127.0.0.1'), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(kill, 15_000);
    await exited;
    clearTimeout(timer);
  };
  const info = join(dir, 'data', 'sluice-dev.json');
  const deadline = performance.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sluice dev exited before it was ready:\n${output}`);
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`sluice dev was not ready within 180 s:\n${output}`);
    }
    try {
      const { url, pid } = JSON.parse(readFileSync(info, 'utf8')) as { url: string; pid?: number };
      if ((pid === undefined || pid === child.pid) && (await fetch(`${url}/api/lineage`)).ok) return { url, readyMs: performance.now() - started, stop };
    } catch {
      // Not written or not answering yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
