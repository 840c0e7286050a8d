// OIDC / JWT bearer tokens: signature against the provider's JWKS, issuer, audience, expiry with clock skew.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { AccessOidcDefinition } from '../../model/access-definition.js';

/** Who a valid JWT names. */
export interface OidcIdentity {
  /** The value of the user claim (`preferred_username`, then `sub`, unless configured). */
  user: string;
  /** Group names from the groups claim. */
  groups: string[];
}

/** The outcome of verifying a JWT. */
export type OidcCheck = { ok: true; identity: OidcIdentity } | { ok: false; reason: string };

/**
 * Verifies JWTs issued by one OIDC provider; the key set is fetched once and refreshed when an unknown key id appears.
 * @example const verifier = new OidcVerifier({ issuer, audience: 'sluice', jwksUrl }); await verifier.verify(jwt);
 */
export class OidcVerifier {
  private readonly keys;

  constructor(private readonly config: AccessOidcDefinition) {
    this.keys = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<OidcCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        audience: typeof this.config.audience === 'string' ? this.config.audience : [...this.config.audience],
        clockTolerance: this.config.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      // jose's messages name the failed check (e.g. `"exp" claim timestamp check failed`) and never the token.
      return { ok: false, reason: `the OIDC token is not valid: ${error instanceof Error ? error.message : String(error)}` };
    }
    const claim = this.config.userClaim;
    const user = claim ? payload[claim] : (payload['preferred_username'] ?? payload.sub);
    if (typeof user !== 'string' || user === '')
      return { ok: false, reason: `the OIDC token has no "${claim ?? 'preferred_username or sub'}" claim naming the user` };
    const rawGroups = payload[this.config.groupsClaim ?? 'groups'];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : typeof rawGroups === 'string' ? [rawGroups] : [];
    return { ok: true, identity: { user, groups } };
  }
}
