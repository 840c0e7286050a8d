// A run that fails outside its steps (the store refuses an event) stops the steps still running before it ends.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import type { MetadataStore } from '../../src/store/metadata-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempProject } from '../helpers/temp-project.js';

// `slow/wait` runs until its run is aborted (or 20 s), then says how it ended in a file the test reads.
const CONFIG = `import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asset, defineProject } from '@sluice';
export const project = defineProject({
  concurrency: 2,
  assets: [
    asset({ key: 'fast/one', sql: 'SELECT 1 AS x' }),
    asset({
      key: 'slow/wait', deps: [],
      compute: async (ctx) => {
        const aborted = await new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), 20_000);
          ctx.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(true); }, { once: true });
        });
        writeFileSync(join(ctx.projectDir, 'slow-ended'), aborted ? 'aborted' : 'ran to the end');
        if (aborted) throw new Error('aborted');
        await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT 1 AS x\`);
      },
    }),
  ],
});`;

describe('a run whose coordinator fails mid-run', () => {
  const project = tempProject({ 'sluice.config.ts': CONFIG });
  after(() => project.remove());

  it('aborts the steps in flight, waits for them, and ends failed with nothing published after', async () => {
    const sqlite = SqliteStore.open({ path: join(project.dir, 'data', 'sluice.sqlite') });
    // The store refuses the event that reports fast/one's success: the executor cannot go on with the run.
    const store = new Proxy(sqlite, {
      get(target, property, receiver) {
        if (property === 'appendEvents') {
          return (events: Parameters<MetadataStore['appendEvents']>[0]) =>
            events.some((event) => event.type === 'asset_succeeded' && event.assetKey === 'fast/one')
              ? Promise.reject(new Error('the metadata store is read-only right now'))
              : target.appendEvents(events);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const sluice = await Sluice.open({ dir: project.dir, store });
    try {
      const started = performance.now();
      const { runId, done } = await sluice.submit();
      await assert.rejects(done, /the metadata store is read-only right now/);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 15_000, `the run ended in ${Math.round(elapsed)} ms, not after the slow step's 20 s`);
      assert.equal(readFileSync(join(project.dir, 'slow-ended'), 'utf8'), 'aborted', 'the slow step was aborted before the run ended');
      assert.equal((await sqlite.getRun(runId))?.status, 'failed');
      assert.deepEqual(await sqlite.materializationHistory('slow/wait'), [], 'the aborted step recorded nothing');
      const events = await sqlite.listEvents(runId);
      assert.equal(events.at(-1)?.type, 'run_failed', events.map((e) => e.type).join(', '));
      assert.deepEqual(sluice.runs.ids(), []);
    } finally {
      await sluice.close();
    }
  });
});
