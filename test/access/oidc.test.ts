// OIDC bearer tokens: keys generated here, the JWKS served on port 0; issuer, audience, expiry, skew and claims.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AccessControl } from '../../src/access/grants/access-control.js';
import { Authenticator } from '../../src/access/identity/authenticator.js';
import { AssetGraph } from '../../src/model/asset-graph.js';
import { asset } from '../../src/index.js';
import { SqliteAccessStore } from '../../src/store/sqlite/sqlite-access-store.js';
import { AUDIENCE, ISSUER, startIdentityProvider, type TestIdentityProvider } from './access-fixture.js';

let idp: TestIdentityProvider;
let auth: Authenticator;
let store: SqliteAccessStore;
const now = (): number => Math.floor(Date.now() / 1000);

before(async () => {
  idp = await startIdentityProvider();
  const graph = AssetGraph.build([{ definition: asset({ key: 'gold/a', group: 'curation', sql: 'SELECT 1 AS x' }), deps: [] }]);
  const access = AccessControl.fromProject(
    {
      users: { ada: { roles: ['admin'] } },
      groups: { analysts: { roles: ['analyst'] } },
      oidc: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: idp.jwksUrl, groupsClaim: 'roles_groups', clockToleranceSeconds: 60 },
    },
    graph,
  );
  store = SqliteAccessStore.open({ path: ':memory:' });
  auth = new Authenticator({ access, store });
});

after(async () => {
  await store.close();
  await idp.close();
});

async function check(jwt: string): Promise<string> {
  const outcome = await auth.authenticateHeader(`Bearer ${jwt}`);
  return outcome.ok ? `${outcome.principal.id}:${outcome.principal.roles.join('+')}` : outcome.reason;
}

test('a valid token names a configured user, whose roles apply', async () => {
  assert.equal(await check(await idp.sign({ preferred_username: 'ada' })), 'ada:admin');
  assert.equal(await check(await idp.sign({ sub: 'ada' })), 'ada:admin', 'sub when there is no preferred_username');
});

test('someone not in access.users gets the roles of their configured groups, or nothing', async () => {
  assert.equal(await check(await idp.sign({ sub: 'bob', roles_groups: ['analysts', 'unrelated'] })), 'bob:analyst');
  assert.match(
    await check(await idp.sign({ sub: 'eve', roles_groups: ['unrelated'] })),
    /OIDC user "eve" is not in access\.users and none of their groups is in access\.groups/,
  );
});

test('expiry is checked with the configured clock skew', async () => {
  assert.equal(await check(await idp.sign({ sub: 'ada' }, { expiresAt: now() - 30 })), 'ada:admin', '30 s late is within 60 s of skew');
  assert.match(await check(await idp.sign({ sub: 'ada' }, { expiresAt: now() - 120 })), /the OIDC token is not valid: "exp" claim timestamp check failed/);
});

test('a wrong issuer, audience or signature is refused, naming the failed check', async () => {
  assert.match(await check(await idp.sign({ sub: 'ada' }, { issuer: 'https://evil.example' })), /not valid: unexpected "iss" claim value/);
  assert.match(await check(await idp.sign({ sub: 'ada' }, { audience: 'another-app' })), /not valid: unexpected "aud" claim value/);
  assert.match(await check(await idp.signWithWrongKey({ sub: 'ada' })), /not valid: signature verification failed/);
  assert.match(await check('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.'), /the OIDC token is not valid/, 'alg none is refused');
});
