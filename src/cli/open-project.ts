// Opens the project of the folder a command runs in (and closes it afterwards), or finds the `sluice dev` that owns it.
import { Sluice } from '../runtime/sluice.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import { findDevServer, type ApiClient } from './api-client.js';

/** Options every project command accepts. */
export interface ProjectOptions {
  project?: string;
  /** A Sluice server to send the command to (`--url`). */
  url?: string;
}

/** Runs `work` with the opened project (warehouse and store), then closes it. */
export async function withSluice<T>(options: ProjectOptions, work: (sluice: Sluice) => Promise<T>): Promise<T> {
  const sluice = await Sluice.open({ dir: options.project ?? process.cwd() });
  try {
    return await work(sluice);
  } finally {
    await sluice.close();
  }
}

/**
 * The server a command must go through instead of opening the warehouse: the one named by `--url`, or the
 * `sluice dev` running for this project (it owns the DuckDB file, which only one process may open).
 * @example const server = devServerFor(options); if (server) return server.get('/api/runs');
 */
export function devServerFor(options: ProjectOptions): ApiClient | undefined {
  return findDevServer(options);
}

/** Loads the project definition only (no warehouse), for commands that only read definitions. */
export function loadDefinitions(options: ProjectOptions): Promise<LoadedProject> {
  return Sluice.load({ dir: options.project ?? process.cwd() });
}
