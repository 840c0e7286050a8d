// The credentials the CLI sends to a shared server (`sluice serve`): the token in SLUICE_TOKEN, as a bearer token.
import type { FetchLike } from '../api/api-client.js';

/** Where the CLI reads its token from. */
const TOKEN_VARIABLE = 'SLUICE_TOKEN';

/**
 * A fetch that adds `Authorization: Bearer $SLUICE_TOKEN` when the variable is set (`sluice dev` needs none).
 * @example new ApiClient(url, serverFetch());
 */
export function serverFetch(env: NodeJS.ProcessEnv = process.env, send: FetchLike = globalThis.fetch): FetchLike {
  const token = env[TOKEN_VARIABLE]?.trim();
  if (!token) return send;
  return (input, init = {}) => send(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } });
}
