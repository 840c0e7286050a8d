// Maps failures to exit codes and readable messages: 0 ok, 1 a run failed, 2 bad usage or definitions.
import { ServerUnavailableError, SluiceError } from '../errors.js';

/** Process exit codes of every command. */
export const EXIT = { ok: 0, runFailed: 1, usage: 2 } as const;

/** Thrown by commands whose work ran but did not succeed (a failed run): exit 1 without a stack. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

/** Prints an error for a human and returns the exit code it maps to. */
export function reportError(error: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  // A lost server is not a usage error: the work may have run; the message says what to do.
  if (error instanceof CommandFailed || error instanceof ServerUnavailableError) {
    write(error.message);
    return EXIT.runFailed;
  }
  if (error instanceof SluiceError) {
    write(`error [${error.code}]: ${error.message}`);
    return error.code === 'SQL_ERROR' || error.code === 'COMPUTE_ERROR' ? EXIT.runFailed : EXIT.usage;
  }
  const commanderCode = (error as { code?: string }).code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.runFailed;
}
