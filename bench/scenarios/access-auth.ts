// Child: the cost of authentication + authorization per API request, side by side with the same request
// unauthenticated (what `sluice dev` serves), in one process, variants interleaved round by round.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { openProjectAccess } from '../../src/server/auth/project-access.js';
import { emitResult, scenarioArgs } from '../lib/scenario-io.js';

interface Args {
  /** Requests per variant per round. */
  requests: number;
  rounds: number;
  /** Assets in the project (narrowing a scoped viewer's answers walks them). */
  assets: number;
}

const { requests, rounds, assets } = scenarioArgs<Args>();
const SRC = join(import.meta.dirname, '..', '..', 'src', 'index.ts');
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-access-'));
const keys = Array.from({ length: assets }, (_, i) => `${i % 2 === 0 ? 'gold' : 'raw'}/a${i}`);
writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}');
writeFileSync(
  join(dir, 'sluice.config.ts'),
  `import { asset, defineProject } from ${JSON.stringify(SRC)};
export const project = defineProject({
  assets: ${JSON.stringify(keys)}.map((key) => asset({ key, group: key.startsWith('gold') ? 'curation' : 'ingest', sql: 'SELECT 1 AS x' })),
  access: { users: { admin: { roles: ['admin'] }, viewer: {} }, grants: [{ user: 'viewer', role: 'viewer', select: 'group:curation' }] },
});
`,
);

const sluice = await Sluice.open({ dir });
const access = await openProjectAccess(sluice, 'the bench authenticates');
const open = createApp(sluice, { uiDir: dir, log: () => undefined });
const shared = createApp(sluice, { uiDir: dir, log: () => undefined, access: access.shared });
const admin = `Bearer ${(await createApiToken(access.store, { user: 'admin' })).token}`;
const viewer = `Bearer ${(await createApiToken(access.store, { user: 'viewer' })).token}`;
const path = '/api/automation';

/** One request, its whole answer read. */
const answer = async (app: typeof open, url: string, init?: RequestInit): Promise<string> => (await app.request(url, init)).text();

const variants: Record<string, () => Promise<unknown>> = {
  'unauthenticated request (sluice dev)': () => answer(open, path),
  'API token + authorization (admin)': () => answer(shared, path, { headers: { authorization: admin } }),
  'API token + authorization + narrowing (gold-only viewer)': () => answer(shared, path, { headers: { authorization: viewer } }),
  'token check alone (authenticate header)': () => access.shared.authenticator.authenticateHeader(admin),
  'audited denial (fsynced audit entry, 403)': () =>
    answer(shared, '/api/runs', { method: 'POST', headers: { authorization: viewer, 'content-type': 'application/json' }, body: '{}' }),
};

// Warm-up: JIT, prepared statements, principal caches.
for (const run of Object.values(variants)) for (let i = 0; i < 50; i++) await run();
const medians: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    medians[name]!.push(samples[samples.length >> 1]!);
  }
}
await access.close();
await sluice.close();
rmSync(dir, { recursive: true, force: true });
emitResult({ medians, path, assets });
