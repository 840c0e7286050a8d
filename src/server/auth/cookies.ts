// The session and CSRF cookies of the web UI: HttpOnly session, script-readable CSRF token, both SameSite=Strict.

/** Holds the session secret; JavaScript cannot read it. */
export const SESSION_COOKIE = 'sluice_session';
/** Holds the CSRF token the UI echoes in `x-csrf-token` on state-changing requests (double submit). */
export const CSRF_COOKIE = 'sluice_csrf';
/** The header that carries the CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Reads one cookie from a `Cookie` header.
 * @example readCookie('a=1; sluice_session=xyz', 'sluice_session') // 'xyz'
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Options of one Set-Cookie line. */
export interface CookieOptions {
  httpOnly: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  /** Only over HTTPS (set when the request came over HTTPS). */
  secure: boolean;
}

/**
 * A `Set-Cookie` value with `Path=/` and `SameSite=Strict`.
 * @example setCookie('sluice_session', value, { httpOnly: true, maxAge: 3600, secure: false })
 */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${options.maxAge}`,
    'SameSite=Strict',
    ...(options.httpOnly ? ['HttpOnly'] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
