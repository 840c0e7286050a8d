// A real `sluice dev` started, killed with -9 and restarted while a producer sends: every event lands exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { withZombie } from '../helpers/zombie-process.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({
      key: 'bronze/events', incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
      sql: \`SELECT CAST(payload->>'event_id' AS BIGINT) AS event_id, CAST(payload->>'value' AS INTEGER) AS value
             FROM landing.events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _seq DESC) = 1\`,
    }),
  ],
  sensors: [{ type: 'events', name: 'intake', source: 'events', select: 'bronze/events', event: { fields: { value: { type: 'integer', required: true } } } }],
});`;

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('events across a server start and a kill -9', () => {
  let project: TempProject;
  let dev: ChildProcess | undefined;
  let output = '';
  const startDev = (port: number): ChildProcess => {
    const script = `const { main } = await import(${JSON.stringify(MAIN)}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, '--', 'dev', '--port', String(port)], {
      cwd: project.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return child;
  };

  after(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev!.once('exit', resolve));
      dev.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (dev.exitCode === null) dev.kill('SIGKILL');
    }
    project?.remove();
  });

  it(
    'sending from the moment the server starts, through a kill -9 and a restart, loses and duplicates nothing',
    { skip: process.platform !== 'linux' && 'needs /proc' },
    async () => {
      project = tempProject({ 'sluice.config.ts': CONFIG });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const unexpected: string[] = [];
      const acknowledged = new Set<number>();
      const REQUESTS = 60;
      const PER_REQUEST = 20;
      let answered = 0;
      // A producer that retries what was not acknowledged: refused connections (no server) and 503 (not ready). Anything else is a loss.
      const produce = async (): Promise<void> => {
        for (let r = 0; r < REQUESTS; r++) {
          const ids = Array.from({ length: PER_REQUEST }, (_, i) => r * PER_REQUEST + i + 1);
          const body = JSON.stringify(ids.map((id) => ({ event_id: id, value: id % 7 })));
          for (;;) {
            let response: Response;
            try {
              response = await fetch(`${url}/api/events/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 5));
              continue;
            }
            const text = await response.text();
            if (response.status === 202) {
              const ack = JSON.parse(text) as { accepted: number };
              if (ack.accepted !== PER_REQUEST) unexpected.push(`202 with ${ack.accepted} accepted: ${text.slice(0, 300)}`);
              for (const id of ids) acknowledged.add(id);
              answered += 1;
              break;
            }
            if (response.status === 503) {
              assert.ok(Number(response.headers.get('retry-after')) > 0, 'a 503 says when to retry');
              await new Promise((resolve) => setTimeout(resolve, 20));
              continue;
            }
            unexpected.push(`${response.status}: ${text.slice(0, 300)}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };

      await withZombie(async (zombie) => {
        // A server killed earlier whose pid is a zombie must not keep `sluice dev` from starting.
        mkdirSync(join(project.dir, 'data'), { recursive: true });
        writeFileSync(
          join(project.dir, 'data', 'sluice-dev.json'),
          JSON.stringify({ url: 'http://127.0.0.1:1', pid: zombie, startedAt: new Date().toISOString() }),
        );
        dev = startDev(port);
        const producing = produce();
        // Kill -9 in the middle of the sending, then start again on the same port.
        while (answered < REQUESTS / 3) {
          if (dev.exitCode !== null) throw new Error(`sluice dev exited:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const killed = new Promise((resolve) => dev!.once('exit', resolve));
        dev.kill('SIGKILL');
        await killed;
        dev = startDev(port);
        await producing;
      });

      assert.deepEqual(unexpected, [], `every answer was 202, 503 or no connection:\n${output}`);
      assert.equal(acknowledged.size, REQUESTS * PER_REQUEST);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = (await (await fetch(`${url}/api/events/events`)).json()) as { pending: number };
        const response = await fetch(`${url}/api/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            sql: 'SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids, min(event_id)::INTEGER AS lo, max(event_id)::INTEGER AS hi FROM bronze.events',
          }),
        });
        const rows = response.ok ? ((await response.json()) as { rows: { n: number; ids: number; lo: number; hi: number }[] }).rows : [];
        if (status.pending === 0 && rows[0]?.ids === REQUESTS * PER_REQUEST) {
          assert.deepEqual(rows[0], { n: REQUESTS * PER_REQUEST, ids: REQUESTS * PER_REQUEST, lo: 1, hi: REQUESTS * PER_REQUEST });
          break;
        }
        if (Date.now() > deadline) throw new Error(`not every event reached bronze: ${JSON.stringify(rows)}, pending ${status.pending}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(
        output,
        /UI and API: http:\/\/127\.0\.0\.1:\d+\n(.|\n)*automation: 0 schedule\(s\), 1 sensor\(s\)/,
        'the URL is printed once the daemon runs',
      );
    },
  );
});
