// Who is calling and what they may do: the one authorization point of the API, the CLI and the governed read path.
import { SluiceError } from '../errors.js';

/** Roles, from least to most powerful. */
export type Role = 'viewer' | 'analyst' | 'operator' | 'admin';

/** Every role, least powerful first. */
export const ROLES: readonly Role[] = ['viewer', 'analyst', 'operator', 'admin'];

/**
 * A role held on part of the project only: the assets a selection (`group:curation`, `tag:layer=gold`,
 * `+gold/x`, an asset key) resolved to when the principal was built.
 */
export interface ScopedGrant {
  role: Role;
  /** The selection as written in the access configuration (shown in messages). */
  selection: string;
  /** Asset keys the selection resolved to. */
  keys: ReadonlySet<string>;
}

/** The caller of one request. */
export interface Principal {
  /** Stable id: the user name of the access configuration, or `local` for `sluice dev`. */
  id: string;
  /** Display name. */
  name: string;
  /** Roles held on the whole project. */
  roles: readonly Role[];
  /** Roles held on some assets only (in addition to `roles`). */
  grants: readonly ScopedGrant[];
  /** Groups of the access configuration (or from OIDC claims) the principal belongs to. */
  groups: readonly string[];
  /** Attributes for row policies, e.g. `{ region: 'West' }`. */
  attributes: Readonly<Record<string, string>>;
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
  | 'query:sql'
  | 'audit:read'
  | 'warehouse:change';

/**
 * What an action is about. Changes to the `project` and anything on the `warehouse` need a role on the whole
 * project unless `assets` names what the action touches (then each of them must be granted). Reads without an
 * id (and run reads) are collections: allowed when any grant allows the action, the answer then being narrowed
 * to the assets the principal may read.
 */
export interface Resource {
  kind: 'project' | 'asset' | 'run' | 'warehouse';
  /** Asset key or run id; absent for collections. */
  id?: string;
  /** Asset keys the action reads or changes (a run's selection, the tables of a query). */
  assets?: readonly string[];
}

/** Resolves the principal of a request (from a session, a token, a proxy header...). */
export type PrincipalResolver = (request: Request) => Principal | Promise<Principal>;

/** The one user of `sluice dev` on a laptop: an admin, since the server binds 127.0.0.1 only. */
export const LOCAL_DEV_PRINCIPAL: Principal = Object.freeze({
  id: 'local',
  name: 'local developer',
  roles: Object.freeze(['admin'] as const),
  grants: Object.freeze([]),
  groups: Object.freeze([]),
  attributes: Object.freeze({}),
});

/** The resolver `sluice dev` uses: every request is the local developer. */
export const localDevPrincipal: PrincipalResolver = () => LOCAL_DEV_PRINCIPAL;

const VIEWER: readonly Action[] = ['asset:read', 'lineage:read', 'run:read', 'stream:read'];
const ANALYST: readonly Action[] = [...VIEWER, 'asset:preview', 'query:sql'];
const OPERATOR: readonly Action[] = [...ANALYST, 'run:launch', 'run:cancel', 'run:reexecute', 'check:run'];

/** Actions each role grants (admins get all of them, including those added later). */
const ROLE_ACTIONS: Record<Exclude<Role, 'admin'>, ReadonlySet<Action>> = {
  viewer: new Set(VIEWER),
  analyst: new Set(ANALYST),
  operator: new Set(OPERATOR),
};

/**
 * Whether `role` grants `action` (the role table every check derives from).
 * @example roleAllows('analyst', 'query:sql') // true
 */
function roleAllows(role: Role, action: Action): boolean {
  return role === 'admin' || ROLE_ACTIONS[role].has(action);
}

/** Thrown when a principal may not perform an action; the API answers 403. */
export class AccessDeniedError extends SluiceError {
  constructor(
    readonly principal: Principal,
    readonly action: Action,
    readonly resource: Resource,
  ) {
    // The message names the resource only by what the caller sent: it never reveals keys they may not read.
    const target = resource.id
      ? `${resource.kind} "${resource.id}"`
      : resource.assets
        ? `the selected ${resource.kind === 'warehouse' ? 'tables' : 'assets'}`
        : `${resource.kind}s`;
    super('ACCESS_DENIED', `"${principal.name}" (roles: ${describeRoles(principal)}) may not ${action} on ${target}; ask an admin for a role that grants it`);
  }
}

function describeRoles(principal: Principal): string {
  const scoped = principal.grants.map((g) => `${g.role} on ${g.selection}`);
  return [...principal.roles, ...scoped].join(', ') || 'none';
}

/** Reads whose answers are filtered per asset, so a grant on some assets is enough to ask. */
const COLLECTION_READS: ReadonlySet<Action> = new Set(['asset:read', 'lineage:read', 'run:read', 'stream:read']);

/** Whether a role held on the whole project grants the action. */
function globallyAllowed(principal: Principal, action: Action): boolean {
  return principal.roles.some((role) => roleAllows(role, action));
}

/** Whether the principal may perform `action` on one asset. */
function allowedOnAsset(principal: Principal, action: Action, key: string): boolean {
  return globallyAllowed(principal, action) || principal.grants.some((g) => g.keys.has(key) && roleAllows(g.role, action));
}

/**
 * Whether `principal` may perform `action` on `resource`.
 * @example isAllowed(principal, 'asset:preview', { kind: 'asset', id: 'gold/airport_daily_delays' })
 */
export function isAllowed(principal: Principal, action: Action, resource: Resource): boolean {
  if (globallyAllowed(principal, action)) return true;
  if (resource.assets && resource.assets.length > 0) return resource.assets.every((key) => allowedOnAsset(principal, action, key));
  if (resource.kind === 'asset' && resource.id !== undefined) return allowedOnAsset(principal, action, resource.id);
  // Reading a collection (or a run) with a scoped grant is allowed: what it returns is narrowed per asset (visibility.ts).
  if (COLLECTION_READS.has(action) && resource.kind !== 'warehouse' && resource.id === undefined)
    return principal.grants.some((g) => roleAllows(g.role, action));
  if (COLLECTION_READS.has(action) && resource.kind === 'run') return principal.grants.some((g) => roleAllows(g.role, action));
  return false;
}

/**
 * Throws AccessDeniedError unless `principal` may perform `action` on `resource`. Every route calls it.
 * @example authorize(principal, 'run:launch', { kind: 'project', assets: ['gold/airport_daily_delays'] });
 */
export function authorize(principal: Principal, action: Action, resource: Resource): void {
  if (!isAllowed(principal, action, resource)) throw new AccessDeniedError(principal, action, resource);
}

/**
 * Whether `principal` may learn anything about asset `key` (its key, columns, SQL, checks, runs, lineage).
 * @example if (!mayRead(principal, 'silver/flights')) throw new AssetNotFoundError('silver/flights');
 */
export function mayRead(principal: Principal, key: string): boolean {
  return allowedOnAsset(principal, 'asset:read', key);
}

/**
 * Whether `principal` may see the rows of asset `key` (previews, failing samples, queries).
 * @example mayPreview(analystWest, 'gold/region_monthly_summary') // true
 */
export function mayPreview(principal: Principal, key: string): boolean {
  return allowedOnAsset(principal, 'asset:preview', key);
}

/**
 * Whether `principal` may read tables outside the assets (event landing tables, rejected events, external tables)
 * as they are: no policy describes their rows, so only those who may change the whole warehouse read them.
 * @example mayReadRawTables(LOCAL_DEV_PRINCIPAL) // true
 */
export function mayReadRawTables(principal: Principal): boolean {
  return globallyAllowed(principal, 'warehouse:change');
}

/**
 * Whether `principal` reads every asset (then no filtering is needed at all).
 * @example if (readsEverything(principal)) return assets;
 */
export function readsEverything(principal: Principal): boolean {
  return globallyAllowed(principal, 'asset:read');
}

/**
 * The keys among `keys` that `principal` may read, in their order.
 * @example const visible = readableKeys(principal, graph.keys());
 */
export function readableKeys(principal: Principal, keys: Iterable<string>): string[] {
  const all = [...keys];
  return readsEverything(principal) ? all : all.filter((key) => mayRead(principal, key));
}

/**
 * A principal that holds roles on the whole project only (tests, tools, the local developer).
 * @example const viewer = principalWithRoles('ci', ['viewer']);
 */
export function principalWithRoles(id: string, roles: readonly Role[]): Principal {
  return { id, name: id, roles, grants: [], groups: [], attributes: {} };
}
