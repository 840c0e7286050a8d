// `sluice backfill`: builds a range of partitions one run at a time, with progress; run it again after a kill to resume.
import type { Command } from 'commander';
import { backfillState, runBackfill, type BackfillProgress } from '../../automation/backfill.js';
import { formatMs } from '../../runtime/sluice.js';
import type { BackfillRecord } from '../../store/metadata-store.js';
import type { ApiClient } from '../api-client.js';
import { CommandFailed } from '../cli-errors.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { devServerFor, loadDefinitions, withSluice, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** Options of `sluice backfill`. */
export interface BackfillCommandOptions extends ProjectOptions {
  select: string;
  from?: string;
  to?: string;
  missing?: boolean;
}

type Record = BackfillRecord & { state?: string };

/**
 * One progress line of a backfill.
 * @example progressLine({ index: 3, total: 31, partition: '2001-01-03', phase: 'succeeded', durationMs: 240, runId: 'r' }) // '[ 3/31] 2001-01-03 succeeded in 240 ms'
 */
export function progressLine(p: Pick<BackfillProgress, 'index' | 'total' | 'partition' | 'phase' | 'durationMs' | 'error' | 'runId'>): string {
  const width = String(p.total).length;
  const took = p.durationMs !== undefined ? ` in ${formatMs(p.durationMs)}` : '';
  return `[${String(p.index).padStart(width)}/${p.total}] ${p.partition} ${p.phase}${took}${p.error ? `: ${p.error}` : ''}${p.phase === 'failed' ? ` (run ${p.runId})` : ''}`;
}

/**
 * Runs the backfill here, or on the `sluice dev` that owns the warehouse (following its progress).
 * Throws CommandFailed (exit 1) unless every partition succeeded.
 * @example await backfillCommand({ select: 'gold/daily', from: '2001-01-01', to: '2001-01-31' });
 */
export async function backfillCommand(options: BackfillCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<Record> {
  const server = devServerFor(options);
  const backfill = server ? await backfillOnServer(server, options, out) : await backfillHere(options, out);
  const done = backfill.partitions.filter((p) => p.status === 'succeeded').length;
  out.write(`backfill ${backfill.id} ${backfill.status}: ${done} of ${backfill.partitions.length} partition(s) succeeded\n`);
  if (backfill.status !== 'succeeded') {
    throw new CommandFailed(`backfill ${backfill.id} ${backfill.status}; see the failed runs with \`sluice run RUN_ID\`, fix the cause, then run the same command again: only partitions not done are rebuilt`);
  }
  return backfill;
}

async function backfillHere(options: BackfillCommandOptions, out: NodeJS.WritableStream): Promise<Record> {
  return withSluice(options, async (sluice) => {
    const controller = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('\ncanceling the backfill after the current partition is canceled; run the same command again to resume\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    let announced = false;
    try {
      const { backfill } = await runBackfill(sluice, {
        select: options.select,
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...(options.missing ? { missingOnly: true } : {}),
        signal: controller.signal,
        onProgress: (p) => {
          if (!announced) {
            announced = true;
            out.write(p.done > 0 ? `resuming backfill ${p.backfillId}: ${p.done} of ${p.total} partition(s) already done\n` : `backfill ${p.backfillId}: ${p.total} partition(s) of ${options.select}${options.from ? ` from ${options.from} to ${options.to}` : options.missing ? ' (every missing partition)' : ' (every complete partition)'}\n`);
          }
          if (p.phase !== 'started') out.write(`${progressLine(p)}\n`);
        },
      });
      return backfill;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}

async function backfillOnServer(server: ApiClient, options: BackfillCommandOptions, out: NodeJS.WritableStream): Promise<Record> {
  const body = { select: options.select, ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), ...(options.missing ? { missingOnly: true } : {}) };
  let { backfill } = await server.post<{ backfill: Record }>('/api/backfills', body);
  out.write(`backfill ${backfill.id} submitted to ${server.baseUrl}: ${backfill.partitions.length} partition(s)\n`);
  const reported = new Set<string>();
  for (;;) {
    backfill.partitions.forEach((p, i) => {
      if (p.status === 'pending' || reported.has(p.key)) return;
      reported.add(p.key);
      out.write(`${progressLine({ index: i + 1, total: backfill.partitions.length, partition: p.key, phase: p.status, runId: p.runId ?? '' })}\n`);
    });
    if (backfill.status !== 'running') return backfill;
    await new Promise((resolve) => setTimeout(resolve, 300));
    ({ backfill } = await server.get<{ backfill: Record }>(`/api/backfills/${encodeURIComponent(backfill.id)}`));
  }
}

export function configureBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('build partitions FROM..TO of the selected partitioned assets, one run each; re-run after a kill to resume')
    .option('-s, --select <selection>', 'partitioned assets (see `sluice materialize --help`)')
    .option('--from <key>', 'first partition key, e.g. 2001-01-01')
    .option('--to <key>', 'last partition key (included)')
    .option('--missing', 'only partitions never materialized (without --from/--to: every missing complete partition)')
    .option('--list', 'list recent backfills instead')
    .action(async (options: Partial<BackfillCommandOptions> & { list?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<ProjectOptions>();
      if (options.list) return listBackfills(globals);
      if (!options.select || (!options.missing && (!options.from || !options.to)) || !options.from !== !options.to) {
        throw new CommandFailed('give --select with --from and --to (e.g. `sluice backfill --select gold/daily --from 2001-01-01 --to 2001-01-31`), or --select with --missing for every missing partition');
      }
      await backfillCommand({ ...globals, select: options.select, ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), ...(options.missing ? { missing: true } : {}) });
    });
}

async function listBackfills(options: ProjectOptions): Promise<void> {
  const server = devServerFor(options);
  const backfills: Record[] = server
    ? (await server.get<{ backfills: Record[] }>('/api/backfills')).backfills
    : await withStore(options, async (store) => (await store.listBackfills(20)).map((b) => ({ ...b, state: backfillState(b) })));
  if (backfills.length === 0) return void process.stdout.write('no backfills yet\n');
  const rows = backfills.map((b) => [b.id, b.state ?? b.status, b.createdAt.replace('T', ' ').slice(0, 19), `${b.partitions.filter((p) => p.status === 'succeeded').length}/${b.partitions.length}`, `${b.fromKey}..${b.toKey}`, b.selection]);
  process.stdout.write(`${textTable(['backfill', 'state', 'created', 'done', 'range', 'selection'], rows)}\n`);
}

/** Only the metadata store: listing works while another process (a daemon) owns the warehouse. */
async function withStore<T>(options: ProjectOptions, work: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = SqliteStore.open({ path: (await loadDefinitions(options)).metadataPath });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
