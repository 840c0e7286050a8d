// The docs cannot rot: every sh/ts block of README.md and docs/*.md runs (through `npx sluice`, as a user types it),
// unless the line before its fence says `<!-- illustrative -->`, and every relative link points at a file that exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { docBlocks, headingAnchors, relativeLinks } from './markdown-blocks.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const EXAMPLES = ['examples/flights', 'examples/industrial-events'];

/**
 * A folder laid out like the repository for a reader: the examples copied (without their data), each with the
 * node_modules an `npm install` gives it, so `npx sluice` resolves this checkout and never the registry.
 */
function readerCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-docs-'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const example of EXAMPLES) {
    const target = join(root, example);
    cpSync(join(REPO, example), target, { recursive: true, filter: (src) => !/[/\\](data|landing|node_modules|\.scratch-[^/\\]*)$/.test(src) });
    mkdirSync(join(target, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(REPO, join(target, 'node_modules', 'sluice'), 'dir');
    symlinkSync(join(REPO, 'node_modules', 'vega-datasets'), join(target, 'node_modules', 'vega-datasets'), 'dir');
    symlinkSync(join('..', 'sluice', 'bin', 'sluice.js'), join(target, 'node_modules', '.bin', 'sluice'));
  }
  return root;
}

function run(root: string, page: string, block: ReturnType<typeof docBlocks>[number], index: number): { status: number | null; output: string } {
  const cwd = join(root, block.cwd ?? '.');
  assert.ok(existsSync(cwd), `${page}:${block.line} runs in ${block.cwd}, which a reader's checkout does not have`);
  // npx must find this checkout's sluice, never download one.
  const env = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', NO_COLOR: '1' };
  const result =
    block.lang === 'sh'
      ? spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], { cwd, env, encoding: 'utf8', timeout: 180_000 })
      : (() => {
          const file = join(cwd, `.docs-block-${index}.mts`);
          writeFileSync(file, block.code);
          return spawnSync(process.execPath, ['--import', 'tsx', file], { cwd, env, encoding: 'utf8', timeout: 180_000 });
        })();
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

describe('the docs', { timeout: 900_000 }, () => {
  let root: string;
  before(() => {
    root = readerCheckout();
    // One build of the flights demo serves every page (the pages' own blocks rebuild only what they select).
    const build = spawnSync('npx', ['sluice', 'materialize'], {
      cwd: join(root, 'examples/flights'),
      env: { ...process.env, npm_config_offline: 'true' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const page of PAGES) {
    it(`${page}: every shell and TypeScript block runs as written`, () => {
      docBlocks(readFileSync(join(REPO, page), 'utf8')).forEach((block, index) => {
        const { status, output } = run(root, page, block, index);
        assert.equal(
          status,
          0,
          `${page}:${block.line} (${block.lang}, in ${block.cwd ?? 'the repository root'}) failed:\n${block.code}\n--- output ---\n${output.slice(-3000)}`,
        );
      });
    });
  }

  it('every relative link of the docs points at a file (and heading) that exists', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const { target, line } of relativeLinks(readFileSync(join(REPO, page), 'utf8'))) {
        const [path = '', anchor] = target.split('#');
        const file = resolve(REPO, dirname(page), decodeURIComponent(path));
        if (!existsSync(file)) broken.push(`${page}:${line} -> ${target} (no ${relative(REPO, file)})`);
        else if (anchor && file.endsWith('.md') && !headingAnchors(readFileSync(file, 'utf8')).has(anchor))
          broken.push(`${page}:${line} -> ${target} (no heading #${anchor})`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
