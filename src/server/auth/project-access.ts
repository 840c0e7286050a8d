// Opens the access layer of a project for a shared server: validated configuration, token/audit store, middleware.
import { AccessControl } from '../../access/grants/access-control.js';
import { SluiceError } from '../../errors.js';
import type { Sluice } from '../../runtime/sluice.js';
import type { AccessStore } from '../../store/access-store.js';
import { SqliteAccessStore } from '../../store/sqlite/sqlite-access-store.js';
import { sharedAccess, type SharedAccess } from './shared-access.js';

/** The access layer of a running server. */
export interface ProjectAccess {
  shared: SharedAccess;
  access: AccessControl;
  store: AccessStore;
  close(): Promise<void>;
}

/** Thrown when a server must authenticate but the project declares no access configuration. */
export class AccessNotConfiguredError extends SluiceError {
  constructor(readonly why: string) {
    super(
      'INVALID_CONFIG',
      `${why}, but the project has no access configuration. Add one to sluice.config.ts, e.g.\n` +
        `  defineProject({ ..., access: { users: { admin: { roles: ['admin'] } } } })\n` +
        `then create a token with \`sluice tokens create --user admin\` (see docs/sharing-with-a-team.md)`,
    );
  }
}

/**
 * Validates the project's `access` against its asset graph and opens the token and audit store beside its metadata.
 * @example const { shared, close } = await openProjectAccess(sluice, 'sluice serve authenticates every request');
 */
export async function openProjectAccess(sluice: Sluice, why: string): Promise<ProjectAccess> {
  const { definition, graph, metadataPath } = sluice.project;
  if (definition.access === undefined) throw new AccessNotConfiguredError(why);
  const access = AccessControl.fromProject(definition.access, graph);
  const store = openAccessStore(metadataPath);
  return { shared: sharedAccess({ access, store, assetKeys: () => sluice.project.graph.keys() }), access, store, close: () => store.close() };
}

/**
 * The access store of a project's metadata location.
 * @example const store = openAccessStore(project.metadataPath);
 */
export function openAccessStore(metadataPath: string): AccessStore {
  return SqliteAccessStore.open({ path: metadataPath });
}
