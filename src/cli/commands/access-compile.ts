// `sluice access compile`: the project's policies as Trino access-control rules or PostgreSQL row-level security.
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { compilePostgresPolicies } from '../../access/compile/postgres-policies.js';
import { compileTrinoRules } from '../../access/compile/trino-rules.js';
import { userPolicies, type CompileAsset } from '../../access/compile/user-policies.js';
import { AccessControl } from '../../access/grants/access-control.js';
import { maskSalt } from '../../access/policy/mask-salt.js';
import { assertValidPolicies } from '../../access/policy/policy-validation.js';
import { ROLES } from '../../access/principal.js';
import { DuckDbWarehouse } from '../../engine/duckdb/duckdb-warehouse.js';
import { SluiceError } from '../../errors.js';
import { parseAssetKey } from '../../model/asset-key.js';
import { resolveSelection } from '../../model/selection.js';
import { openStore } from '../../runtime/adapters.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';

const ENGINES = ['trino', 'postgres'] as const;

/** Options of `sluice access compile`. */
export interface AccessCompileOptions {
  engine: (typeof ENGINES)[number];
  /** Only these assets (default: every published one). */
  select?: string;
  /** Trino: the catalog holding the exported tables. */
  catalog?: string;
  /** PostgreSQL: prefix of the roles the script creates. */
  rolePrefix?: string;
}

/**
 * Compiles the policies for an engine. Reads definitions and the metadata store only (the published columns), so it
 * works beside a running `sluice dev`.
 * @example const rules = await compileAccess({ project: 'examples/flights' }, { engine: 'trino', catalog: 'hive' });
 */
export async function compileAccess(options: ProjectOptions, command: AccessCompileOptions): Promise<string> {
  const project = await loadDefinitions(options);
  const { definition, graph } = project;
  if (!definition.access) {
    throw new SluiceError(
      'INVALID_CONFIG',
      'policies are compiled per user, and the project declares none: add defineProject({ access: { users: ... } }) (docs/sharing-with-a-team.md)',
    );
  }
  const access = AccessControl.fromProject(definition.access, graph);
  // Through the composition root, so SLUICE_METADATA_URL (PostgreSQL) is honoured as everywhere else.
  const store = await openStore(project);
  let assets: CompileAsset[];
  try {
    const latest = await store.latestMaterializations();
    const selected = command.select ? resolveSelection(graph, command.select) : new Set(graph.keys());
    assets = graph.order
      .filter((key) => selected.has(key) && latest.has(key))
      .map((key) => ({
        key,
        ...parseAssetKey(key),
        kind: graph.get(key)!.definition.kind === 'view' ? 'view' : 'table',
        columns: latest.get(key)!.schema.map((c) => ({ name: c.name, type: c.type })),
      }));
  } finally {
    await store.close();
  }
  if (assets.length === 0)
    throw new SluiceError('INVALID_CONFIG', 'no selected asset has been published yet; materialize first (the rules name each published column)');
  const policies = definition.policies ?? {};
  // Validated as `sluice dev` validates them (columns from the last materializations), with a parser of its own.
  const parser = await DuckDbWarehouse.open({ path: ':memory:' });
  try {
    const users = Object.entries(definition.access.users);
    await assertValidPolicies(policies, {
      assetKeys: graph.keys(),
      columnsOf: (key) => assets.find((a) => a.key === key)?.columns.map((c) => c.name),
      parseTree: (sql) => parser.parseTree(sql),
      roles: ROLES,
      users: new Set(users.map(([id]) => id)),
      groups: new Set([...Object.keys(definition.access.groups ?? {}), ...users.flatMap(([, u]) => u.groups ?? [])]),
      attributes: new Set(users.flatMap(([, u]) => Object.keys(u.attributes ?? {}))),
    });
  } finally {
    await parser.close();
  }
  const plans = userPolicies({ access, policies, assets });
  const hashSalt = maskSalt(project.metadataPath);
  if (command.engine === 'trino') return `${JSON.stringify(compileTrinoRules(plans, { catalog: command.catalog ?? 'hive', hashSalt }), null, 2)}\n`;
  return compilePostgresPolicies(plans, { rolePrefix: command.rolePrefix ?? '', hashSalt });
}

/** Writes `text` to `path` whole or not at all, readable by the owner only (it may hold the hash salt). */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function parseEngine(value: string): AccessCompileOptions['engine'] {
  if (!(ENGINES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ENGINES.join(', ')}`);
  return value as AccessCompileOptions['engine'];
}

/** Adds `compile` to the `access` command group (created here if `sluice access check` has not created it). */
export function configureAccessCompileCommand(program: Command): void {
  const group = program.commands.find((c) => c.name() === 'access') ?? program.command('access');
  group
    .command('compile')
    .description('write the policies as Trino file-based access-control rules or PostgreSQL row-level security + masking views')
    .requiredOption('--engine <engine>', `target: ${ENGINES.join(', ')}`, parseEngine)
    .option('--out <file>', 'write to FILE (owner-only permissions) instead of printing')
    .option('--select <selection>', 'only these assets (default: every published asset)')
    .option('--catalog <name>', 'Trino: the catalog of the exported tables', 'hive')
    .option('--role-prefix <prefix>', 'PostgreSQL: prefix of the roles the script creates', '')
    .action(async (options: AccessCompileOptions & { out?: string }, command: Command) => {
      const text = await compileAccess(command.optsWithGlobals<ProjectOptions>(), options);
      if (options.out) writeAtomically(options.out, text);
      else process.stdout.write(text);
    });
}
