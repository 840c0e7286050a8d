// UI sessions over HTTP: sign-in answers, cookies, CSRF on changes, revocation and sign-out end the session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { openProjectAccess, type ProjectAccess } from '../../src/server/auth/project-access.js';
import type { TempProject } from '../helpers/temp-project.js';
import { accessFixtureProject } from './access-fixture.js';

let project: TempProject;
let sluice: Sluice;
let access: ProjectAccess;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = accessFixtureProject('http://127.0.0.1:9/jwks.json');
  sluice = await Sluice.open({ dir: project.dir });
  access = await openProjectAccess(sluice, 'the test server authenticates');
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined, access: access.shared });
});

after(async () => {
  await access.close();
  await sluice.close();
  project.remove();
});

const signIn = (body: string, type = 'application/json'): Promise<Response> =>
  Promise.resolve(app.request('/auth/sign-in', { method: 'POST', headers: { 'content-type': type }, body }));

test('sign-in refuses a form post, bad JSON, an oversized body and a wrong token, each in words', async () => {
  assert.equal((await signIn('token=x', 'application/x-www-form-urlencoded')).status, 400);
  const bad = await signIn('{nope');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /send \{\\"token\\": \\"\.\.\.\\"\}: the body is not JSON/);
  // Over HTTP a Content-Length above 32 KB is refused unread (413); in process the token's own limit answers.
  const huge = await signIn(JSON.stringify({ token: 'x'.repeat(40_000) }));
  assert.ok([400, 413].includes(huge.status));
  assert.match(await huge.text(), /at most 16 KB/);
  const wrong = await signIn(JSON.stringify({ token: 'slu_0123456789abcdef_' + 'y'.repeat(43) }));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
});

test('a session works until its token is revoked; changes need the CSRF token; sign-out ends it', async () => {
  const token = await createApiToken(access.store, { user: 'operator' });
  const answer = await signIn(JSON.stringify({ token: token.token }));
  assert.equal(answer.status, 200);
  const cookies = answer.headers.getSetCookie();
  assert.ok(
    cookies.some((c) => /^sluice_session=[\w-]{43}; Path=\/; Max-Age=\d+; SameSite=Strict; HttpOnly$/.test(c)),
    cookies.join('\n'),
  );
  const { csrfToken } = (await answer.json()) as { csrfToken: string };
  const session = cookies.map((c) => c.split(';')[0]).join('; ');
  const get = (): Promise<number> => Promise.resolve(app.request('/api/assets', { headers: { cookie: session } })).then((r) => r.status);
  const post = (csrf?: string): Promise<number> =>
    Promise.resolve(
      app.request('/api/checks', {
        method: 'POST',
        headers: { cookie: session, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
        body: '{"select":"gold/summary"}',
      }),
    ).then((r) => r.status);
  assert.equal(await get(), 200);
  assert.equal(await post(), 403);
  assert.equal(await post('x'.repeat(43)), 403);
  assert.equal(await post(csrfToken), 200);

  assert.ok(await access.store.revokeToken(token.id, new Date().toISOString()));
  assert.equal(await get(), 401, 'revoking the token ends its sessions');

  const again = await signIn(JSON.stringify({ token: (await createApiToken(access.store, { user: 'viewer' })).token }));
  const second = again.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken: csrf2 } = (await again.json()) as { csrfToken: string };
  assert.equal((await app.request('/auth/session', { headers: { cookie: second } })).status, 200);
  assert.equal((await app.request('/auth/sign-out', { method: 'POST', headers: { cookie: second } })).status, 403, 'sign-out needs the CSRF token too');
  const out = await app.request('/auth/sign-out', { method: 'POST', headers: { cookie: second, 'x-csrf-token': csrf2 } });
  assert.equal(out.status, 200);
  assert.ok(out.headers.getSetCookie().every((c) => c.includes('Max-Age=0')));
  assert.equal((await app.request('/api/assets', { headers: { cookie: second } })).status, 401);
});
