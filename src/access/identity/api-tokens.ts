// API tokens: `slu_<id>_<secret>`, printed once, stored only as the SHA-256 of the secret.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SluiceError } from '../../errors.js';
import type { AccessStore, TokenRecord } from '../../store/access-store.js';

/** What `sluice tokens create` prints, the only time the secret is ever shown. */
export interface CreatedToken {
  id: string;
  /** The whole token to send as `Authorization: Bearer <token>`. */
  token: string;
  user: string;
  expiresAt: string | null;
}

/** Options of a new token. */
export interface CreateTokenOptions {
  user: string;
  /** Lifetime such as `30d`, `12h`, `90m` (default: never expires). */
  expiresIn?: string;
  description?: string;
  now?: Date;
}

/** The outcome of checking a token against the store. */
export type TokenCheck = { ok: true; token: TokenRecord } | { ok: false; reason: string };

const TOKEN = /^slu_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `30d` -> 2592000000. Throws a readable error for anything else.
 * @example parseDuration('12h') // 43200000
 */
export function parseDuration(text: string, what = 'duration'): number {
  const match = /^(\d{1,6})\s*([smhdw])$/.exec(text.trim());
  if (!match) throw new SluiceError('INVALID_CONFIG', `invalid ${what} "${text}": use a number and a unit, e.g. 90m, 12h, 30d or 2w`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Hex SHA-256: tokens carry 256 random bits, so a fast hash is enough (no password stretching needed). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Creates a token for `user` and stores its hash; the returned `token` is never stored.
 * @example const { token } = await createApiToken(store, { user: 'viewer', expiresIn: '30d' });
 */
export async function createApiToken(store: AccessStore, options: CreateTokenOptions): Promise<CreatedToken> {
  const now = options.now ?? new Date();
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = options.expiresIn === undefined ? null : new Date(now.getTime() + parseDuration(options.expiresIn, '--expires')).toISOString();
  await store.insertToken({
    id,
    user: options.user,
    secretHash: sha256(secret),
    createdAt: now.toISOString(),
    expiresAt,
    revokedAt: null,
    description: options.description ?? null,
  });
  return { id, token: `slu_${id}_${secret}`, user: options.user, expiresAt };
}

/** Whether `text` has the shape of a Sluice API token (not whether it is valid). */
export function looksLikeApiToken(text: string): boolean {
  return text.startsWith('slu_');
}

/**
 * Checks an API token: well-formed, known, secret matching, not revoked, not expired.
 * @example const check = await verifyApiToken(store, bearer); if (check.ok) console.log(check.token.user);
 */
export async function verifyApiToken(store: AccessStore, text: string, now: Date = new Date()): Promise<TokenCheck> {
  const match = TOKEN.exec(text);
  if (!match) return { ok: false, reason: 'the API token is malformed; tokens look like slu_<16 hex>_<43 characters>, as `sluice tokens create` prints them' };
  const record = await store.findToken(match[1]!);
  const expected = record ? Buffer.from(record.secretHash, 'hex') : Buffer.alloc(32);
  const given = createHash('sha256').update(match[2]!).digest();
  // Compared in constant time even for unknown ids, so timing tells nothing about which ids exist.
  if (!timingSafeEqual(expected, given) || !record)
    return { ok: false, reason: 'the API token is not valid; create one with `sluice tokens create --user NAME`' };
  if (record.revokedAt !== null) return { ok: false, reason: `API token ${record.id} was revoked at ${record.revokedAt}` };
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime())
    return { ok: false, reason: `API token ${record.id} expired at ${record.expiresAt}` };
  return { ok: true, token: record };
}
