// Child: `sluice events replay flights --rate R --limit N --url URL` as the CLI does it: the first N flights in time
// order, POSTed at R events/s to a running `sluice dev`, then the server's latency figures for the gold asset.
import { loadavg } from 'node:os';
import { replayEvents } from '../../src/automation/event-replay.js';
import { datasetPages } from '../../src/cli/commands/events.js';
import { emitResult, scenarioArgs } from '../lib/scenario-io.js';

interface Args {
  url: string;
  source: string;
  asset: string;
  rate: number;
  events: number;
}

const args = scenarioArgs<Args>();
// Sampled when the first batch goes out and after the last one is visible: reading the dataset is not the replay.
let loadAtStart: number | undefined;
const result = await replayEvents(datasetPages('flights', args.events), {
  url: args.url,
  source: args.source,
  asset: args.asset,
  rate: args.rate,
  onProgress: () => {
    loadAtStart ??= loadavg()[0]!;
  },
});
emitResult({ ...result, loadAverage: { start: loadAtStart ?? null, end: loadavg()[0]! } });
