// Child: the flights demo built on DuckDB and on PostgreSQL in alternation (the same definitions, files and checks).
import { rmSync } from 'node:fs';
import { Sluice } from '../../src/index.js';
import { PostgresWarehouse } from '../../src/engine/postgres/postgres-warehouse.js';
import type { FlightsSources } from '../lib/flights-data.js';
import { benchFlightsProject, flightsDefinition } from '../lib/flights-project.js';
import { FLIGHTS_DIR, scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { createScratchDatabase } from '../lib/scratch-database.js';

interface Args {
  sources: FlightsSources;
  reps: number;
}

type Engine = 'duckdb' | 'postgres';

const { sources, reps } = scenarioArgs<Args>();

const definition = await flightsDefinition(sources);
const { url, drop } = await createScratchDatabase('flights');
const runs: Record<Engine, { totalMs: number; steps: Record<string, number> }[]> = { duckdb: [], postgres: [] };
try {
  for (let rep = 0; rep < reps; rep++) {
    const order: Engine[] = rep % 2 === 0 ? ['duckdb', 'postgres'] : ['postgres', 'duckdb'];
    for (const engine of order) {
      const dataDir = scratchDir(`postgres-flights-${engine}`);
      try {
        const project = benchFlightsProject(definition, dataDir);
        const warehouse = engine === 'postgres' ? { warehouse: () => PostgresWarehouse.open({ url, fileSearchPath: FLIGHTS_DIR }) } : {};
        const [totalMs] = await timed(async () => {
          const sluice = await Sluice.open({ dir: FLIGHTS_DIR, project, ...warehouse });
          try {
            const result = await sluice.materialize({ select: '*' });
            if (result.status !== 'succeeded') throw new Error(`${engine}: ${JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded'))}`);
            runs[engine].push({ totalMs: 0, steps: Object.fromEntries(result.assets.map((a) => [a.key, a.durationMs ?? 0])) });
          } finally {
            await sluice.close();
          }
        });
        runs[engine].at(-1)!.totalMs = totalMs;
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await drop();
}
emitResult({ flightRows: sources.flightRows, ...runs });
