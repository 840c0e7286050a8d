// Section: what authentication and authorization add to each API request of `sluice serve`, beside the same
// request unauthenticated (`sluice dev`); target below 0.2 ms median for a token check.
import { runScenario } from '../lib/child.js';
import { cell, ms, ratio, table } from '../lib/format.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';

export interface AccessRow {
  variant: string;
  /** Per-request median of each round. */
  perRequestMs: Summary;
  /** Paired with the unauthenticated request of the same round (absent for that one). */
  overUnauthenticated?: Summary;
}

export interface AccessBenchResult {
  path: string;
  assets: number;
  requestsPerRound: number;
  rows: AccessRow[];
  peakRssMb: number;
}

const BASELINE = 'unauthenticated request (sluice dev)';

export async function runAccess(options: BenchOptions): Promise<AccessBenchResult> {
  const requests = options.quick ? 200 : 1_000;
  const rounds = Math.max(options.reps, 3);
  progress(`access: ${rounds} rounds of ${requests} requests per variant`);
  const result = await runScenario<{ medians: Record<string, number[]>; path: string; assets: number }>(
    'access-auth',
    { requests, rounds, assets: options.quick ? 100 : 1_000 },
    { timeoutMs: 10 * 60_000 },
  );
  const base = result.medians[BASELINE]!;
  const rows = Object.entries(result.medians).map(([variant, medians]): AccessRow => ({
    variant,
    perRequestMs: summarize(medians),
    ...(variant === BASELINE ? {} : { overUnauthenticated: pairedRatio(medians, base) }),
  }));
  return { path: result.path, assets: result.assets, requestsPerRound: requests, rows, peakRssMb: result.peakRssMb };
}

/** The headline line of the report. */
export function accessKeyFigure(r: AccessBenchResult): string {
  const token = r.rows.find((row) => row.variant.startsWith('token check'));
  const authed = r.rows.find((row) => row.variant.startsWith('API token + authorization (admin)'));
  const base = r.rows.find((row) => row.variant === BASELINE);
  return `Access (\`sluice serve\`): token check **${token ? ms(token.perRequestMs.median) : '?'}** per request (target < 0.2 ms); GET ${r.path} authenticated ${authed ? ms(authed.perRequestMs.median) : '?'} vs unauthenticated ${base ? ms(base.perRequestMs.median) : '?'} (${authed?.overUnauthenticated ? ratio(authed.overUnauthenticated.median) : '?'} paired)`;
}

/** The section of the report. */
export function accessSection(r: AccessBenchResult): string {
  const rows = r.rows.map((row) => [
    row.variant,
    cell(row.perRequestMs),
    row.overUnauthenticated ? `${ratio(row.overUnauthenticated.median)} (${ratio(row.overUnauthenticated.min)}–${ratio(row.overUnauthenticated.max)})` : '—',
  ]);
  return `## Authentication and authorization per request\nIn-process \`app.request()\`, ${r.requestsPerRound.toLocaleString('en-US')} requests per variant per round, variants interleaved; GET ${r.path} on a project of ${r.assets.toLocaleString('en-US')} assets; each cell is the median over rounds of the per-request median.\n\n${table(['variant', 'per request', 'vs unauthenticated (paired)'], rows)}`;
}
