// A shared server in the browser: sign in with a token, an HttpOnly SameSite=Strict session cookie, CSRF on
// changes, what a gold-only viewer sees, the admins' Audit page, and sign-out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { startServeServer } from '../../src/cli/commands/serve.js';
import type { DevServer } from '../../src/cli/commands/dev.js';
import { SqliteAccessStore } from '../../src/store/sqlite/sqlite-access-store.js';
import { accessFixtureProject, HIDDEN_KEYS } from '../access/access-fixture.js';
import type { TempProject } from '../helpers/temp-project.js';
import { assertNoPageErrors, e2eSkipReason, launchBrowser, openPage, REPO_ROOT } from './browser.js';
import { join } from 'node:path';

const skip = e2eSkipReason();

describe('signing in to sluice serve', { skip }, () => {
  let project: TempProject;
  let server: DevServer;
  let browser: Browser;
  const tokens: Record<string, string> = {};

  before(async () => {
    // OIDC is configured but unused here: the JWKS is fetched only when a JWT arrives.
    project = accessFixtureProject('http://127.0.0.1:9/jwks.json');
    const store = SqliteAccessStore.open({ path: join(project.dir, 'data', 'sluice.sqlite') });
    for (const user of ['admin', 'viewer']) tokens[user] = (await createApiToken(store, { user })).token;
    await store.close();
    server = await startServeServer({ project: project.dir, port: 0, uiDir: join(REPO_ROOT, 'ui', 'dist') }, () => undefined);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    project?.remove();
  });

  test('an unauthenticated visit lands on the sign-in page; a wrong token is refused in words', async (t) => {
    const page = await openPage(browser, t);
    await page.goto(`${server.url}/#/runs`);
    await page.waitForURL(/#\/sign-in$/);
    await page.getByLabel('Token').fill(`slu_0123456789abcdef_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'the API token is not valid' }).waitFor();
    assertNoPageErrors(page);
  });

  test('the viewer signs in with a token, gets an HttpOnly SameSite=Strict cookie, and sees only the gold assets', async (t) => {
    const page = await openPage(browser, t);
    await page.goto(`${server.url}/#/sign-in`);
    await page.getByLabel('Token').fill(tokens['viewer']!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    const cookies = await page.context().cookies(server.url);
    const session = cookies.find((c) => c.name === 'sluice_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));
    assert.ok(!cookies.some((c) => c.value.includes(tokens['viewer']!.slice(22))), 'the cookie is not the token');
    await page.goto(`${server.url}/#/runs`);
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    const { assets } = (await page.evaluate(() => fetch('/api/assets').then((r) => r.json()))) as { assets: { key: string }[] };
    assert.deepEqual(assets.map((a) => a.key).sort(), ['gold/daily', 'gold/summary']);
    const html = await page.content();
    for (const key of HIDDEN_KEYS) assert.ok(!html.includes(key), key);
    await page.context().clearCookies();
  });

  test('a cookie-authenticated POST needs the CSRF token; the admin sees denials on the Audit page and signs out', async (t) => {
    const page = await openPage(browser, t);
    await page.goto(`${server.url}/#/sign-in`);
    await page.getByLabel('Token').fill(tokens['admin']!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    const post = (withCsrf: boolean): Promise<{ status: number; code?: string }> =>
      page.evaluate(async (withCsrf) => {
        const doc = (globalThis as unknown as { document: { cookie: string } }).document;
        const csrf = /sluice_csrf=([^;]+)/.exec(doc.cookie)?.[1] ?? '';
        const response = await fetch('/api/runs', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(withCsrf ? { 'x-csrf-token': csrf } : {}) },
          body: '{"select":"gold/summary"}',
        });
        const body = (await response.json()) as { error?: { code: string } };
        return { status: response.status, ...(body.error ? { code: body.error.code } : {}) };
      }, withCsrf);
    assert.deepEqual(await post(false), { status: 403, code: 'CSRF_REQUIRED' });
    assert.deepEqual(await post(true), { status: 202 });

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Denied only').check();
    await page.locator('.audit-table').getByText('auth:csrf').first().waitFor();
    await page.locator('.audit-table').getByText('auth:failed').first().waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/#\/sign-in$/);
    const after = await page.evaluate(() => fetch('/api/assets').then((r) => r.status));
    assert.equal(after, 401);
    assertNoPageErrors(page);
  });
});
