// The backfills role of the metadata store: a selection over a range of partitions, one run per partition.
import type { SerializedError } from '../errors.js';
import type { RunOwner } from './run-store.js';

export type BackfillStatus = 'running' | 'succeeded' | 'failed' | 'canceled';
export type BackfillPartitionStatus = 'pending' | 'succeeded' | 'failed';

/** A backfill to record: a selection over a range of partitions, done one partition per run. */
export interface NewBackfill {
  id: string;
  selection: string;
  fromKey: string;
  toKey: string;
  partitions: readonly string[];
}

/** A stored backfill with the state of each of its partitions, in order. */
export interface BackfillRecord {
  id: string;
  selection: string;
  fromKey: string;
  toKey: string;
  status: BackfillStatus;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  error: SerializedError | null;
  /** The process working on it (to tell an interrupted backfill from a live one). */
  owner: RunOwner;
  partitions: { key: string; status: BackfillPartitionStatus; runId: string | null; endedAt: string | null }[];
}

/**
 * Backfills and the state of their partitions.
 * @example await store.setBackfillPartition(id, '2001-01-01', 'succeeded', runId);
 */
export interface BackfillStore {
  createBackfill(backfill: NewBackfill): Promise<BackfillRecord>;
  getBackfill(id: string): Promise<BackfillRecord | undefined>;
  /** Latest first. */
  listBackfills(limit?: number): Promise<BackfillRecord[]>;
  setBackfillPartition(id: string, partition: string, status: BackfillPartitionStatus, runId?: string): Promise<void>;
  /** Sets the status; `running` also records this process as the owner (a resumed backfill). */
  setBackfillStatus(id: string, status: BackfillStatus, error?: SerializedError): Promise<void>;
}
