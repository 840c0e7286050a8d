// Finds sluice.config.ts, imports it, reads SQL files, infers SQL dependencies and builds the asset graph.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf, SluiceError, UnknownDependencyError } from '../errors.js';
import type { AssetDefinition } from '../model/asset-definition.js';
import { AssetGraph, type AssetNode } from '../model/asset-graph.js';
import { didYouMean } from '../model/did-you-mean.js';
import type { QualifiedName } from '../model/asset-key.js';
import type { ProjectDefinition } from '../model/project-definition.js';
import type { Warehouse } from '../engine/warehouse.js';
import { importCompiledConfig } from './compiled-config.js';
import { importWithTypeScript } from './typescript-loader.js';

/** Names the loader looks for, in order. */
const PROJECT_FILES = ['sluice.config.ts', 'sluice.config.mts', 'sluice.config.js', 'sluice.config.mjs'] as const;

/** A project ready to plan and run. */
export interface LoadedProject {
  dir: string;
  file: string;
  definition: ProjectDefinition;
  graph: AssetGraph;
  /** Absolute paths of the warehouse and metadata files. */
  warehousePath: string;
  metadataPath: string;
  /** Named parameters (`$partition_start`...) each SQL asset uses, parsed once at load instead of at every run. */
  sqlParameters?: ReadonlyMap<string, readonly string[]>;
}

/** Anything that can parse SQL into table references and parameters (a warehouse, or an in-memory one). */
export type SqlParser = Pick<Warehouse, 'tableReferences' | 'sqlParameters'>;

/** The project file of `dir` or of its nearest parent folder that has one. */
export function findProjectFile(dir: string): string {
  let current = resolve(dir);
  for (;;) {
    for (const name of PROJECT_FILES) {
      const candidate = join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  throw new SluiceError(
    'PROJECT_NOT_FOUND',
    `no sluice.config.ts in "${resolve(dir)}" or its parents; create one (see README "Define assets") or run the command in a project folder`,
  );
}

/** Imports a project file and returns its `project` (or default) export. */
export async function importProjectFile(file: string): Promise<ProjectDefinition> {
  let module: Record<string, unknown>;
  try {
    // The modification time in the URL makes a long-lived process (sluice dev) see an edited config.
    module = (await importCompiledConfig(file)) ?? (await importWithTypeScript(`${pathToFileURL(file).href}?mtime=${statSync(file).mtimeMs}`));
  } catch (cause) {
    if (cause instanceof SluiceError) throw cause;
    const message = messageOf(cause);
    throw new SluiceError('INVALID_CONFIG', `cannot load "${file}": ${message}`, { cause });
  }
  const project = (module.project ?? module.default) as ProjectDefinition | undefined;
  if (!project || project.kind !== 'sluice-project') {
    throw new SluiceError('INVALID_CONFIG', `"${file}" must export \`project = defineProject({...})\``);
  }
  return project;
}

/**
 * Loads the project of a folder: imports its definition and builds the validated graph.
 * @example const project = await loadProject(process.cwd(), parser);
 */
export async function loadProject(dir: string, parser: SqlParser): Promise<LoadedProject> {
  const file = findProjectFile(dir);
  const definition = await importProjectFile(file);
  return resolveProject(definition, dirname(file), file, parser);
}

/** Builds the graph of an already-imported definition (reads SQL files, infers deps). */
export async function resolveProject(definition: ProjectDefinition, projectDir: string, file: string, parser: SqlParser): Promise<LoadedProject> {
  const assets = definition.assets.map((a) => withChecks(withSqlFileRead(a, projectDir), definition));
  const keys = new Set(assets.map((a) => a.key));
  for (const key of Object.keys(definition.checks)) {
    if (!keys.has(key)) {
      const suggestion = didYouMean(key, keys);
      throw new SluiceError(
        'UNKNOWN_DEPENDENCY',
        `the project declares checks for asset "${key}", which is not defined${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      );
    }
  }
  const external = new Set(definition.externalTables);
  const analyses = await analyseStatements(assets, parser);
  const parameters = new Map<string, readonly string[]>();
  const nodes: AssetNode[] = assets.map((asset) => {
    const deps = new Set(asset.declaredDeps);
    if (asset.sql !== undefined) {
      const analysis = analysisOf(asset, analyses.get(asset.sql)!);
      for (const dep of inferredDeps(asset, analysis.tables, keys, external)) deps.add(dep);
      parameters.set(asset.key, analysis.parameters);
    }
    // A check comparing with another asset must see that asset's new version: build it first.
    for (const check of asset.checks) if ('to' in check && check.to !== asset.key) deps.add(check.to);
    return { definition: asset, deps: [...deps].sort() };
  });
  return {
    dir: projectDir,
    file,
    definition,
    graph: AssetGraph.build(nodes),
    warehousePath: inProject(projectDir, definition.warehousePath),
    metadataPath: inProject(projectDir, definition.metadataPath),
    sqlParameters: parameters,
  };
}

type StatementAnalysis = PromiseSettledResult<{ tables: QualifiedName[]; parameters: string[] }>;

/**
 * Each distinct statement analysed once, every request issued together: the parser batches them (awaited one by one
 * they cost ~3x more on large projects), and projects repeat statements.
 */
async function analyseStatements(assets: readonly AssetDefinition[], parser: SqlParser): Promise<Map<string, StatementAnalysis>> {
  const statements = [...new Set(assets.flatMap((asset) => (asset.sql === undefined ? [] : [asset.sql])))];
  const settled = await Promise.allSettled(
    statements.map(async (sql) => {
      const [tables, parameters] = await Promise.all([parser.tableReferences(sql), parser.sqlParameters(sql)]);
      return { tables, parameters };
    }),
  );
  return new Map(statements.map((sql, i) => [sql, settled[i]!]));
}

/** A statement the parser refused is reported with the asset (and file) it belongs to. */
function analysisOf(asset: AssetDefinition, analysis: StatementAnalysis): { tables: QualifiedName[]; parameters: string[] } {
  if (analysis.status === 'fulfilled') return analysis.value;
  const message = messageOf(analysis.reason);
  throw new SluiceError('INVALID_DEFINITION', `asset "${asset.key}" (${asset.sqlSource}): ${message}`, { cause: analysis.reason });
}

function withChecks(asset: AssetDefinition, definition: ProjectDefinition): AssetDefinition {
  const declared = Object.hasOwn(definition.checks, asset.key) ? definition.checks[asset.key]! : [];
  // Most assets of a large project have at most one check of their own: nothing to merge or compare.
  if (declared.length === 0 && asset.checks.length < 2) return asset;
  const checks = [...asset.checks, ...declared];
  const names = new Set<string>();
  for (const check of checks) {
    if (names.has(check.name))
      throw new SluiceError('INVALID_DEFINITION', `asset "${asset.key}" has two checks named "${check.name}"; give one a different \`name\``);
    names.add(check.name);
  }
  return checks.length === asset.checks.length ? asset : Object.freeze({ ...asset, checks });
}

function inProject(projectDir: string, path: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : join(projectDir, path);
}

function withSqlFileRead(asset: AssetDefinition, projectDir: string): AssetDefinition {
  if (asset.sqlFile === undefined) return asset;
  const path = inProject(projectDir, asset.sqlFile);
  try {
    return Object.freeze({ ...asset, sql: readFileSync(path, 'utf8'), sqlSource: path });
  } catch (cause) {
    throw new SluiceError('INVALID_DEFINITION', `asset "${asset.key}": cannot read SQL file "${path}"; sqlFile paths are relative to the project folder`, {
      cause,
    });
  }
}

function inferredDeps(asset: AssetDefinition, refs: readonly QualifiedName[], keys: Set<string>, external: Set<string>): string[] {
  const deps: string[] = [];
  for (const ref of refs) {
    const key = `${ref.schema}/${ref.name}`;
    if (key === asset.key) continue;
    if (keys.has(key)) deps.push(key);
    else if (!external.has(key)) {
      const detail = `its SQL in ${asset.sqlSource} reads ${ref.schema}.${ref.name}; a table outside Sluice goes in the project's externalTables`;
      throw new UnknownDependencyError(asset.key, key, didYouMean(key, keys), detail);
    }
  }
  return deps;
}
