// Errors of the metadata store that any adapter may raise.
import { SluiceError } from '../errors.js';

/**
 * The metadata was written by a newer Sluice: this version does not know its schema and must not touch it.
 * @example throw new SchemaTooNewError('postgres://sluice:***@db/meta', 7, 5);
 */
export class SchemaTooNewError extends SluiceError {
  constructor(
    readonly location: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      'INVALID_CONFIG',
      `the metadata store at ${location} has schema version ${found}, written by a newer Sluice; this Sluice knows versions up to ${known}. ` +
        'Upgrade Sluice (npm install sluice@latest) in every process that uses this store, or point this one at another store.',
    );
  }
}
