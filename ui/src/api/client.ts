// Typed fetch helpers for the Sluice HTTP API: every failure becomes an ApiError with the server's code and message.
import type { ApiErrorResponse } from '../../../src/server/api-types';
import { csrfToken } from './session';

/** An error returned by the API (`{error:{code,message}}`) or raised by the network. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

function isApiErrorResponse(body: unknown): body is ApiErrorResponse {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    // A signed-in browser echoes its CSRF token on changes (a shared server refuses cookie-authenticated POSTs without it).
    const csrf = init?.method === 'POST' ? csrfToken() : undefined;
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}), ...init?.headers } });
  } catch (cause) {
    throw new ApiError('network_error', `Cannot reach the Sluice server (${String(cause)}). Is \`sluice dev\` running?`, 0);
  }
  // A shared server (`sluice serve`) answers 401 until the browser signs in.
  if (response.status === 401 && window.location.hash !== '#/sign-in') window.location.hash = '#/sign-in';
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // A non-JSON body (an HTML error page, a proxy error) still deserves a readable message.
      if (!response.ok) throw new ApiError(`http_${response.status}`, text.slice(0, 300), response.status);
      throw new ApiError('bad_response', `Expected JSON from ${path}, got: ${text.slice(0, 120)}`, response.status);
    }
  }
  if (!response.ok) {
    if (isApiErrorResponse(body)) throw new ApiError(body.error.code, body.error.message, response.status);
    throw new ApiError(`http_${response.status}`, `${response.status} ${response.statusText} from ${path}`, response.status);
  }
  return body as T;
}

/**
 * GET a JSON resource.
 * @example const { assets } = await getJson<AssetsResponse>('/api/assets');
 */
export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { signal });
}

/**
 * POST a JSON body and read the JSON answer.
 * @example const { runId } = await postJson<LaunchRunResponse>('/api/runs', { select: '+silver/flights' });
 */
export function postJson<T>(path: string, body?: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

/** The API path of an asset key: `silver/flights` -> `/api/assets/silver/flights`. */
export function assetApiPath(key: string): string {
  return `/api/assets/${key.split('/').map(encodeURIComponent).join('/')}`;
}
