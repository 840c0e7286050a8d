// What `defineProject({ access })` declares: users, groups, role grants (optionally scoped) and OIDC sign-in.

/** Roles, from least to most powerful. */
export type AccessRole = 'viewer' | 'analyst' | 'operator' | 'admin';

/** One person (or service) who may use a shared Sluice server. */
export interface AccessUserDefinition {
  /** Display name (default: the user name). */
  name?: string;
  /** Roles on the whole project. */
  roles?: readonly AccessRole[];
  /** Groups of `access.groups` the user belongs to. */
  groups?: readonly string[];
  /** Attributes row policies can refer to, e.g. `{ region: 'West' }`. */
  attributes?: Readonly<Record<string, string>>;
}

/** A group: its members get its roles (members are listed on the users, or come from OIDC group claims). */
export interface AccessGroupDefinition {
  /** Roles on the whole project. */
  roles?: readonly AccessRole[];
  description?: string;
}

/** A role on part of the project, given to one user or one group. */
export interface AccessGrantDefinition {
  /** Exactly one of `user` and `group`. */
  user?: string;
  group?: string;
  role: AccessRole;
  /** Assets it covers, in the selection language (`group:curation`, `tag:layer=gold`, `+gold/x`, a key). */
  select: string;
}

/** Sign-in with OIDC / JWT bearer tokens issued by an identity provider. */
export interface AccessOidcDefinition {
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim (one of). */
  audience: string | readonly string[];
  /** Where the provider publishes its signing keys. */
  jwksUrl: string;
  /** Claim naming the user of `access.users` (default `preferred_username`, then `sub`). */
  userClaim?: string;
  /** Claim holding the group names (default `groups`); only groups of `access.groups` count. */
  groupsClaim?: string;
  /** Allowed clock difference with the provider, in seconds (default 60). */
  clockToleranceSeconds?: number;
}

/** The access configuration of a project shared by a team (required by `sluice serve`). */
export interface AccessDefinition {
  users: Readonly<Record<string, AccessUserDefinition>>;
  groups?: Readonly<Record<string, AccessGroupDefinition>>;
  grants?: readonly AccessGrantDefinition[];
  oidc?: AccessOidcDefinition;
  /** How long a UI session lasts, in hours (default 12). */
  sessionHours?: number;
}
