// A shared-server fixture: a small project with raw, clean and gold assets, the four users of the flights
// example's shape, an OIDC provider (keys generated here, JWKS served on port 0) and tokens for each user.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

/** Asset keys of the fixture; the viewer may read only the gold ones. */
export const GOLD_KEYS = ['gold/summary', 'gold/daily'] as const;
export const HIDDEN_KEYS = ['raw/orders', 'clean/orders'] as const;
/** Column names that exist only in non-gold assets. */
export const HIDDEN_COLUMNS = ['cost_cents_raw', 'margin_secret', 'order_id'] as const;

export const ISSUER = 'https://idp.example.test';
export const AUDIENCE = 'sluice-fixture';

function config(jwksUrl: string): string {
  return `
import { asset, defineProject } from '@sluice';

export const project = defineProject({
  name: 'access-fixture',
  assets: [
    asset({ key: 'raw/orders', group: 'ingest', sql: "SELECT * FROM (VALUES (1, 'West', 500), (2, 'East', 700), (3, 'West', 900)) AS t(order_id, region, cost_cents_raw)" }),
    asset({ key: 'clean/orders', group: 'transform', sql: 'SELECT order_id, region, cost_cents_raw / 100.0 AS margin_secret FROM raw.orders' }),
    asset({ key: 'gold/summary', group: 'curation', sql: 'SELECT region, count(*) AS orders, sum(margin_secret) AS total_margin FROM clean.orders GROUP BY region' }),
    asset({ key: 'gold/daily', group: 'curation', kind: 'view', sql: 'SELECT region, orders AS order_count FROM gold.summary' }),
  ],
  access: {
    users: {
      admin: { roles: ['admin'] },
      operator: { roles: ['operator'] },
      analyst: { roles: ['viewer'], attributes: { region: 'West' } },
      viewer: { groups: ['gold-readers'] },
    },
    groups: { 'gold-readers': {} },
    grants: [
      { user: 'analyst', role: 'analyst', select: 'group:curation' },
      { group: 'gold-readers', role: 'viewer', select: 'group:curation' },
    ],
    oidc: { issuer: ${JSON.stringify(ISSUER)}, audience: ${JSON.stringify(AUDIENCE)}, jwksUrl: ${JSON.stringify(jwksUrl)}, clockToleranceSeconds: 30 },
  },
});
`;
}

/** An OIDC provider for tests: a signing key and its JWKS on a local HTTP server. */
export interface TestIdentityProvider {
  jwksUrl: string;
  /** Signs a JWT with the provider's key (claims override the defaults: iss, aud, exp in 10 minutes). */
  sign(claims: Record<string, unknown>, options?: { expiresAt?: number; issuer?: string; audience?: string }): Promise<string>;
  /** Signs with a different key under the provider's key id: a wrong signature. */
  signWithWrongKey(claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts an identity provider on 127.0.0.1 port 0.
 * @example const idp = await startIdentityProvider(); const jwt = await idp.sign({ sub: 'admin' });
 */
export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const wrong = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const sign = (key: CryptoKey, claims: Record<string, unknown>, options: { expiresAt?: number; issuer?: string; audience?: string } = {}): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key);
  return {
    jwksUrl,
    sign: (claims, options) => sign(privateKey, claims, options),
    signWithWrongKey: (claims) => sign(wrong.privateKey, claims),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Writes the fixture project, configured to trust `jwksUrl`.
 * @example const project = accessFixtureProject(idp.jwksUrl);
 */
export function accessFixtureProject(jwksUrl: string): TempProject {
  return tempProject({ 'sluice.config.ts': config(jwksUrl) });
}
