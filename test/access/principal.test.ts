// Roles and the single authorization check every route makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceError } from '../../src/errors.js';
import {
  authorize,
  isAllowed,
  LOCAL_DEV_PRINCIPAL,
  mayRead,
  principalWithRoles,
  readableKeys,
  type Action,
  type Principal,
  type Role,
} from '../../src/access/principal.js';

const ACTIONS: Action[] = [
  'asset:read',
  'asset:preview',
  'lineage:read',
  'run:read',
  'run:launch',
  'run:cancel',
  'run:reexecute',
  'check:run',
  'stream:read',
  'query:sql',
  'audit:read',
];
const as = (...roles: Role[]): Principal => principalWithRoles(roles.join('+'), roles);

test('the local dev principal is an admin allowed every action', () => {
  assert.deepEqual(LOCAL_DEV_PRINCIPAL.roles, ['admin']);
  for (const action of ACTIONS) assert.ok(isAllowed(LOCAL_DEV_PRINCIPAL, action, { kind: 'project' }), action);
});

test('each role adds to the one below: viewer reads, analyst also sees data, operator also runs', () => {
  const allowed = (role: Role): Action[] => ACTIONS.filter((a) => isAllowed(as(role), a, { kind: 'project' }));
  assert.deepEqual(allowed('viewer'), ['asset:read', 'lineage:read', 'run:read', 'stream:read']);
  assert.deepEqual(allowed('analyst'), ['asset:read', 'asset:preview', 'lineage:read', 'run:read', 'stream:read', 'query:sql']);
  assert.deepEqual(
    allowed('operator'),
    ACTIONS.filter((a) => a !== 'audit:read'),
  );
  assert.deepEqual(allowed('admin'), ACTIONS);
});

test('a principal with several roles gets the union of their grants', () => {
  assert.ok(isAllowed(as('viewer', 'operator'), 'run:launch', { kind: 'project' }));
});

test('a denied action throws ACCESS_DENIED naming the principal, the action and the resource', () => {
  assert.throws(
    () => authorize(as('viewer'), 'asset:preview', { kind: 'asset', id: 'gold/daily' }),
    (error: unknown) =>
      error instanceof SluiceError &&
      error.code === 'ACCESS_DENIED' &&
      /viewer/.test(error.message) &&
      /asset:preview/.test(error.message) &&
      /gold\/daily/.test(error.message),
  );
  assert.throws(() => authorize(as(), 'run:read', { kind: 'run' }), /roles: none/);
});

/** Analyst on the gold assets, viewer on nothing else: the scoped grant of the flights example. */
const scoped: Principal = {
  ...principalWithRoles('analyst-gold', []),
  grants: [{ role: 'analyst', selection: 'group:curation', keys: new Set(['gold/a', 'gold/b']) }],
};

test('a scoped grant allows its actions on the selected assets only', () => {
  assert.ok(isAllowed(scoped, 'asset:preview', { kind: 'asset', id: 'gold/a' }));
  assert.ok(!isAllowed(scoped, 'asset:preview', { kind: 'asset', id: 'silver/x' }));
  assert.ok(mayRead(scoped, 'gold/b'));
  assert.ok(!mayRead(scoped, 'silver/x'));
  assert.deepEqual(readableKeys(scoped, ['silver/x', 'gold/a', 'gold/b']), ['gold/a', 'gold/b']);
});

test('a scoped grant opens reads of collections (narrowed later) but never project-wide changes', () => {
  assert.ok(isAllowed(scoped, 'asset:read', { kind: 'asset' }));
  assert.ok(isAllowed(scoped, 'run:read', { kind: 'run', id: 'r1' }));
  assert.ok(isAllowed(scoped, 'lineage:read', { kind: 'project' }));
  assert.ok(!isAllowed(scoped, 'asset:preview', { kind: 'asset' }), 'previews are per asset');
  assert.ok(!isAllowed(scoped, 'run:launch', { kind: 'project' }));
  assert.ok(!isAllowed(scoped, 'query:sql', { kind: 'warehouse' }));
});

test('an action on several assets needs a grant on every one of them', () => {
  assert.ok(isAllowed(scoped, 'query:sql', { kind: 'warehouse', assets: ['gold/a', 'gold/b'] }));
  assert.ok(!isAllowed(scoped, 'query:sql', { kind: 'warehouse', assets: ['gold/a', 'silver/x'] }));
  assert.throws(
    () => authorize(scoped, 'query:sql', { kind: 'warehouse', assets: ['silver/x'] }),
    (error: unknown) => error instanceof SluiceError && !/silver/.test(error.message) && /analyst on group:curation/.test(error.message),
  );
});
