// Child: one end-to-end Sluice run of the flights example (open, materialize every asset, close) on a scratch warehouse.
import { rmSync } from 'node:fs';
import { Sluice } from '../../src/index.js';
import type { FlightsSources } from '../lib/flights-data.js';
import { benchFlightsProject, flightsDefinition } from '../lib/flights-project.js';
import { FLIGHTS_DIR, scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { countRows } from './row-counts.js';

interface Args {
  sources: FlightsSources;
  verify: boolean;
}

const { sources, verify } = scenarioArgs<Args>();
// Importing sluice.config.ts is left out of the timing: it is tsx compiling TypeScript, not Sluice.
const definition = await flightsDefinition(sources);
const dataDir = scratchDir('flights-sluice');
try {
  const project = benchFlightsProject(definition, dataDir);
  const [openMs, sluice] = await timed(() => Sluice.open({ dir: FLIGHTS_DIR, project }));
  const [materializeMs, result] = await timed(() => sluice.materialize({ select: '*' }));
  if (result.status !== 'succeeded') {
    const failed = result.assets.filter((a) => a.status !== 'succeeded').map((a) => `${a.key}: ${a.status} ${a.error?.message ?? ''}`);
    throw new Error(`flights run ${result.status}:\n${failed.join('\n')}`);
  }
  const session = await sluice.warehouse.session();
  const rowCounts = verify
    ? await countRows(
        (sql) => session.query(sql),
        result.assets.map((a) => a.key),
      )
    : undefined;
  session.close();
  const [closeMs] = await timed(() => sluice.close());
  emitResult({
    openMs,
    materializeMs,
    closeMs,
    totalMs: openMs + materializeMs + closeMs,
    steps: Object.fromEntries(result.assets.map((a) => [a.key, a.durationMs])),
    rowCounts,
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
