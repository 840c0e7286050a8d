// Several CLI commands in one process on one client (what `npm run demo` does): `main(argv, { client })` runs each
// command on the given client, opening nothing of its own and leaving it open for the next command.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SluiceClient } from '../../src/api/sluice-client.js';
import { main } from '../../src/cli/main.js';
import { openClient } from '../../src/cli/open-project.js';
import { tempProject } from '../helpers/temp-project.js';

const project = tempProject({
  'sluice.config.ts': `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'bronze/numbers', sql: 'SELECT range AS n FROM range(5)' }),
    asset({ key: 'silver/total', sql: 'SELECT sum(n) AS total FROM bronze.numbers' }),
  ],
});`,
});

/** Records which methods of the client the commands called: a command that opened its own client would bypass it. */
function recorded(client: SluiceClient): { client: SluiceClient; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(client, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: proxy, calls };
}

/** Runs `work` with stdout captured. */
async function captured(work: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  try {
    return { code: await work(), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('main with a shared client', () => {
  after(() => project.remove());

  it('materialize then query run on the given client, which stays open for the caller to close', async () => {
    const opened = await openClient({ project: project.dir });
    const { client, calls } = recorded(opened);
    try {
      const argv = ['node', 'sluice', '--project', project.dir];
      const built = await captured(() => main([...argv, 'materialize'], { client }));
      assert.equal(built.code, 0, built.out);
      assert.match(built.out, /2 succeeded/);
      const query = await captured(() => main([...argv, 'query', 'SELECT total FROM silver.total', '--json'], { client }));
      assert.equal(query.code, 0, query.out);
      assert.deepEqual(JSON.parse(query.out), [{ total: 10 }]);
      assert.deepEqual(
        calls.filter((name) => ['submit', 'query', 'close'].includes(name)),
        ['submit', 'query'],
      );
      // Still open: the caller's own read works after both commands.
      assert.deepEqual((await opened.query('SELECT count(*)::INTEGER AS n FROM bronze.numbers')).rows, [{ n: 5 }]);
    } finally {
      await opened.close();
    }
  });
});
