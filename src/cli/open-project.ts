// Opens the project a command works on: through the `sluice dev` that owns it, or in this process. The one place that chooses.
import { HttpClient } from '../api/http-client.js';
import { LocalClient } from '../api/local-client.js';
import type { SluiceClient } from '../api/sluice-client.js';
import { Sluice } from '../runtime/sluice.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import { findDevServer } from './api-client.js';

/** Options every project command accepts. */
export interface ProjectOptions {
  project?: string;
  /** A Sluice server to send the command to (`--url`). */
  url?: string;
}

/**
 * Runs `work` with a client of the project, then closes it. The client talks to the server named by `--url`
 * or to the `sluice dev` running for this project (it owns the DuckDB file, which only one process may open);
 * otherwise it opens the project here.
 * @example const assets = await withClient({ project: 'examples/flights' }, (client) => client.assets());
 */
export async function withClient<T>(options: ProjectOptions, work: (client: SluiceClient) => Promise<T>): Promise<T> {
  const dir = options.project ?? process.cwd();
  const server = findDevServer(options);
  const client: SluiceClient = server ? new HttpClient(server, () => Sluice.load({ dir })) : await LocalClient.open(await Sluice.open({ dir }));
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Loads the project definition only (no warehouse), for commands that only read definitions. */
export function loadDefinitions(options: ProjectOptions): Promise<LoadedProject> {
  return Sluice.load({ dir: options.project ?? process.cwd() });
}

/** Runs `work` with the project opened in this process, then closes it (for commands that only work on local files, e.g. `sluice access check`). */
export async function withSluice<T>(options: ProjectOptions, work: (sluice: Sluice) => Promise<T>): Promise<T> {
  const sluice = await Sluice.open({ dir: options.project ?? process.cwd() });
  try {
    return await work(sluice);
  } finally {
    await sluice.close();
  }
}
