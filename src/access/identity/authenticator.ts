// Turns credentials (an Authorization header or a session cookie) into a principal, or says why not.
import { randomBytes } from 'node:crypto';
import type { AccessStore, SessionRecord } from '../../store/access-store.js';
import type { AccessControl } from '../grants/access-control.js';
import type { Principal } from '../principal.js';
import { looksLikeApiToken, sha256, verifyApiToken } from './api-tokens.js';
import { OidcVerifier } from './oidc-verifier.js';

/** Longest Authorization header accepted; larger ones are refused before any parsing or hashing. */
export const MAX_AUTHORIZATION_BYTES = 16 * 1024;

/** How the caller proved who they are. */
export type AuthMethod = 'token' | 'oidc' | 'session';

/** The outcome of authenticating one request. */
export type AuthOutcome =
  { ok: true; principal: Principal; method: AuthMethod; tokenId: string | null; session?: SessionRecord } | { ok: false; reason: string };

/** Construction of an authenticator. */
export interface AuthenticatorConfig {
  access: AccessControl;
  store: AccessStore;
  /** Verifies OIDC JWTs (default: built from `access.oidc`, if configured). */
  oidc?: OidcVerifier;
  now?: () => Date;
}

/** A new browser session: the cookie value is shown once, the store keeps its hash. */
export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  expiresAt: string;
  principal: Principal;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/;

/**
 * Authenticates API tokens, OIDC JWTs and session cookies against one access configuration.
 * @example
 * const auth = new Authenticator({ access, store });
 * const outcome = await auth.authenticateHeader(request.headers.get('authorization')!);
 */
export class Authenticator {
  readonly access: AccessControl;
  private readonly store: AccessStore;
  private readonly oidc: OidcVerifier | undefined;
  private readonly now: () => Date;

  constructor(config: AuthenticatorConfig) {
    this.access = config.access;
    this.store = config.store;
    this.oidc = config.oidc ?? (config.access.config.oidc ? new OidcVerifier(config.access.config.oidc) : undefined);
    this.now = config.now ?? (() => new Date());
  }

  /** Checks an `Authorization` header value: `Bearer <API token or OIDC JWT>`. */
  async authenticateHeader(header: string): Promise<AuthOutcome> {
    if (header.length > MAX_AUTHORIZATION_BYTES)
      return { ok: false, reason: `the Authorization header is longer than ${MAX_AUTHORIZATION_BYTES / 1024} KB; send one token as "Bearer <token>"` };
    const match = BEARER.exec(header);
    if (!match)
      return { ok: false, reason: 'malformed Authorization header: expected "Bearer <token>" with an API token (`sluice tokens create`) or an OIDC token' };
    return this.authenticateToken(match[1]!);
  }

  /** Checks a bearer token: an API token (`slu_...`) or, when OIDC is configured, a JWT. */
  async authenticateToken(token: string): Promise<AuthOutcome> {
    if (looksLikeApiToken(token)) {
      const check = await verifyApiToken(this.store, token, this.now());
      if (!check.ok) return check;
      const principal = this.access.principalFor(check.token.user);
      if (!principal)
        return { ok: false, reason: `API token ${check.token.id} belongs to "${check.token.user}", who is no longer in the access configuration` };
      return { ok: true, principal, method: 'token', tokenId: check.token.id };
    }
    if (token.split('.').length === 3) {
      if (!this.oidc) return { ok: false, reason: 'this server does not accept OIDC tokens: configure access.oidc, or send an API token' };
      const check = await this.oidc.verify(token);
      if (!check.ok) return check;
      const principal = this.principalOfIdentity(check.identity.user, check.identity.groups);
      if (!principal) return { ok: false, reason: `OIDC user "${check.identity.user}" is not in access.users and none of their groups is in access.groups` };
      return { ok: true, principal, method: 'oidc', tokenId: null };
    }
    return { ok: false, reason: 'the bearer token is neither an API token (slu_...) nor a JWT' };
  }

  /** Checks a session cookie; a session dies with its expiry, at sign-out, or when its API token is revoked. */
  async authenticateSession(cookieValue: string): Promise<AuthOutcome> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return { ok: false, reason: 'the session cookie is malformed; sign in again' };
    const session = await this.store.findSession(sha256(cookieValue));
    if (!session || Date.parse(session.expiresAt) <= this.now().getTime()) return { ok: false, reason: 'the session has ended; sign in again' };
    if (session.tokenId !== null) {
      const token = await this.store.findToken(session.tokenId);
      if (!token || token.revokedAt !== null) return { ok: false, reason: 'the API token this session signed in with was revoked; sign in again' };
    }
    const principal = this.principalOfIdentity(session.subject, session.groups);
    if (!principal) return { ok: false, reason: `"${session.subject}" is no longer in the access configuration` };
    return { ok: true, principal, method: 'session', tokenId: session.tokenId, session };
  }

  /**
   * Signs in with a bearer token: verifies it and opens a session for the browser.
   * @example const { cookieValue, csrfToken } = await auth.openSession(token);
   */
  async openSession(token: string): Promise<NewSession | { ok: false; reason: string }> {
    const outcome = await this.authenticateToken(token);
    if (!outcome.ok) return outcome;
    const now = this.now();
    const cookieValue = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.access.config.sessionHours * 3_600_000).toISOString();
    await this.store.insertSession({
      idHash: sha256(cookieValue),
      subject: outcome.principal.id,
      groups: outcome.principal.groups,
      tokenId: outcome.tokenId,
      csrfToken,
      createdAt: now.toISOString(),
      expiresAt,
    });
    return { cookieValue, csrfToken, expiresAt, principal: outcome.principal };
  }

  /** Ends the session of a cookie (signing out twice is fine). */
  async closeSession(cookieValue: string): Promise<void> {
    await this.store.deleteSession(sha256(cookieValue));
  }

  private principalOfIdentity(user: string, groups: readonly string[]): Principal | undefined {
    return this.access.principalFor(user, groups) ?? this.access.principalForGroups(user, groups);
  }
}
