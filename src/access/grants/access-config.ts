// Validates `defineProject({ access })` against the asset graph: shapes with zod, then names and selections.
import { z } from 'zod';
import { InvalidAccessConfigError } from './access-config-error.js';
import type { AccessDefinition } from '../../model/access-definition.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { resolveSelection } from '../../model/selection.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const nameMessage = 'use letters, digits, ".", "_", "@" and "-" (at most 128 characters, starting with a letter or digit)';
const Name = z.string().regex(NAME, nameMessage);
const Role = z.enum(['viewer', 'analyst', 'operator', 'admin']);

const User = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  roles: z.array(Role).optional(),
  groups: z.array(Name).optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'attribute names are identifiers: letters, digits and _'), z.string().max(1000))
    .optional(),
});

const Group = z.strictObject({ roles: z.array(Role).optional(), description: z.string().optional() });

const Grant = z
  .strictObject({ user: Name.optional(), group: Name.optional(), role: Role, select: z.string().trim().min(1, 'must name assets, e.g. "group:curation"') })
  .refine((g) => (g.user === undefined) !== (g.group === undefined), 'give exactly one of `user` and `group`');

const Oidc = z.strictObject({
  issuer: z.string().min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  jwksUrl: z.url({ protocol: /^https?$/ }),
  userClaim: z.string().min(1).optional(),
  groupsClaim: z.string().min(1).optional(),
  clockToleranceSeconds: z.number().int().min(0).max(600).optional(),
});

const Access = z.strictObject({
  users: z.record(Name, User).refine((users) => Object.keys(users).length > 0, 'name at least one user, e.g. users: { admin: { roles: ["admin"] } }'),
  groups: z.record(Name, Group).optional(),
  grants: z.array(Grant).optional(),
  oidc: Oidc.optional(),
  sessionHours: z
    .number()
    .positive()
    .max(24 * 30)
    .optional(),
});

/** A scoped grant with the keys its selection resolved to. */
export interface ResolvedGrant {
  user?: string;
  group?: string;
  role: z.infer<typeof Role>;
  select: string;
  keys: ReadonlySet<string>;
}

/** A validated access configuration. */
export interface AccessConfig {
  users: Readonly<Record<string, z.infer<typeof User>>>;
  groups: Readonly<Record<string, z.infer<typeof Group>>>;
  grants: readonly ResolvedGrant[];
  oidc?: z.infer<typeof Oidc>;
  sessionHours: number;
}

/** `["users", "analyst-west", "roles", 0]` -> `access.users["analyst-west"].roles[0]` */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const name = String(part);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${text}.${name}` : `${text}[${JSON.stringify(name)}]`;
  }, 'access');
}

/**
 * Checks the access configuration and resolves each scoped grant's selection against the asset graph.
 * @example const config = validateAccessConfig(project.definition.access, project.graph);
 */
export function validateAccessConfig(raw: AccessDefinition | undefined, graph: AssetGraph): AccessConfig {
  if (raw === undefined)
    throw new InvalidAccessConfigError('access', 'it is missing; add `access: { users: { ... } }` to defineProject() (see docs/sharing-with-a-team.md)');
  const parsed = Access.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A bad record key (a user or group name) carries the reason in its own nested issues.
    const detail = issue.code === 'invalid_key' ? `not a valid name: ${issue.issues[0]?.message ?? nameMessage}` : issue.message;
    throw new InvalidAccessConfigError(pathOf(issue.path), detail);
  }
  const { users, groups = {}, grants = [], oidc, sessionHours = 12 } = parsed.data;
  for (const [user, definition] of Object.entries(users)) {
    (definition.groups ?? []).forEach((group, i) => {
      if (!Object.hasOwn(groups, group))
        throw new InvalidAccessConfigError(pathOf(['users', user, 'groups', i]), unknown('group', group, Object.keys(groups), 'access.groups'));
    });
  }
  const resolved = grants.map((grant, i): ResolvedGrant => {
    if (grant.user !== undefined && !Object.hasOwn(users, grant.user))
      throw new InvalidAccessConfigError(pathOf(['grants', i, 'user']), unknown('user', grant.user, Object.keys(users), 'access.users'));
    if (grant.group !== undefined && !Object.hasOwn(groups, grant.group))
      throw new InvalidAccessConfigError(pathOf(['grants', i, 'group']), unknown('group', grant.group, Object.keys(groups), 'access.groups'));
    let keys: Set<string>;
    try {
      keys = resolveSelection(graph, grant.select);
    } catch (error) {
      throw new InvalidAccessConfigError(pathOf(['grants', i, 'select']), error instanceof Error ? error.message : String(error));
    }
    return { ...grant, keys };
  });
  return { users, groups, grants: resolved, ...(oidc ? { oidc } : {}), sessionHours };
}

function unknown(what: string, name: string, known: readonly string[], where: string): string {
  const suggestion = didYouMean(name, known);
  return `${what} "${name}" is not defined in ${where}${suggestion ? `; did you mean "${suggestion}"?` : `; define it there first`}`;
}
