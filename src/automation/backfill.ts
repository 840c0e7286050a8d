// Backfills: a selection of partitioned assets over a range of partitions, one run per partition, recorded so a killed backfill resumes.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { SluiceError, serializeError } from '../errors.js';
import { assertPartitionKey, partitionKeys, partitionRange, type PartitionsDefinition } from '../model/partitions.js';
import type { Sluice } from '../runtime/sluice.js';
import type { BackfillRecord, BackfillStatus } from '../store/metadata-store.js';

/** What to backfill. */
export interface BackfillOptions {
  select: string;
  /** First and last partition key, both included; without them, every partition complete now (with `missingOnly`: all missing ones). */
  from?: string;
  to?: string;
  /** Only partitions that were never materialized (for every selected asset). */
  missingOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: BackfillProgress) => void;
}

/** One step of a backfill, for progress displays. */
export interface BackfillProgress {
  backfillId: string;
  partition: string;
  /** 1-based position among all partitions of the backfill. */
  index: number;
  total: number;
  /** Partitions finished successfully so far (including earlier attempts). */
  done: number;
  phase: 'started' | 'succeeded' | 'failed' | 'canceled';
  runId: string;
  durationMs?: number;
  error?: string;
}

/** How a backfill ended. */
export interface BackfillResult {
  backfill: BackfillRecord;
  /** True when an interrupted backfill of the same selection and range was picked up. */
  resumed: boolean;
}

/** The partitioned assets of a selection and their shared partition keys over a range. */
export interface BackfillPlan {
  assetKeys: string[];
  partitions: string[];
  /** The range, as given or as found (the first and last complete partition). */
  from: string;
  to: string;
}

/**
 * Checks that a selection holds only partitioned assets and lists the partitions from `from` to `to`.
 * @example planBackfill(sluice, 'gold/daily', '2001-01-01', '2001-01-31').partitions.length // 31
 */
export function planBackfill(sluice: Sluice, select: string, from?: string, to?: string, now: Date = new Date()): BackfillPlan {
  const definitions = sluice.plan(select).steps.map((s) => sluice.project.graph.get(s.key)!.definition);
  const plain = definitions.filter((d) => !d.partitions).map((d) => d.key);
  const partitioned = definitions.filter((d) => d.partitions);
  if (partitioned.length === 0)
    throw new SluiceError(
      'INVALID_SELECTION',
      `selection "${select}" has no partitioned asset; \`sluice backfill\` builds partitions, use \`sluice materialize\` for the rest`,
    );
  if (plain.length > 0) {
    throw new SluiceError(
      'INVALID_SELECTION',
      `selection "${select}" includes unpartitioned asset(s) ${plain.map((k) => `"${k}"`).join(', ')}, which a backfill would rebuild for every partition; build them once with \`sluice materialize --select ${plain.join(',')}\`, then backfill only the partitioned ones (${partitioned.map((d) => d.key).join(',')})`,
    );
  }
  const definition = partitioned[0]!.partitions as PartitionsDefinition;
  const complete = from === undefined || to === undefined ? partitionKeys(definition, { now }) : [];
  const first = from ?? complete[0];
  const last = to ?? complete.at(-1);
  if (first === undefined || last === undefined)
    throw new SluiceError('INVALID_SELECTION', `asset "${partitioned[0]!.key}" has no complete partition yet; give --from and --to`);
  const partitions = partitionRange(definition, first, last);
  for (const other of partitioned.slice(1)) for (const key of partitions) assertPartitionKey(other.partitions!, key);
  return { assetKeys: partitioned.map((d) => d.key), partitions, from: first, to: last };
}

/**
 * Runs (or resumes) a backfill. Each partition is one run; its outcome is recorded as soon as the run
 * ends, so a backfill killed midway resumes with the partitions not yet done when the same command is
 * run again (a partition whose run was killed is redone: partitions replace their own rows, so a redo
 * is harmless). Failed partitions do not stop the others; the backfill then ends `failed`.
 * @example const { backfill } = await runBackfill(sluice, { select: 'gold/daily', from: '2001-01-01', to: '2001-01-31' });
 */
export async function runBackfill(sluice: Sluice, options: BackfillOptions): Promise<BackfillResult> {
  const plan = planBackfill(sluice, options.select, options.from, options.to);
  const { store } = sluice;
  const select = plan.assetKeys.join(',');
  let existing = await findUnfinished(sluice, select, plan.from, plan.to);
  const resumed = existing !== undefined;
  if (!existing) {
    let partitions = plan.partitions;
    if (options.missingOnly) {
      const built = await Promise.all(plan.assetKeys.map((k) => store.materializedPartitions(k)));
      partitions = partitions.filter((p) => built.some((set) => !set.has(p)));
    }
    existing = await store.createBackfill({ id: randomUUID(), selection: select, fromKey: plan.from, toKey: plan.to, partitions });
  } else {
    await store.setBackfillStatus(existing.id, 'running');
  }
  try {
    return await runPartitions(sluice, existing, select, options, resumed);
  } catch (error) {
    await store.setBackfillStatus(existing.id, 'failed', serializeError(error));
    throw error;
  }
}

async function runPartitions(sluice: Sluice, existing: BackfillRecord, select: string, options: BackfillOptions, resumed: boolean): Promise<BackfillResult> {
  const { store } = sluice;
  const backfillId = existing.id;
  const total = existing.partitions.length;
  let done = existing.partitions.filter((p) => p.status === 'succeeded').length;
  let canceled = false;
  for (const [i, partition] of existing.partitions.entries()) {
    if (partition.status === 'succeeded') continue;
    if (options.signal?.aborted) {
      canceled = true;
      break;
    }
    const runId = randomUUID();
    const base = { backfillId, partition: partition.key, index: i + 1, total, runId };
    await store.setBackfillPartition(backfillId, partition.key, 'pending', runId);
    options.onProgress?.({ ...base, done, phase: 'started' });
    const started = performance.now();
    const result = await sluice.materialize({ select, partition: partition.key, runId, ...(options.signal ? { signal: options.signal } : {}) });
    const durationMs = performance.now() - started;
    if (result.status === 'succeeded') {
      done += 1;
      await store.setBackfillPartition(backfillId, partition.key, 'succeeded', runId);
      options.onProgress?.({ ...base, done, phase: 'succeeded', durationMs });
    } else if (result.status === 'canceled') {
      canceled = true;
      options.onProgress?.({ ...base, done, phase: 'canceled', durationMs });
      break;
    } else {
      const error = result.assets.find((a) => a.error)?.error?.message ?? 'the run failed';
      await store.setBackfillPartition(backfillId, partition.key, 'failed', runId);
      options.onProgress?.({ ...base, done, phase: 'failed', durationMs, error });
    }
  }
  const status: BackfillStatus = canceled ? 'canceled' : done === total ? 'succeeded' : 'failed';
  const error =
    status === 'failed'
      ? serializeError(
          new SluiceError('SQL_ERROR', `${total - done} of ${total} partition(s) failed; fix the cause and run the same backfill again to redo only those`),
        )
      : undefined;
  await store.setBackfillStatus(backfillId, status, error);
  return { backfill: (await store.getBackfill(backfillId))!, resumed };
}

/** An earlier backfill of the same assets and range that did not finish, and whose process is gone. */
async function findUnfinished(sluice: Sluice, select: string, from: string, to: string): Promise<BackfillRecord | undefined> {
  for (const backfill of await sluice.store.listBackfills(100)) {
    if (backfill.selection !== select || backfill.fromKey !== from || backfill.toKey !== to || backfill.status === 'succeeded') continue;
    if (backfill.status === 'running' && isAlive(backfill.owner)) {
      throw new SluiceError(
        'INVALID_SELECTION',
        `backfill ${backfill.id} of the same partitions is running in process ${backfill.owner.pid}; wait for it or stop it first`,
      );
    }
    return backfill;
  }
  return undefined;
}

function isAlive(owner: { pid: number; host: string }): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A backfill's state for people: `interrupted` when it says running but its process is gone.
 * @example backfillState(record) // 'interrupted'
 */
export function backfillState(backfill: BackfillRecord): BackfillStatus | 'interrupted' {
  return backfill.status === 'running' && !isAlive(backfill.owner) ? 'interrupted' : backfill.status;
}
