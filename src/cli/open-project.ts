// Opens the project of the folder a command runs in, and closes it afterwards whatever happens.
import { Sluice } from '../runtime/sluice.js';
import type { LoadedProject } from '../runtime/project-loader.js';

/** Options every project command accepts. */
export interface ProjectOptions {
  project?: string;
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

/** Loads the project definition only (no warehouse), for commands that only read definitions. */
export function loadDefinitions(options: ProjectOptions): Promise<LoadedProject> {
  return Sluice.load({ dir: options.project ?? process.cwd() });
}
