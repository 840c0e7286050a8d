// The error of a bad `access` configuration, apart from its validator: the package index exports it, and importing the
// validator would load zod (~140 ms) for every command that reads a project's config.
import { SluiceError } from '../../errors.js';

/** A bad access configuration; the message names the path of the bad entry and the fix. */
export class InvalidAccessConfigError extends SluiceError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('INVALID_CONFIG', `invalid access configuration at ${path}: ${detail}`);
  }
}
