// Roles and the single authorization check every route makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceError } from '../../src/errors.js';
import { authorize, isAllowed, LOCAL_DEV_PRINCIPAL, type Action, type Principal, type Role } from '../../src/server/principal.js';

const ACTIONS: Action[] = ['asset:read', 'asset:preview', 'lineage:read', 'run:read', 'run:launch', 'run:cancel', 'run:reexecute', 'check:run', 'stream:read', 'query:sql'];
const as = (...roles: Role[]): Principal => ({ id: roles.join('+'), name: roles.join('+'), roles });

test('the local dev principal is an admin allowed every action', () => {
  assert.deepEqual(LOCAL_DEV_PRINCIPAL.roles, ['admin']);
  for (const action of ACTIONS) assert.ok(isAllowed(LOCAL_DEV_PRINCIPAL, action, { kind: 'project' }), action);
});

test('each role adds to the one below: viewer reads, analyst also sees data, operator also runs', () => {
  const allowed = (role: Role): Action[] => ACTIONS.filter((a) => isAllowed(as(role), a, { kind: 'project' }));
  assert.deepEqual(allowed('viewer'), ['asset:read', 'lineage:read', 'run:read', 'stream:read']);
  assert.deepEqual(allowed('analyst'), ['asset:read', 'asset:preview', 'lineage:read', 'run:read', 'stream:read', 'query:sql']);
  assert.deepEqual(allowed('operator'), ACTIONS);
});

test('a principal with several roles gets the union of their grants', () => {
  assert.ok(isAllowed(as('viewer', 'operator'), 'run:launch', { kind: 'project' }));
});

test('a denied action throws ACCESS_DENIED naming the principal, the action and the resource', () => {
  assert.throws(
    () => authorize(as('viewer'), 'asset:preview', { kind: 'asset', id: 'gold/daily' }),
    (error: unknown) => error instanceof SluiceError && error.code === 'ACCESS_DENIED' && /viewer/.test(error.message) && /asset:preview/.test(error.message) && /gold\/daily/.test(error.message),
  );
  assert.throws(() => authorize(as(), 'run:read', { kind: 'run' }), /roles: none/);
});
