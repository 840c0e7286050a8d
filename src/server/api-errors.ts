// Typed API errors: every failure leaves the server as `{error:{code,message}}` with a status that fits its code.
import type { ZodError } from 'zod';
import { SluiceError } from '../errors.js';
import type { ApiErrorResponse } from './api-types.js';

/** HTTP statuses the API answers errors with. */
export type ErrorStatus = 400 | 403 | 404 | 409 | 500 | 501;

/** An error raised by the HTTP layer itself (bad payloads, unknown routes), with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Status of each Sluice error code the client can act on; everything else is the server's fault (500). */
const STATUS_BY_CODE: Readonly<Record<string, ErrorStatus>> = {
  INVALID_SELECTION: 400,
  INVALID_IDENTIFIER: 400,
  ASSET_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  ACCESS_DENIED: 403,
  GOVERNED_READS_NEED_DUCKDB: 501,
};

/**
 * The status and body an error is answered with.
 * @example errorResponse(new RunNotFoundError('r1')) // { status: 404, body: { error: { code: 'RUN_NOT_FOUND', ... } } }
 */
export function errorResponse(error: unknown): { status: ErrorStatus; body: ApiErrorResponse } {
  if (error instanceof HttpError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof SluiceError) {
    return { status: STATUS_BY_CODE[error.code] ?? 500, body: { error: { code: error.code, message: error.message } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'INTERNAL', message: `unexpected server error: ${message}; see the \`sluice dev\` terminal` } } };
}

/** A 400 naming each invalid field of a payload, e.g. `select: expected string, received number`. */
export function invalidRequest(what: string, error: ZodError): HttpError {
  const problems = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : what}: ${issue.message}`);
  return new HttpError(400, 'INVALID_REQUEST', `invalid ${what}: ${problems.join('; ')}`);
}
