// A project's policies, validated against its assets, the published columns and the users' attributes, ready to compile.
import type { Warehouse } from '../../engine/warehouse.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import { parseAssetKey } from '../../model/asset-key.js';
import type { ProjectDefinition } from '../../model/project-definition.js';
import { ROLES } from '../principal.js';
import { maskSalt } from './mask-salt.js';
import { PolicySet } from './policy-set.js';
import { assertValidPolicies } from './policy-validation.js';

/** What loading policies needs from an opened project. */
export interface PolicyProject {
  definition: ProjectDefinition;
  graph: AssetGraph;
  metadataPath: string;
}

/**
 * Validates the project's policies (throws PolicyValidationError listing every problem) and returns them
 * ready to compile per principal. Columns are checked against the published relations; an asset not built
 * yet is checked for everything but its columns.
 * @example const policies = await loadPolicies(sluice.project, sluice.warehouse);
 */
export async function loadPolicies(project: PolicyProject, warehouse: Pick<Warehouse, 'session' | 'parseTree'>, hashSalt?: string): Promise<PolicySet> {
  const policies = project.definition.policies ?? {};
  const columns = new Map<string, string[]>();
  if (Object.keys(policies).length > 0) {
    const session = await warehouse.session();
    try {
      for (const key of Object.keys(policies)) {
        if (!project.graph.has(key)) continue;
        const described = await session.describe(parseAssetKey(key));
        if (described)
          columns.set(
            key,
            described.map((c) => c.name),
          );
      }
    } finally {
      session.close();
    }
  }
  const users = Object.entries(project.definition.access?.users ?? {});
  await assertValidPolicies(policies, {
    assetKeys: project.graph.keys(),
    columnsOf: (key) => columns.get(key),
    parseTree: (sql) => warehouse.parseTree(sql),
    roles: ROLES,
    ...(project.definition.access
      ? {
          users: new Set(users.map(([id]) => id)),
          groups: new Set([...Object.keys(project.definition.access.groups ?? {}), ...users.flatMap(([, u]) => u.groups ?? [])]),
          attributes: new Set(users.flatMap(([, u]) => Object.keys(u.attributes ?? {}))),
        }
      : {}),
  });
  return new PolicySet({ policies, hashSalt: hashSalt ?? maskSalt(project.metadataPath) });
}
