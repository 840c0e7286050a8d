// Smoke test of `npm run bench -- --quick`: the synthetic, store, event-replay and UI layout scenarios run and the results have every field.
// It never asserts a timing: benchmarks inform, they do not fail CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BenchResults } from '../../bench/lib/results.js';
import type { Summary } from '../../bench/lib/stats.js';

const root = join(import.meta.dirname, '..', '..');

function assertSummary(summary: Summary | undefined, what: string, reps: number): void {
  assert.ok(summary, `${what} is missing`);
  assert.equal(summary.n, reps, `${what} has ${summary.n} samples, expected ${reps}`);
  for (const field of ['median', 'min', 'max'] as const)
    assert.ok(Number.isFinite(summary[field]) && summary[field] >= 0, `${what}.${field} is ${summary[field]}`);
  assert.ok(summary.min <= summary.median && summary.median <= summary.max, `${what}: min <= median <= max`);
}

describe('bench --quick', { timeout: 300_000 }, () => {
  test('writes latest.json and latest.md with medians, min/max, growth and peak memory for every scenario', () => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'synthetic,store,ui', '--out', out], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, `bench exited with ${run.status}:\n${run.stderr}`);
      const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchResults;
      assert.equal(results.mode, 'quick');
      assert.deepEqual(results.errors, []);
      assert.equal(results.flights, undefined, 'flights was not selected');
      assert.ok(results.machine.cores > 0 && results.machine.node.startsWith('v'));

      const rows = results.synthetic!.rows;
      assert.deepEqual(
        rows.map((r) => `${r.shape}:${r.size}`),
        ['chain:100', 'fan-out:100', 'random:100'],
      );
      for (const row of rows) {
        for (const field of ['loadMs', 'graphMs', 'planAllMs', 'planUpstreamMs', 'planDownstreamMs', 'schedulerPerAssetMs', 'loadPlanPerAssetMs'] as const)
          assertSummary(row[field], `${row.shape} ${field}`, results.reps);
        assert.ok(row.peakRssMb > 0);
      }
      const executed = rows.find((r) => r.execute)!;
      assertSummary(executed.execute!.perAssetMs, 'execute per asset', results.reps);

      const store = results.store!;
      for (const field of ['eventsPerSecond', 'rawEventsPerSecond', 'materializationsPerSecond', 'listMs', 'latestMaterializationsMs'] as const)
        assertSummary(store[field], `store ${field}`, field === 'materializationsPerSecond' ? store.materializations / store.assets : results.reps);
      assert.ok(store.upstreamMs.n > 0 && store.downstreamMs.n > 0 && store.lineageTreeMs.n > 0);

      const layouts = results.ui!.rows;
      assert.deepEqual(
        layouts.map((r) => `${r.size}:${r.strategy}:${r.chosen}`),
        ['100:compound:true', '100:two-level:false', '1000:two-level:true'],
      );
      for (const row of layouts) assertSummary(row.layoutMs, `ui layout ${row.size} ${row.strategy}`, results.reps);

      assert.ok(results.memory.baselineMb! > 0);
      assert.equal(results.memory.rows.length, rows.length + 2);
      const markdown = readFileSync(join(out, 'latest.md'), 'utf8');
      for (const heading of ['## Key figures', '## 2. Orchestration overhead', '## 3. Metadata store', '## 5. Web UI: the lineage graph', '## 6. Peak memory'])
        assert.ok(markdown.includes(heading), `latest.md lacks "${heading}"`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('replays flights to a fresh sluice dev and reports latency, the rate achieved and the load average, with gold checked', () => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-bench-smoke-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'events', '--reps', '1', '--rates', '500', '--out', out],
        { cwd: root, encoding: 'utf8' },
      );
      assert.equal(run.status, 0, `bench exited with ${run.status}:\n${run.stderr}`);
      const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchResults;
      assert.deepEqual(results.errors, []);
      const events = results.events!;
      assert.equal(events.cores, results.machine.cores);
      assert.deepEqual(
        events.rates.map((r) => r.rate),
        [500],
      );
      for (const rate of events.rates) {
        assert.equal(rate.events, rate.rate * events.seconds);
        for (const field of ['p50Ms', 'p99Ms', 'maxMs', 'achievedRate', 'loadStart', 'loadEnd'] as const)
          assertSummary(rate[field], `events ${rate.rate}/s ${field}`, 1);
        assert.ok(rate.p50Ms.median <= rate.p99Ms.median && rate.p99Ms.median <= rate.maxMs.median);
        assert.ok(rate.goldRows > 0);
      }
      assert.equal(events.replays.length, 1);
      for (const replay of events.replays) assert.deepEqual([replay.gold.missing, replay.gold.extra, replay.gold.bronzeEventIds], [0, 0, replay.events]);
      assert.equal(results.memory.rows.filter((r) => r.scenario.startsWith('events:')).length, 1);
      assert.ok(readFileSync(join(out, 'latest.md'), 'utf8').includes('## 4. Event-to-gold latency'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
