// Opens the project a command works on: through the `sluice dev` that owns it, or in this process. The one place that chooses.
import { HttpClient } from '../api/http-client.js';
import { LocalClient } from '../api/local-client.js';
import type { SluiceClient } from '../api/sluice-client.js';
import { failAbandonedRuns, Sluice } from '../runtime/sluice.js';
import { openStore } from '../runtime/adapters.js';
import { assetSummaries, readAssetState } from '../server/asset-views.js';
import type { LoadedProject } from '../runtime/project-loader.js';
import { findDevServer } from './api-client.js';

/** Options every project command accepts. */
export interface ProjectOptions {
  project?: string;
  /** A Sluice server to send the command to (`--url`). */
  url?: string;
  /** A client its caller opened and closes (see `main`): commands use it instead of opening the project again. */
  client?: SluiceClient;
}

/**
 * Runs `work` with a client of the project, then closes it. The client talks to the server named by `--url`
 * or to the `sluice dev` running for this project (it owns the DuckDB file, which only one process may open);
 * otherwise it opens the project here.
 * @example const assets = await withClient({ project: 'examples/flights' }, (client) => client.assets());
 */
export async function withClient<T>(options: ProjectOptions, work: (client: SluiceClient) => Promise<T>): Promise<T> {
  if (options.client) return work(options.client);
  const client = await openClient(options);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/**
 * The client of the project, as every command opens it: the server named by `--url` or the project's running
 * `sluice dev`, else the project opened in this process. The caller closes it.
 * @example const client = await openClient({ project: 'examples/flights' });
 */
export async function openClient(options: ProjectOptions): Promise<SluiceClient> {
  const dir = options.project ?? process.cwd();
  const server = findDevServer(options);
  return server ? new HttpClient(server, () => Sluice.load({ dir })) : LocalClient.open(await Sluice.open({ dir }));
}

/** What reading the asset listing needs: the server's answer, or the same views computed here. */
export type AssetListingClient = Pick<SluiceClient, 'assets'>;

/**
 * Runs `work` with a reader of the asset listing. Through a server it is the client above; here it reads the
 * definitions and the metadata store alone, with the view functions GET /api/assets answers the project's owner
 * with: no warehouse (DuckDB is not even loaded) and no HTTP app, which cost a plain `sluice list` most of its time.
 * @example const assets = await withAssetListing({ project: 'examples/flights' }, (client) => client.assets());
 */
export async function withAssetListing<T>(options: ProjectOptions, work: (client: AssetListingClient) => Promise<T>): Promise<T> {
  const dir = options.project ?? process.cwd();
  if (findDevServer(options)) return withClient(options, work);
  const project = await Sluice.load({ dir });
  const store = await openStore(project);
  try {
    // As opening the project would: a run whose process died is failed first, so its assets do not list as they were.
    await failAbandonedRuns(store);
    return await work({ assets: async () => assetSummaries(project.graph, await readAssetState(project.graph, store, new Set())) });
  } finally {
    await store.close();
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
