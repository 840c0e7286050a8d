// The secret salt of `hash` masks: from SLUICE_MASK_SALT, else a random one kept beside the metadata store.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's hash salt. Stable across restarts (so a hashed value can be joined on), secret (so a
 * hash cannot be reversed by hashing guesses): `SLUICE_MASK_SALT`, else `mask-salt` next to the
 * metadata file, created once with owner-only permissions.
 * @example const salt = maskSalt(project.metadataPath);
 */
export function maskSalt(metadataPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SLUICE_MASK_SALT;
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const file = join(dirname(metadataPath), 'mask-salt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const salt = randomBytes(32).toString('hex');
  // `wx`: if another process created it meanwhile, keep theirs.
  try {
    writeFileSync(file, `${salt}\n`, { mode: 0o600, flag: 'wx' });
    return salt;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}
