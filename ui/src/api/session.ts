// The browser session of a shared server (`sluice serve`): the CSRF token to echo, sign-in and sign-out.
import { signInHref } from '../routing/route';

/** Cookie the server sets beside the HttpOnly session cookie; its value goes back in `x-csrf-token`. */
const CSRF_COOKIE = 'sluice_csrf';

/**
 * The CSRF token of the signed-in session, or undefined (no session: `sluice dev`, or signed out).
 * @example const token = csrfToken(); if (token) headers['x-csrf-token'] = token;
 */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE && value.length > 0) return value.join('=');
  }
  return undefined;
}

/** Whether this browser holds a session (then the UI offers Sign out and the Audit page). */
export function isSignedIn(): boolean {
  return csrfToken() !== undefined;
}

/** What signing in answers with. */
export interface SignInResult {
  user: { id: string; name: string; roles: string[]; groups: string[] };
}

/**
 * Exchanges a token (an API token or an OIDC token) for a session cookie.
 * @example await signIn(pastedToken); location.assign('/#/');
 */
export async function signIn(token: string): Promise<SignInResult> {
  const response = await fetch('/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<SignInResult> & { error?: { message?: string } };
  if (!response.ok || !body.user) throw new Error(body.error?.message ?? `sign-in failed (HTTP ${response.status})`);
  return body as SignInResult;
}

/** Ends the session and returns to the sign-in page. */
export async function signOut(): Promise<void> {
  const token = csrfToken();
  await fetch('/auth/sign-out', { method: 'POST', headers: token ? { 'x-csrf-token': token } : {} }).catch(() => undefined);
  window.location.assign(`/${signInHref()}`);
}
