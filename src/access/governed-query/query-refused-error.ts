// The refusal of a governed read: what was refused and why, in words the caller can act on.
import { SluiceError } from '../../errors.js';

/**
 * Thrown when a governed query is not allowed (not read-only, a forbidden function, a relation the
 * principal may not read, a side output whose owner's policy does not fit it) or cannot run within its limits; the API answers 403 for refusals, 400 otherwise.
 * @example throw new QueryRefusedError('function', 'read_csv reads files on the server');
 */
export class QueryRefusedError extends SluiceError {
  constructor(
    /** What kind of rule refused it, for the audit log. */
    readonly rule: 'statement' | 'function' | 'relation' | 'hidden' | 'parameter' | 'syntax' | 'timeout' | 'engine',
    reason: string,
  ) {
    super(rule === 'syntax' || rule === 'timeout' || rule === 'engine' ? 'SQL_ERROR' : 'ACCESS_DENIED', reason);
  }
}
