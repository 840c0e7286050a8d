// The flights example as the bench runs it: its own definitions on a scratch warehouse, and the same SQL without Sluice.
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sluice, sqlString, type ProjectDefinition } from '../../src/index.js';
import { importProjectFile } from '../../src/runtime/project-loader.js';
import type { FlightsSources } from './flights-data.js';
import { FLIGHTS_DIR, REPO_ROOT } from './paths.js';

/** One statement of the orchestration-free baseline. */
export interface DirectStatement {
  key: string;
  schema: string;
  name: string;
  kind: 'table' | 'view';
  select: string;
}

let aliased = false;

/**
 * The example imports `sluice`, which resolves to dist/ (whatever was last built, possibly stale). The bench measures
 * the working tree, so that import is pointed at src/index.ts, as every other bench import is.
 */
function aliasSluiceToSource(): void {
  if (aliased) return;
  aliased = true;
  const target = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href);
  const hooks = `export async function resolve(specifier, context, next) {
    return specifier === 'sluice' ? { url: ${target}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/**
 * The example's own definition, imported as the CLI would import it (but against src/, see aliasSluiceToSource). With
 * a row subset (quick mode), its bronze/flights reads the subset through ingestion as it reads the whole file, by the
 * variable the example honours for that.
 */
export function flightsDefinition(sources: FlightsSources): Promise<ProjectDefinition> {
  aliasSluiceToSource();
  if (!sources.original) process.env.SLUICE_FLIGHTS_PARQUET = sources.flightsParquet;
  return importProjectFile(join(FLIGHTS_DIR, 'sluice.config.ts'));
}

// The TypeScript bronze assets' SQL, reproduced because nothing can read it out of a compute function.
// Keep these in step with examples/flights/sluice.config.ts: the row-count check of every run flags drift.
function bronzeFlightsSelect(parquet: string, batchIdSql: string): string {
  return `SELECT date, delay, distance, origin, destination,
            ${batchIdSql} AS _batch_id, now() AS _ingested_at, 'vega-datasets/data/flights-3m.parquet' AS _source
          FROM read_parquet(${sqlString(parquet)})`;
}

function bronzeAirportsSelect(csv: string): string {
  return `SELECT * FROM read_csv(${sqlString(csv)}, header = true,
            columns = {'iata': 'VARCHAR', 'name': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR',
                       'country': 'VARCHAR', 'latitude': 'DOUBLE', 'longitude': 'DOUBLE'})`;
}

const REPRODUCED: Readonly<Record<string, (sources: FlightsSources) => string>> = {
  'bronze/flights': (s) => bronzeFlightsSelect(s.flightsParquet, `'bench'`),
  'bronze/airports': (s) => bronzeAirportsSelect(s.airportsCsv),
};

/**
 * The example's project writing to `dataDir` instead of examples/flights/data.
 * @example Sluice.open({ dir: FLIGHTS_DIR, project: benchFlightsProject(definition, scratch) })
 */
export function benchFlightsProject(definition: ProjectDefinition, dataDir: string): ProjectDefinition {
  // Spread rather than defineProject(): project settings added later (lineage, checks) come along unchanged.
  return { ...definition, warehousePath: join(dataDir, 'warehouse.duckdb'), metadataPath: join(dataDir, 'sluice.sqlite') };
}

/** The orchestration-free baseline's statements, and how many checks Sluice runs that the baselines do not. */
export interface DirectPlan {
  statements: DirectStatement[];
  checks: number;
}

/**
 * Every asset of the example as one statement, in the graph's dependency order: SQL assets verbatim, TypeScript
 * assets reproduced. Throws when the example gains a TypeScript asset the bench does not know.
 */
export async function directStatements(sources: FlightsSources): Promise<DirectPlan> {
  const loaded = await Sluice.load({ dir: FLIGHTS_DIR, project: await flightsDefinition(sources) });
  const statements = loaded.graph.order.map((key) => {
    const definition = loaded.graph.get(key)!.definition;
    const [schema, name] = key.split('/') as [string, string];
    const select = definition.sql ?? REPRODUCED[key]?.(sources);
    if (select === undefined) {
      throw new Error(`asset "${key}" is a TypeScript compute the bench cannot reproduce; add its SQL to REPRODUCED in bench/lib/flights-project.ts`);
    }
    return { key, schema, name, kind: definition.kind, select: select.trim().replace(/;\s*$/, '') };
  });
  const checks = loaded.graph.order.reduce((sum, key) => sum + (loaded.graph.get(key)!.definition.checks?.length ?? 0), 0);
  return { statements, checks };
}
