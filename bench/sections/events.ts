// Section 4: event-to-gold latency. The real flights replayed as events to a real `sluice dev` of
// examples/flights/events, at several rates; each replay on a fresh server, and gold checked against a batch build.
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ReplayResult } from '../../src/automation/event-replay.js';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import { runScenario } from '../lib/child.js';
import { DevServerProcess } from '../lib/dev-server-process.js';
import { copyFlightsEventsProject, EVENTS_GOLD_ASSET, EVENTS_SOURCE, goldCheckSql, type GoldCheck } from '../lib/flights-events-project.js';
import type { BenchOptions } from '../lib/options.js';
import { scratchDir } from '../lib/paths.js';
import { progress } from '../lib/progress.js';
import { summarize, type Summary } from '../lib/stats.js';

/** The replay child's result line. */
interface ReplayRun extends ReplayResult {
  loadAverage: { start: number | null; end: number };
  peakRssMb: number;
}

/** One replay, as measured. */
export interface EventsReplay {
  rep: number;
  /** Events per second asked for, and achieved (events sent / time from the first send to the last). */
  rate: number;
  achievedRate: number;
  events: number;
  requests: number;
  sendMs: number;
  /** Event received by the server -> published in the gold asset, per event (ms). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Spawning `sluice dev` until it listened, its daemon ran and its start-up builds were done. */
  readyMs: number;
  /** 1-minute load average when the first batch went out and when the last event was visible in gold. */
  loadAverage: { start: number; end: number };
  devPeakRssMb: number | null;
  gold: GoldCheck;
}

/** The replays at one rate, summarized over the repetitions. */
export interface EventsRate {
  rate: number;
  events: number;
  achievedRate: Summary;
  p50Ms: Summary;
  p99Ms: Summary;
  maxMs: Summary;
  loadStart: Summary;
  loadEnd: Summary;
  /** The highest peak RSS of the server over the repetitions. */
  devPeakRssMb: number | null;
  /** Rows of the gold table at the end (every repetition has the same, or the bench fails). */
  goldRows: number;
}

export interface EventsResult {
  source: string;
  asset: string;
  cores: number;
  /** Seconds of events each replay sends: rate x seconds events. */
  seconds: number;
  readyMs: Summary;
  rates: EventsRate[];
  replays: EventsReplay[];
  notes: string[];
}

/** Replays at every rate `reps` times, each on a fresh server; the order of the rates rotates each repetition. */
export async function runEvents(options: BenchOptions): Promise<EventsResult> {
  const { rates, seconds } = options.events;
  const replays: EventsReplay[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    const order = rates.map((_, i) => rates[(i + rep) % rates.length]!);
    for (const rate of order) {
      const events = Math.round(rate * seconds);
      progress(`events rep ${rep + 1}/${options.reps}: ${events} flights at ${rate}/s to a fresh sluice dev`);
      replays.push(await replayOnce(rep, rate, events));
    }
  }
  const summaries = rates.map((rate): EventsRate => {
    const runs = replays.filter((r) => r.rate === rate);
    const peaks = runs.flatMap((r) => (r.devPeakRssMb === null ? [] : [r.devPeakRssMb]));
    return {
      rate,
      events: runs[0]!.events,
      achievedRate: summarize(runs.map((r) => r.achievedRate)),
      p50Ms: summarize(runs.map((r) => r.p50Ms)),
      p99Ms: summarize(runs.map((r) => r.p99Ms)),
      maxMs: summarize(runs.map((r) => r.maxMs)),
      loadStart: summarize(runs.map((r) => r.loadAverage.start)),
      loadEnd: summarize(runs.map((r) => r.loadAverage.end)),
      devPeakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
      goldRows: runs[0]!.gold.batchRows,
    };
  });
  return {
    source: EVENTS_SOURCE,
    asset: EVENTS_GOLD_ASSET,
    cores: cpus().length,
    seconds,
    readyMs: summarize(replays.map((r) => r.readyMs)),
    rates: summaries,
    replays,
    notes: [
      `each replay: a scratch copy of examples/flights/events, a fresh \`sluice dev --port 0\` (its daemon quiet, start-up builds done), then the first ${seconds} s worth of flights in time order POSTed in 50 ms batches, as \`sluice events replay flights --rate R --limit N --url URL\` sends them`,
      `latency is the server's: from a POST's arrival to the moment the run consuming its events published ${EVENTS_GOLD_ASSET} (the asset's succeeded event); p50/p99 are over events, then the median over ${options.reps} repetition${options.reps === 1 ? '' : 's'}`,
      `after each replay every event was visible, bronze.flights held each event once, and ${EVENTS_GOLD_ASSET} equalled the batch pipeline's SQL (examples/flights/sql) over the same flights, row by row; otherwise the section fails`,
      'the server also runs what the example runs beside the hot path: the quarantine and the region summary rebuilt at most every 5 s, and the replaying process shares the machine',
    ],
  };
}

async function goldCheck(projectDir: string, events: number): Promise<GoldCheck> {
  const warehouse = await DuckDbWarehouse.open({ path: join(projectDir, 'data', 'warehouse.duckdb') });
  const session = await warehouse.session();
  try {
    const [row] = await session.query(goldCheckSql(events));
    return row as unknown as GoldCheck;
  } finally {
    session.close();
    await warehouse.close();
  }
}

async function replayOnce(rep: number, rate: number, events: number): Promise<EventsReplay> {
  const scratch = scratchDir('events');
  let dev: DevServerProcess | undefined;
  try {
    dev = await DevServerProcess.start(copyFlightsEventsProject(scratch), EVENTS_SOURCE);
    const loadBefore = loadavg()[0]!;
    const run = await runScenario<ReplayRun>(
      'events-replay',
      { url: dev.url, source: EVENTS_SOURCE, asset: EVENTS_GOLD_ASSET, rate, events },
      { timeoutMs: (events / rate) * 1000 + 240_000 },
    );
    const { latency } = run;
    if (run.sent !== events) throw new Error(`the replay sent ${run.sent} events, expected ${events}`);
    if (latency.visible < run.sent || latency.p50 === null || latency.p99 === null || latency.max === null) {
      throw new Error(`only ${latency.visible} of ${run.sent} events became visible in ${run.asset} within the replay's 60 s`);
    }
    // The server's query API reads only published assets (no read_parquet): the check runs on its warehouse once it stopped.
    const devPeakRssMb = dev.peakRssMb();
    await dev.stop();
    const gold = await goldCheck(dev.projectDir, events);
    if (gold.missing !== 0 || gold.extra !== 0 || gold.bronzeRows !== events || gold.bronzeEventIds !== events || gold.batchRows === 0) {
      throw new Error(`after ${events} events at ${rate}/s, gold is not what a batch build of them gives: ${JSON.stringify(gold)}`);
    }
    return {
      rep,
      rate,
      achievedRate: run.achievedRate,
      events,
      requests: run.requests,
      sendMs: run.sendMs,
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      maxMs: latency.max,
      readyMs: dev.readyMs,
      loadAverage: { start: run.loadAverage.start ?? loadBefore, end: run.loadAverage.end },
      devPeakRssMb,
      gold,
    };
  } finally {
    await dev?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
