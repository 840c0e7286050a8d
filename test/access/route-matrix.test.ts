// Every HTTP route x every kind of caller: the expected status is computed from the role table below, not
// from the implementation; 401 (who are you?) and 403 (not allowed) are told apart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { openProjectAccess, type ProjectAccess } from '../../src/server/auth/project-access.js';
import type { TempProject } from '../helpers/temp-project.js';
import { accessFixtureProject, startIdentityProvider, type TestIdentityProvider } from './access-fixture.js';

type Role = 'viewer' | 'analyst' | 'operator' | 'admin';

/** The role table of the README: each role adds to the one below. */
const ROLE_TABLE: Record<Role, readonly string[]> = {
  viewer: ['read', 'lineage', 'runs', 'stream'],
  analyst: ['read', 'lineage', 'runs', 'stream', 'preview', 'sql'],
  operator: ['read', 'lineage', 'runs', 'stream', 'preview', 'sql', 'launch', 'cancel', 'reexecute', 'checks'],
  admin: ['read', 'lineage', 'runs', 'stream', 'preview', 'sql', 'launch', 'cancel', 'reexecute', 'checks', 'audit', 'change warehouse'],
};

/** Who holds what in the fixture: roles on the whole project, and roles on the gold assets only. */
const CALLERS: Record<string, { global: readonly Role[]; gold: readonly Role[] }> = {
  viewer: { global: [], gold: ['viewer'] },
  analyst: { global: ['viewer'], gold: ['analyst'] },
  operator: { global: ['operator'], gold: [] },
  admin: { global: ['admin'], gold: [] },
};

/**
 * What each route needs. `list`: a read whose answer is narrowed, so a gold-only grant is enough; `gold`: about
 * one gold asset; `project`: a role on the whole project.
 */
const ROUTES: Record<string, { needs: string; scope: 'list' | 'gold' | 'project'; path?: string; body?: unknown | ((dir: string) => unknown) }> = {
  'GET /api/assets': { needs: 'read', scope: 'list' },
  'GET /api/assets/:schema/:name': { needs: 'read', scope: 'gold', path: '/api/assets/gold/summary' },
  'GET /api/assets/:schema/:name/preview': { needs: 'preview', scope: 'gold', path: '/api/assets/gold/summary/preview' },
  'GET /api/assets/:schema/:name/partitions': { needs: 'read', scope: 'gold', path: '/api/assets/gold/summary/partitions' },
  'GET /api/assets/:schema/:name/quarantine': { needs: 'preview', scope: 'gold', path: '/api/assets/gold/summary/quarantine' },
  'GET /api/assets/:schema/:name/loads': { needs: 'read', scope: 'gold', path: '/api/assets/gold/summary/loads' },
  'GET /api/lineage': { needs: 'lineage', scope: 'list' },
  'GET /api/column-lineage': { needs: 'lineage', scope: 'list' },
  'GET /api/column-lineage/:schema/:name/:column': { needs: 'lineage', scope: 'gold', path: '/api/column-lineage/gold/summary/orders' },
  'GET /api/checks': { needs: 'read', scope: 'list' },
  'GET /api/checks/history': { needs: 'read', scope: 'gold', path: '/api/checks/history?asset=gold/summary&check=x' },
  'GET /api/quarantine': { needs: 'read', scope: 'list' },
  'GET /api/runs': { needs: 'runs', scope: 'list' },
  'GET /api/runs/:id': { needs: 'runs', scope: 'list' },
  'GET /api/stream': { needs: 'stream', scope: 'list' },
  'GET /api/automation': { needs: 'runs', scope: 'list' },
  'GET /api/automation/evaluations': { needs: 'runs', scope: 'list' },
  'GET /api/automation/next-ticks': { needs: 'runs', scope: 'list' },
  'GET /api/backfills': { needs: 'runs', scope: 'list' },
  'GET /api/backfills/:id': { needs: 'runs', scope: 'list' },
  'GET /api/events/:source': { needs: 'runs', scope: 'list' },
  'GET /api/audit': { needs: 'audit', scope: 'project' },
  'POST /api/runs': { needs: 'launch', scope: 'project', body: { select: 'gold/daily' } },
  'POST /api/runs/:id/cancel': { needs: 'cancel', scope: 'project' },
  'POST /api/runs/:id/reexecute': { needs: 'reexecute', scope: 'project' },
  'POST /api/checks': { needs: 'checks', scope: 'project', body: { select: 'gold/summary' } },
  'POST /api/query': { needs: 'sql', scope: 'gold', body: { sql: 'SELECT count(*) AS n FROM gold.summary' } },
  'POST /api/automation/switch': { needs: 'launch', scope: 'project', body: { name: 'nothing', enabled: false } },
  'POST /api/backfills': { needs: 'launch', scope: 'project', body: { select: 'gold/summary' } },
  'POST /api/backfills/:id/cancel': { needs: 'cancel', scope: 'project' },
  'POST /api/events/:source': { needs: 'launch', scope: 'project', body: [{ a: 1 }] },
  'POST /api/warehouse/change': {
    needs: 'change warehouse',
    scope: 'project',
    body: { sql: 'CREATE TABLE IF NOT EXISTS main.matrix_scratch AS SELECT 1 AS x' },
  },
  'POST /api/exports': { needs: 'preview', scope: 'gold', body: (dir: string) => ({ select: 'gold/summary', to: `${dir}/exports/matrix` }) },
};

function expectedAllowed(caller: string, route: { needs: string; scope: string }): boolean {
  const { global, gold } = CALLERS[caller]!;
  const holds = (roles: readonly Role[]): boolean => roles.some((role) => ROLE_TABLE[role].includes(route.needs));
  return holds(global) || (route.scope !== 'project' && holds(gold));
}

let project: TempProject;
let idp: TestIdentityProvider;
let sluice: Sluice;
let access: ProjectAccess;
let app: ReturnType<typeof createApp>;
let runId: string;
const shutdown = new AbortController();
const credentials: Record<string, string | undefined> = {};

before(async () => {
  idp = await startIdentityProvider();
  project = accessFixtureProject(idp.jwksUrl);
  sluice = await Sluice.open({ dir: project.dir });
  runId = (await sluice.materialize({ select: '*' })).runId;
  access = await openProjectAccess(sluice, 'the test server authenticates');
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined, access: access.shared, shutdown: shutdown.signal, heartbeatMs: 60_000 });
  const token = async (user: string): Promise<string> => `Bearer ${(await createApiToken(access.store, { user })).token}`;
  credentials['no token'] = undefined;
  credentials['expired token'] =
    `Bearer ${(await createApiToken(access.store, { user: 'admin', expiresIn: '1m', now: new Date(Date.now() - 3_600_000) })).token}`;
  const revoked = await createApiToken(access.store, { user: 'admin' });
  await access.store.revokeToken(revoked.id, new Date().toISOString());
  credentials['revoked token'] = `Bearer ${revoked.token}`;
  credentials['wrong signature'] = `Bearer ${await idp.signWithWrongKey({ sub: 'admin' })}`;
  credentials['viewer'] = await token('viewer');
  credentials['analyst'] = await token('analyst');
  credentials['operator'] = await token('operator');
  // The admin signs in through OIDC, so the matrix covers both kinds of bearer token.
  credentials['admin'] = `Bearer ${await idp.sign({ preferred_username: 'admin' })}`;
});

after(async () => {
  shutdown.abort();
  await access.close();
  await sluice.close();
  await idp.close();
  project.remove();
});

async function call(route: string, authorization: string | undefined): Promise<number> {
  const [method, pattern] = route.split(' ') as [string, string];
  const spec = ROUTES[route]!;
  const path = spec.path ?? pattern.replace(':id', runId).replace(':source', 'orders');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
  const response = await app.request(path, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(typeof spec.body === 'function' ? spec.body(project.dir) : (spec.body ?? {})) } : {}),
  });
  await response.body?.cancel();
  return response.status;
}

test('the matrix names every API route the app serves', () => {
  const served = new Set(app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
  const missing = [...served].filter((route) => !(route in ROUTES));
  assert.deepEqual(missing, [], `add these routes to ROUTES in ${import.meta.url} with what they need`);
});

for (const caller of ['no token', 'expired token', 'revoked token', 'wrong signature']) {
  test(`${caller}: every route answers 401`, async () => {
    for (const route of Object.keys(ROUTES)) assert.equal(await call(route, credentials[caller]), 401, `${caller} ${route}`);
  });
}

for (const caller of Object.keys(CALLERS)) {
  test(`${caller}: each route answers 403 exactly when the role table denies it`, async () => {
    const wrong: string[] = [];
    for (const [route, spec] of Object.entries(ROUTES)) {
      const status = await call(route, credentials[caller]);
      const allowed = expectedAllowed(caller, spec);
      if (status === 401 || (allowed ? status === 403 : status !== 403)) wrong.push(`${route}: ${status}, expected ${allowed ? 'not 401/403' : '403'}`);
    }
    assert.deepEqual(wrong, []);
  });
}
