// The access configuration is checked when a server starts: each mistake is named by its path, with the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessControl } from '../../src/access/grants/access-control.js';
import { parseDuration } from '../../src/access/identity/api-tokens.js';
import { redactSecrets, sinceTime } from '../../src/access/audit/audit-log.js';
import type { AccessDefinition } from '../../src/model/access-definition.js';
import { AssetGraph } from '../../src/model/asset-graph.js';
import { asset } from '../../src/index.js';

const graph = AssetGraph.build(
  [
    asset({ key: 'raw/a', group: 'ingest', sql: 'SELECT 1 AS x' }),
    asset({ key: 'gold/b', group: 'curation', tags: { layer: 'gold' }, sql: 'SELECT 1 AS x' }),
  ].map((definition) => ({ definition, deps: definition.key === 'gold/b' ? ['raw/a'] : [] })),
);

function rejects(access: unknown, message: RegExp): void {
  assert.throws(
    () => AccessControl.fromProject(access as AccessDefinition, graph),
    (error: unknown) => error instanceof Error && message.test(error.message) && !/\n\s+at /.test(error.message),
  );
}

test('a missing access configuration says what to add', () => {
  rejects(undefined, /invalid access configuration at access: it is missing; add `access: \{ users: \{ \.\.\. \} \}`/);
});

test('shape errors name the path of the bad entry', () => {
  rejects({ users: {} }, /at access\.users: name at least one user/);
  rejects(
    { users: { 'analyst-west': { roles: ['superuser'] } } },
    /at access\.users\["analyst-west"\]\.roles\[0\]: Invalid option: expected one of "viewer"\|"analyst"\|"operator"\|"admin"/,
  );
  rejects({ users: { a: { roles: ['admin'], colour: 'red' } } }, /at access\.users\.a: Unrecognized key: "colour"/);
  rejects(
    { users: { a: {} }, grants: [{ user: 'a', group: 'g', role: 'viewer', select: '*' }] },
    /at access\.grants\[0\]: give exactly one of `user` and `group`/,
  );
  rejects({ users: { 'bad name!': {} } }, /at access\.users\["bad name!"\]: not a valid name: use letters, digits/);
});

test('unknown users, groups and selections are named with a suggestion', () => {
  rejects(
    { users: { alice: {} }, grants: [{ user: 'alise', role: 'viewer', select: '*' }] },
    /at access\.grants\[0\]\.user: user "alise" is not defined in access\.users; did you mean "alice"\?/,
  );
  rejects(
    { users: { alice: { groups: ['readers'] } } },
    /at access\.users\.alice\.groups\[0\]: group "readers" is not defined in access\.groups; define it there first/,
  );
  rejects(
    { users: { alice: {} }, grants: [{ user: 'alice', role: 'viewer', select: 'group:curatoin' }] },
    /at access\.grants\[0\]\.select: .*no asset is in group "curatoin".*curation/,
  );
  rejects(
    { users: { alice: {} }, grants: [{ user: 'alice', role: 'viewer', select: 'gold/c' }] },
    /at access\.grants\[0\]\.select: .*asset "gold\/c" is not defined/,
  );
});

test('a user gets their own roles, their groups roles and the scoped grants of both', () => {
  const access = AccessControl.fromProject(
    {
      users: { wendy: { roles: ['viewer'], groups: ['gold'], attributes: { region: 'West' } } },
      groups: { gold: { roles: [] }, ops: { roles: ['operator'] } },
      grants: [
        { group: 'gold', role: 'analyst', select: 'tag:layer=gold' },
        { user: 'wendy', role: 'operator', select: '+gold/b' },
      ],
    },
    graph,
  );
  const wendy = access.principalFor('wendy')!;
  assert.deepEqual(wendy.roles, ['viewer']);
  assert.deepEqual(wendy.attributes, { region: 'West' });
  assert.deepEqual(
    wendy.grants.map((g) => [g.role, [...g.keys].sort()]),
    [
      ['analyst', ['gold/b']],
      ['operator', ['gold/b', 'raw/a']],
    ],
  );
  assert.ok(access.isAllowed(wendy, 'run:launch', { kind: 'project', assets: ['raw/a', 'gold/b'] }));
  assert.ok(!access.isAllowed(wendy, 'run:launch', { kind: 'project' }));
  assert.deepEqual([...access.principalFor('wendy', ['ops'])!.roles].sort(), ['operator', 'viewer'], 'OIDC groups add their roles');
  assert.equal(access.principalFor('nobody'), undefined);
  assert.equal(access.principalForGroups('stranger', ['unknown-group']), undefined, 'strangers get nothing');
});

test('durations and times for --expires and --since', () => {
  assert.equal(parseDuration('30d'), 30 * 86_400_000);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.throws(() => parseDuration('soon', '--expires'), /invalid --expires "soon": use a number and a unit, e\.g\. 90m, 12h, 30d or 2w/);
  assert.equal(sinceTime('24h', new Date('2026-01-02T00:00:00Z')), '2026-01-01T00:00:00.000Z');
  assert.equal(sinceTime('2026-01-31'), '2026-01-31T00:00:00.000Z');
});

test('tokens and bearer credentials are cut out of text bound for the audit log', () => {
  assert.equal(redactSecrets('Authorization: Bearer abc.def.ghi'), 'Authorization: Bearer [redacted]');
  assert.equal(redactSecrets(`token slu_0123456789abcdef_${'x'.repeat(43)} here`), 'token [redacted] here');
  assert.equal(redactSecrets('jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'), 'jwt [redacted]');
});
