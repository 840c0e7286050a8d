// `sluice lineage`, `sluice show` and `sluice history`, run as a user would: the real binary on a temp project.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SLUICE_BIN, tempProject } from '../helpers/temp-project.js';

const config = (filter: string): string => `import { asset, defineProject } from '@sluice';
export const project = defineProject({ name: 'shop', assets: [
  asset({ key: 'raw/orders', owners: ['team:sales'], description: 'Orders as the shop exports them.',
    columnLineage: { id: ['file:orders.csv.order_id'], amount: ['file:orders.csv.amount'] },
    compute: () => [{ id: 1, amount: 10 }, { id: 2, amount: 20 }, { id: 3, amount: 0 }] }),
  asset({ key: 'raw/fx', compute: () => [{ rate: 1.1 }] }),
  asset({ key: 'mart/total', group: 'serve', description: 'Revenue in EUR.', tags: { layer: 'gold' },
    sql: 'SELECT sum(o.amount * f.rate) AS revenue_eur, count(*) AS orders FROM raw.orders o, raw.fx f WHERE ${filter}' }),
] });`;

const project = tempProject({ 'sluice.config.ts': config('o.amount > 0') });

function sluice(...args: string[]) {
  const result = spawnSync(process.execPath, [SLUICE_BIN, ...args], {
    cwd: project.dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', OPENLINEAGE_DISABLED: 'true' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('lineage, show and history on the command line', { timeout: 180_000 }, () => {
  before(() => {
    assert.equal(sluice('materialize').code, 0);
    project.write('sluice.config.ts', config('o.amount >= 10'));
    assert.equal(sluice('materialize').code, 0);
  });

  it('answers "where does this column come from?" as a tree down to the source file, and where an asset cannot be analysed', () => {
    const { code, out } = sluice('lineage', 'mart/total.revenue_eur', '--upstream');
    assert.equal(code, 0);
    assert.equal(
      out,
      [
        'upstream of mart/total.revenue_eur:',
        'mart/total.revenue_eur',
        '├── raw/orders.amount (aggregation)',
        '│   └── file:orders.csv.amount (identity)',
        '└── raw/fx.rate (aggregation) [computed by a TypeScript function, which Sluice cannot analyse; declare `columnLineage` on the asset to trace its columns]',
        '',
      ].join('\n'),
    );
  });

  it('prints column lineage as JSON, Mermaid and DOT, and the asset graph one side at a time', () => {
    const json = JSON.parse(sluice('lineage', 'mart/total', '--columns', '--format', 'json').out) as {
      asset: { columns: { name: string }[]; indirect: { column: string; transform: string }[] };
      traces: unknown[];
    };
    assert.deepEqual(
      json.asset.columns.map((c) => c.name),
      ['revenue_eur', 'orders'],
    );
    assert.ok(json.asset.indirect.some((s) => s.column === 'amount' && s.transform === 'filter'));
    assert.equal(json.traces.length, 2);
    const mermaid = sluice('lineage', '--columns', '--format', 'mermaid').out;
    assert.match(mermaid, /^flowchart LR\n/);
    assert.match(mermaid, /subgraph g\d+\["mart\/total"\]\n {4}(c\d+)\["revenue_eur"\]/);
    assert.match(sluice('lineage', 'raw/orders', '--downstream', '--format', 'dot').out, /"raw\/orders" -> "mart\/total";/);
    const upstream = sluice('lineage', 'mart/total', '--upstream');
    assert.match(upstream.out, /^upstream:\nmart\/total \[serve, table\]\n├── raw\/fx \[default, table\]\n└── raw\/orders \[default, table\]\n$/);
  });

  it('rejects an unknown column or contradictory flags with exit code 2 and a fix', () => {
    const unknown = sluice('lineage', 'mart/total.revenue_er');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /asset "mart\/total" has no column "revenue_er"; did you mean "revenue_eur"\? \(its columns are revenue_eur, orders\)/);
    const both = sluice('lineage', 'mart/total', '--upstream', '--downstream');
    assert.equal(both.code, 2);
    assert.match(both.err, /give --upstream or --downstream, not both/);
    assert.equal(sluice('lineage', 'mart/totl').code, 2);
  });

  it('shows an asset: description, tags, status, columns with their upstream columns and stats, and its materializations', () => {
    const { code, out } = sluice('show', 'mart/total');
    assert.equal(code, 0);
    assert.match(out, /^mart\/total {2}\(table, group serve\)\nRevenue in EUR\.\n/);
    assert.match(out, /tags: {7}layer=gold/);
    assert.match(out, /upstream: {3}raw\/fx, raw\/orders/);
    assert.match(out, /status: {5}fresh/);
    assert.match(out, /columns \(lineage inferred from the SQL\):/);
    assert.match(out, /revenue_eur +DOUBLE +yes +0 +1 +33\.0* +33\.0* +raw\/orders\.amount \(aggregation\), raw\/fx\.rate \(aggregation\)/);
    assert.match(out, /orders +BIGINT +yes +0 +1 +2 +2 +-\n/);
    assert.match(out, /rows decided by: filter raw\/orders\.amount/);
    assert.match(out, /last 2 materialization\(s\):/);
    const typed = sluice('show', 'raw/fx', '--json');
    const report = JSON.parse(typed.out) as { lineage: { method: string; note: string }; columns: { name: string; upstream: string[] }[] };
    assert.equal(report.lineage.method, 'none');
    assert.match(report.lineage.note, /cannot analyse; declare `columnLineage`/);
    assert.deepEqual(
      report.columns.map((c) => [c.name, c.upstream]),
      [['rate', []]],
    );
  });

  it('answers "what changed?" with each materialization against the one before, and the net change over a period', () => {
    const { code, out } = sluice('history', 'mart/total');
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.match(lines[0]!, /^mart\/total: 2 materialization\(s\), newest first$/);
    assert.match(lines[3]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +[0-9a-f]{8} +1 +0 +\d+ ms +[0-9a-f]{8} +[0-9a-f]{8} +code changed; same data$/);
    assert.match(lines[4]!, /first materialization$/);
    const orders = JSON.parse(sluice('history', 'raw/orders', '--since', '1h', '--json').out) as { entries: unknown[]; since: { materializations: number } };
    assert.equal(orders.entries.length, 2);
    assert.equal(orders.since.materializations, 2);
    const bad = sluice('history', 'mart/total', '--since', 'soon');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--since "soon" is not a date/);
  });
});

describe('lineage, show and history while sluice dev owns the warehouse', { timeout: 180_000 }, () => {
  let dev: ChildProcess;
  let output = '';
  const local: Record<string, string> = {};
  const commands: Record<string, string[]> = {
    show: ['show', 'mart/total', '--json'],
    history: ['history', 'mart/total', '--json'],
    trace: ['lineage', 'mart/total.revenue_eur'],
  };

  before(async () => {
    for (const [name, args] of Object.entries(commands)) local[name] = sluice(...args).out;
    dev = spawn(process.execPath, [SLUICE_BIN, 'dev', '--port', '0'], {
      cwd: project.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OPENLINEAGE_DISABLED: 'true' },
    });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = Date.now();
    while (!existsSync(join(project.dir, 'data', 'sluice-dev.json'))) {
      if (dev.exitCode !== null || Date.now() - started > 60_000) throw new Error(`sluice dev did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(() => {
    if (dev?.exitCode === null) dev.kill('SIGKILL');
    project.remove();
  });

  it('give the same answers through its API as with the warehouse opened directly', () => {
    for (const [name, args] of Object.entries(commands)) {
      const result = sluice(...args);
      assert.equal(result.code, 0, `${name}: ${result.err}`);
      assert.equal(result.out, local[name], name);
    }
  });
});
