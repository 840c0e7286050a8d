// Who each configured user is: their roles on the whole project, scoped grants, groups and attributes.
import type { AccessDefinition } from '../../model/access-definition.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { authorize, isAllowed, mayRead, type Action, type Principal, type Resource, type Role, type ScopedGrant } from '../principal.js';
import { validateAccessConfig, type AccessConfig } from './access-config.js';

/**
 * The access configuration of a project, ready to answer "who is this user" and "may they do this".
 * @example
 * const access = AccessControl.fromProject(project.definition.access, project.graph);
 * const viewer = access.principalFor('viewer');
 * access.mayRead(viewer!, 'silver/flights'); // false in the flights example
 */
export class AccessControl {
  /** Principals are built once per user and group set: the configuration does not change while a server runs. */
  private readonly principals = new Map<string, Principal>();

  constructor(readonly config: AccessConfig) {}

  /** Validates `access` against the asset graph (throws InvalidAccessConfigError naming the bad entry). */
  static fromProject(access: AccessDefinition | undefined, graph: AssetGraph): AccessControl {
    return new AccessControl(validateAccessConfig(access, graph));
  }

  /** Whether `name` is a user of the configuration. */
  hasUser(name: string): boolean {
    return Object.hasOwn(this.config.users, name);
  }

  /** Whether `name` is a group of the configuration. */
  hasGroup(name: string): boolean {
    return Object.hasOwn(this.config.groups, name);
  }

  /**
   * The principal of a configured user, plus `extraGroups` (e.g. from an OIDC token; unknown groups are ignored).
   * Undefined when the user is not configured.
   */
  principalFor(user: string, extraGroups: readonly string[] = []): Principal | undefined {
    if (!this.hasUser(user)) return undefined;
    const cacheKey = [user, ...extraGroups].join('\u0000');
    let principal = this.principals.get(cacheKey);
    if (!principal) {
      const definition = this.config.users[user]!;
      principal = this.build(
        user,
        definition.name ?? user,
        definition.roles ?? [],
        [...(definition.groups ?? []), ...extraGroups],
        definition.attributes ?? {},
      );
      this.principals.set(cacheKey, principal);
    }
    return principal;
  }

  /**
   * The principal of someone known only by groups (an OIDC user not listed in `access.users`); undefined
   * when none of the groups is configured, so that strangers get no access at all.
   */
  principalForGroups(id: string, groups: readonly string[]): Principal | undefined {
    const known = groups.filter((g) => this.hasGroup(g));
    return known.length === 0 ? undefined : this.build(id, id, [], known, {});
  }

  private build(id: string, name: string, userRoles: readonly Role[], groupNames: readonly string[], attributes: Readonly<Record<string, string>>): Principal {
    const groups = [...new Set(groupNames.filter((g) => this.hasGroup(g)))];
    const roles = new Set<Role>(userRoles);
    for (const group of groups) for (const role of this.config.groups[group]!.roles ?? []) roles.add(role);
    const grants: ScopedGrant[] = this.config.grants
      .filter((g) => (g.user !== undefined ? g.user === id : groups.includes(g.group!)))
      .map((g) => ({ role: g.role, selection: g.select, keys: g.keys }));
    return Object.freeze({ id, name, roles: [...roles], grants, groups, attributes });
  }

  /** See `mayRead` in principal.ts. */
  mayRead(principal: Principal, key: string): boolean {
    return mayRead(principal, key);
  }

  /** See `isAllowed` in principal.ts. */
  isAllowed(principal: Principal, action: Action, resource: Resource): boolean {
    return isAllowed(principal, action, resource);
  }

  /** See `authorize` in principal.ts. */
  authorize(principal: Principal, action: Action, resource: Resource): void {
    authorize(principal, action, resource);
  }
}
