// Who is calling and what they may do: the API's single authorization point (roles now, row policies later).
import { SluiceError } from '../errors.js';

/** Roles, from least to most powerful. */
export type Role = 'viewer' | 'analyst' | 'operator' | 'admin';

/** The caller of one request. */
export interface Principal {
  id: string;
  name: string;
  roles: readonly Role[];
}

/** Everything a route can ask permission for. */
export type Action =
  | 'asset:read'
  | 'asset:preview'
  | 'lineage:read'
  | 'run:read'
  | 'run:launch'
  | 'run:cancel'
  | 'run:reexecute'
  | 'check:run'
  | 'stream:read'
  | 'query:sql';

/** What an action is about; row policies and column masks will key on `kind` and `id`. */
export interface Resource {
  kind: 'project' | 'asset' | 'run' | 'warehouse';
  /** Asset key or run id; absent for collections. */
  id?: string;
}

/** Resolves the principal of a request (from a session, a token, a proxy header...). */
export type PrincipalResolver = (request: Request) => Principal | Promise<Principal>;

/** The one user of `sluice dev` on a laptop: an admin, since the server binds 127.0.0.1 only. */
export const LOCAL_DEV_PRINCIPAL: Principal = Object.freeze({ id: 'local', name: 'local developer', roles: Object.freeze(['admin'] as const) });

/** The resolver `sluice dev` uses: every request is the local developer. */
export const localDevPrincipal: PrincipalResolver = () => LOCAL_DEV_PRINCIPAL;

const VIEWER: readonly Action[] = ['asset:read', 'lineage:read', 'run:read', 'stream:read'];
const ANALYST: readonly Action[] = [...VIEWER, 'asset:preview', 'query:sql'];
const OPERATOR: readonly Action[] = [...ANALYST, 'run:launch', 'run:cancel', 'run:reexecute', 'check:run'];

/** Actions each role grants (admins get all of them, including those added later). */
const GRANTS: Record<Exclude<Role, 'admin'>, ReadonlySet<Action>> = {
  viewer: new Set(VIEWER),
  analyst: new Set(ANALYST),
  operator: new Set(OPERATOR),
};

/** Thrown when a principal may not perform an action; the API answers 403. */
export class AccessDeniedError extends SluiceError {
  constructor(readonly principal: Principal, readonly action: Action, readonly resource: Resource) {
    const target = resource.id ? `${resource.kind} "${resource.id}"` : `${resource.kind}s`;
    super('ACCESS_DENIED', `"${principal.name}" (roles: ${principal.roles.join(', ') || 'none'}) may not ${action} on ${target}; ask an admin for a role that grants it`);
  }
}

/** Whether `principal` may perform `action` on `resource`. */
export function isAllowed(principal: Principal, action: Action, _resource: Resource): boolean {
  // Row policies and column masks will narrow this per resource; roles are the whole story for now.
  return principal.roles.some((role) => role === 'admin' || GRANTS[role].has(action));
}

/**
 * Throws AccessDeniedError unless `principal` may perform `action` on `resource`. Every route calls it.
 * @example authorize(principal, 'run:launch', { kind: 'project' });
 */
export function authorize(principal: Principal, action: Action, resource: Resource): void {
  if (!isAllowed(principal, action, resource)) throw new AccessDeniedError(principal, action, resource);
}
