// The one logger of Sluice (pino): library code logs through the Logger it was given, never to stderr itself.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import type { Logger as PinoLogger } from 'pino';

/** What Sluice's modules log with: a pino logger (or anything with its methods). */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

/** How the CLI (or an embedding program) wants log lines. */
export interface LoggerConfig {
  /** `text` (default): one readable line per message, `warning: ` / `error: ` before warnings and errors; `json`: pino's JSON lines. */
  format?: 'text' | 'json';
  /** Lowest level written (default `info`). */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go (default: the process's stderr, looked up at each write). */
  write?: (line: string) => void;
}

/**
 * A logger for Sluice. The default writes readable lines to stderr; pass `write` to capture them.
 * @example
 * const logger = createLogger({ format: 'json' });
 * const sluice = await Sluice.open({ dir: 'examples/flights', logger });
 */
export function createLogger(config: LoggerConfig = {}): Logger {
  const write = config.write ?? ((line: string) => void process.stderr.write(line));
  const json = config.format === 'json';
  // Required when the first logger is made, not imported with the package: commands that open no project
  // (`sluice list`, `--help`) never load pino (~35 ms).
  const { pino } = createRequire(import.meta.url)('pino') as typeof Pino;
  return pino(
    { level: config.level ?? 'info', base: undefined, ...(json ? {} : { timestamp: false }) },
    { write: (line: string) => write(json ? line : textLine(line)) },
  );
}

const PREFIX: ReadonlyArray<[number, string]> = [
  [50, 'error: '],
  [40, 'warning: '],
];

function textLine(json: string): string {
  const { level, msg } = JSON.parse(json) as { level: number; msg?: string };
  const prefix = PREFIX.find(([min]) => level >= min)?.[1] ?? '';
  return `${prefix}${msg ?? ''}\n`;
}
