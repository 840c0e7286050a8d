// `sluice backfill`: builds a range of partitions one run at a time, with progress; run it again after a kill to resume.
import type { Command } from 'commander';
import type { BackfillView } from '../../api/sluice-client.js';
import type { BackfillProgress } from '../../automation/backfill.js';
import { formatMs } from '../../runtime/sluice.js';
import { CommandFailed } from '../cli-errors.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** Options of `sluice backfill`. */
export interface BackfillCommandOptions extends ProjectOptions {
  select: string;
  from?: string;
  to?: string;
  missing?: boolean;
}

type Record = BackfillView;

/**
 * One progress line of a backfill.
 * @example progressLine({ index: 3, total: 31, partition: '2001-01-03', phase: 'succeeded', durationMs: 240, runId: 'r' }) // '[ 3/31] 2001-01-03 succeeded in 240 ms'
 */
function progressLine(p: Pick<BackfillProgress, 'index' | 'total' | 'partition' | 'phase' | 'durationMs' | 'error' | 'runId'>): string {
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
  const controller = new AbortController();
  let remote: string | undefined;
  const onSigint = (): void => {
    process.stderr.write(
      remote
        ? `\nstopped following the backfill; it goes on in ${remote} (\`sluice backfill --list\` shows it)\n`
        : '\ncanceling the backfill after the current partition is canceled; run the same command again to resume\n',
    );
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let backfill: Record;
  try {
    const request = {
      select: options.select,
      ...(options.from ? { from: options.from } : {}),
      ...(options.to ? { to: options.to } : {}),
      ...(options.missing ? { missingOnly: true } : {}),
    };
    backfill = await withClient(options, (client) =>
      client.backfill(request, {
        signal: controller.signal,
        onStart: ({ backfillId, total, done, server }) => {
          remote = server;
          const range = options.from
            ? ` from ${options.from} to ${options.to}`
            : options.missing
              ? ' (every missing partition)'
              : ' (every complete partition)';
          if (server) out.write(`backfill ${backfillId} submitted to ${server}: ${total} partition(s)\n`);
          else
            out.write(
              done > 0
                ? `resuming backfill ${backfillId}: ${done} of ${total} partition(s) already done\n`
                : `backfill ${backfillId}: ${total} partition(s) of ${options.select}${range}\n`,
            );
        },
        onProgress: (p) => {
          if (p.phase !== 'started') out.write(`${progressLine(p)}\n`);
        },
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  const done = backfill.partitions.filter((p) => p.status === 'succeeded').length;
  out.write(`backfill ${backfill.id} ${backfill.status}: ${done} of ${backfill.partitions.length} partition(s) succeeded\n`);
  if (backfill.status !== 'succeeded') {
    throw new CommandFailed(
      `backfill ${backfill.id} ${backfill.status}; see the failed runs with \`sluice run RUN_ID\`, fix the cause, then run the same command again: only partitions not done are rebuilt`,
    );
  }
  return backfill;
}

export function configureBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .option('-s, --select <selection>', 'partitioned assets (see `sluice materialize --help`)')
    .option('--from <key>', 'first partition key, e.g. 2001-01-01')
    .option('--to <key>', 'last partition key (included)')
    .option('--missing', 'only partitions never materialized (without --from/--to: every missing complete partition)')
    .option('--list', 'list recent backfills instead')
    .action(async (options: Partial<BackfillCommandOptions> & { list?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<ProjectOptions>();
      if (options.list) return listBackfills(globals);
      if (!options.select || (!options.missing && (!options.from || !options.to)) || !options.from !== !options.to) {
        throw new CommandFailed(
          'give --select with --from and --to (e.g. `sluice backfill --select gold/daily --from 2001-01-01 --to 2001-01-31`), or --select with --missing for every missing partition',
        );
      }
      await backfillCommand({
        ...globals,
        select: options.select,
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...(options.missing ? { missing: true } : {}),
      });
    });
}

async function listBackfills(options: ProjectOptions): Promise<void> {
  const backfills = await withClient(options, (client) => client.backfills());
  if (backfills.length === 0) return void process.stdout.write('no backfills yet\n');
  const rows = backfills.map((b) => [
    b.id,
    b.state ?? b.status,
    b.createdAt.replace('T', ' ').slice(0, 19),
    `${b.partitions.filter((p) => p.status === 'succeeded').length}/${b.partitions.length}`,
    `${b.fromKey}..${b.toKey}`,
    b.selection,
  ]);
  process.stdout.write(`${textTable(['backfill', 'state', 'created', 'done', 'range', 'selection'], rows)}\n`);
}
