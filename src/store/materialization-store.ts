// The materializations role of the metadata store: what was published, when, with which versions and stats.
import type { MaterializationRecord } from './records.js';

/** A materialization to record. */
export interface NewMaterialization extends Omit<MaterializationRecord, 'id' | 'createdAt' | 'partition'> {
  partition?: string;
}

/**
 * Materialization records, only ever appended.
 * @example const latest = (await store.latestMaterializations()).get('gold/airport_daily_delays');
 */
export interface MaterializationStore {
  recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord>;
  /** Latest materialization per asset (any partition), keyed by asset key. */
  latestMaterializations(): Promise<Map<string, MaterializationRecord>>;
  /** Newest first. */
  materializationHistory(assetKey: string, limit?: number): Promise<MaterializationRecord[]>;
  /**
   * The newest materialization of an asset that a run recorded, if it recorded one: how a queue worker tells a step
   * that its first worker recorded before it died. One indexed look-up, however many records the asset has.
   */
  runMaterialization(runId: string, assetKey: string): Promise<MaterializationRecord | undefined>;
  /**
   * The data version of each asset's latest materialization, null for an asset never materialized: what a build
   * records as its inputs' versions. One look-up for all, reading nothing else of the records.
   */
  latestDataVersions(assetKeys: readonly string[]): Promise<Map<string, string | null>>;
  /** Partition keys of an asset that have been materialized at least once. */
  materializedPartitions(assetKey: string): Promise<Set<string>>;
}
