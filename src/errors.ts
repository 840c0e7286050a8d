// The error hierarchy: every failure Sluice reports carries a stable code, the ids involved and the fix.

/** Stable, machine-readable error codes. */
export type SluiceErrorCode =
  | 'INVALID_IDENTIFIER'
  | 'DUPLICATE_ASSET'
  | 'UNKNOWN_DEPENDENCY'
  | 'CYCLE'
  | 'INVALID_DEFINITION'
  | 'INVALID_SELECTION'
  | 'ASSET_NOT_FOUND'
  | 'PROJECT_NOT_FOUND'
  | 'SQL_ERROR'
  | 'COMPUTE_ERROR'
  | 'RUN_NOT_FOUND'
  | 'RUN_CANCELED'
  | 'ASSET_LOCKED'
  | 'CHECK_FAILED'
  | 'INVALID_CONFIG'
  | 'SOURCE_ERROR'
  | 'ACCESS_DENIED'
  | 'UNAUTHENTICATED'
  | 'PROJECT_EXISTS'
  | 'SERVER_UNAVAILABLE'
  | 'GOVERNED_READS_NEED_DUCKDB';

/**
 * Root of every error Sluice throws on purpose.
 * @example
 * try { await materialize(project) } catch (e) { if (e instanceof SluiceError) console.error(e.code, e.message) }
 */
export class SluiceError extends Error {
  readonly code: SluiceErrorCode;
  constructor(code: SluiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A name that cannot be used as a schema, table or column identifier. */
export class InvalidIdentifierError extends SluiceError {
  constructor(
    readonly identifier: string,
    readonly context: string,
  ) {
    super(
      'INVALID_IDENTIFIER',
      `${context}: "${identifier}" is not a valid identifier; use letters, digits and underscores, starting with a letter or underscore (at most 63 characters)`,
    );
  }
}

/** Two assets declared with the same key. */
export class DuplicateAssetError extends SluiceError {
  constructor(readonly key: string) {
    super('DUPLICATE_ASSET', `asset "${key}" is defined more than once; give each asset a unique key`);
  }
}

/** An asset depends on a key that no asset defines. */
export class UnknownDependencyError extends SluiceError {
  constructor(
    readonly key: string,
    readonly dependency: string,
    readonly suggestion?: string,
    detail?: string,
  ) {
    super(
      'UNKNOWN_DEPENDENCY',
      `asset "${key}" depends on "${dependency}", which is not defined` +
        (detail ? ` (${detail})` : '') +
        (suggestion ? `; did you mean "${suggestion}"?` : '; define it or remove the dependency'),
    );
  }
}

/** The dependency graph has a cycle; `path` starts and ends with the same key. */
export class CycleError extends SluiceError {
  constructor(readonly path: readonly string[]) {
    super('CYCLE', `assets form a dependency cycle: ${path.join(' -> ')}; remove one of these dependencies`);
  }
}

/** A selection expression matched nothing or could not be parsed. */
export class InvalidSelectionError extends SluiceError {
  constructor(message: string) {
    super('INVALID_SELECTION', message);
  }
}

/** No asset has the given key. */
export class AssetNotFoundError extends SluiceError {
  constructor(
    readonly key: string,
    readonly suggestion?: string,
  ) {
    super('ASSET_NOT_FOUND', `asset "${key}" is not defined` + (suggestion ? `; did you mean "${suggestion}"?` : '; run `sluice list` to see the assets'));
  }
}

/** No run has the given id. */
export class RunNotFoundError extends SluiceError {
  constructor(readonly runId: string) {
    super('RUN_NOT_FOUND', `run "${runId}" does not exist; run \`sluice runs\` to see recent run ids`);
  }
}

/** Blocking data-quality checks failed on a staged table, so it was not published. */
export class CheckFailedError extends SluiceError {
  constructor(
    readonly assetKey: string,
    readonly failedChecks: readonly { checkName: string; failingCount: number; totalCount: number; error?: { message: string } }[],
  ) {
    const details = failedChecks
      .map((c) => (c.error ? `"${c.checkName}" could not run (${c.error.message})` : `"${c.checkName}" (${c.failingCount} of ${c.totalCount} rows failing)`))
      .join(', ');
    super(
      'CHECK_FAILED',
      `asset "${assetKey}": blocking check${failedChecks.length > 1 ? 's' : ''} ${details} failed; the previous version stays published and downstream assets are skipped. See \`sluice check\` results, fix the data or the check, and re-run`,
    );
  }
}

/** The Sluice server a command talks to could not be reached, or answered with a failure of its own. */
export class ServerUnavailableError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVER_UNAVAILABLE', message, options);
  }
}

/** Turns anything thrown (by Sluice, DuckDB or user code) into a plain, storable error object. */
export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/** Serializes an unknown thrown value so it can be stored in the event log and shown in the UI. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const serialized: SerializedError = { name: error.name, message: error.message };
    if (error instanceof SluiceError) serialized.code = error.code;
    if (error.stack) serialized.stack = error.stack;
    if (error.cause !== undefined && depth < 4) serialized.cause = serializeError(error.cause, depth + 1);
    return serialized;
  }
  return { name: 'Error', message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)) };
}

/**
 * The message of anything thrown: an Error's message, a string as is, anything else as JSON.
 * @example catch (error) { log(`could not start: ${messageOf(error)}`) }
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
