// Chooses where steps run: in this process (the default), or on `sluice worker` processes through the queue.
import { SluiceError } from '../../errors.js';
import type { Warehouse } from '../../engine/warehouse.js';
import type { LoadedProject } from '../project-loader.js';
import type { QueueStepRunner } from './queue-step-runner.js';

/** Where a run's steps execute. */
export type ExecutorKind = 'in-process' | 'queue';

/** What choosing an executor reads. */
export interface ExecutorChoice {
  executor?: ExecutorKind;
  env: Readonly<Record<string, string | undefined>>;
  project: LoadedProject;
  warehouse: Warehouse;
}

/**
 * The queue's step runner when `executor: 'queue'` (or SLUICE_EXECUTOR=queue), else undefined (in-process).
 * The queue lives in the metadata database (SLUICE_QUEUE_URL overrides it); workers on other machines must reach the
 * same warehouse, so it must be PostgreSQL. SLUICE_QUEUE_STALE_MS (default 5000) is how long a silent worker keeps its step.
 * @example const queue = await openQueueExecutor({ env: process.env, project, warehouse });
 */
export async function openQueueExecutor(choice: ExecutorChoice): Promise<QueueStepRunner | undefined> {
  const kind = choice.executor ?? choice.env.SLUICE_EXECUTOR ?? 'in-process';
  if (kind === 'in-process') return undefined;
  if (kind !== 'queue') throw new SluiceError('INVALID_CONFIG', `SLUICE_EXECUTOR must be "in-process" or "queue", got "${kind}"`);
  const url = queueUrl(choice.env, choice.project);
  if (choice.warehouse.dialect !== 'postgres') {
    throw new SluiceError(
      'INVALID_CONFIG',
      'the queue executor needs a warehouse every worker can reach: set SLUICE_WAREHOUSE_URL to a PostgreSQL database (docs/production.md)',
    );
  }
  const staleAfterMs = Number(choice.env.SLUICE_QUEUE_STALE_MS ?? 5000);
  if (!(staleAfterMs >= 100))
    throw new SluiceError('INVALID_CONFIG', `SLUICE_QUEUE_STALE_MS must be a number of milliseconds, at least 100, got "${choice.env.SLUICE_QUEUE_STALE_MS}"`);
  // Imported here: graphile-worker reads its configuration files as it loads, which every in-process run would pay.
  const { QueueStepRunner } = await import('./queue-step-runner.js');
  return QueueStepRunner.open({ url, staleAfterMs });
}

/** The queue's database: SLUICE_QUEUE_URL, else the metadata store's PostgreSQL URL. */
export function queueUrl(env: Readonly<Record<string, string | undefined>>, project: LoadedProject): string {
  const url = env.SLUICE_QUEUE_URL || env.SLUICE_METADATA_URL || project.definition.metadataUrl;
  if (!url) {
    throw new SluiceError(
      'INVALID_CONFIG',
      'the queue executor keeps its jobs in PostgreSQL: set SLUICE_METADATA_URL (or SLUICE_QUEUE_URL) to a PostgreSQL database (docs/production.md)',
    );
  }
  return url;
}
