// Sluice's public API: define assets and projects, then materialize them.
export { asset } from './model/asset-definition.js';
export type {
  AssetConfig,
  AssetContext,
  AssetDefinition,
  AssetKind,
  AssetLogger,
  ComputeFunction,
  IncrementalConfig,
  Row,
  SqlConnection,
} from './model/asset-definition.js';
export {
  dailyPartitions,
  hourlyPartitions,
  monthlyPartitions,
  staticPartitions,
  partitionKeys,
  partitionRange,
  partitionWindow,
  missingPartitions,
  type PartitionsDefinition,
} from './model/partitions.js';
export { sqlAssets, type SqlAssetsOptions } from './model/sql-assets.js';
export { defineProject, type ProjectConfig, type ProjectDefinition } from './model/project-definition.js';
export type {
  AssetPolicyDefinition,
  ColumnMaskDefinition,
  MaskDefinition,
  PoliciesDefinition,
  PrincipalSelector,
  RowFilterDefinition,
} from './model/policy-definition.js';
export { parseAssetKey, quoteIdentifier, quoteQualified, sqlString, type QualifiedName } from './model/asset-key.js';
export { AssetGraph } from './model/asset-graph.js';
export { resolveSelection } from './model/selection.js';
export { Sluice, type MaterializeOptions, type MaterializeResult, type RunHandle, type SluiceConfig, type SubmitOptions } from './runtime/sluice.js';
export { createLogger, type Logger, type LoggerConfig } from './logger.js';
export type { RunEvent, RunEventType } from './model/run-event.js';
export { duckDbWarehouse, sqliteStore, postgresWarehouse, postgresStore, type StoreFactory, type WarehouseFactory } from './runtime/adapters.js';
export type { StepOutcome } from './runtime/executor.js';
export type { Plan, PlanStep } from './runtime/planner.js';
export { checks, parseDuration } from './model/check-definition.js';
export type { CheckDefinition, CheckOptions, CheckSeverity, CheckThreshold, CheckType } from './model/check-definition.js';
export type { CheckResult } from './checks/run-check.js';
export type { CheckRunResult } from './runtime/run-coordinator.js';
export { ingestCsv, type CsvColumn, type CsvColumnType, type CsvIngestOptions, type CsvIngestResult } from './ingest/csv-ingest.js';
export { ingestJsonLines, type JsonLinesIngestOptions } from './ingest/json-lines-ingest.js';
export { ingestParquet, type ParquetIngestOptions } from './ingest/parquet-ingest.js';
export { duckDbCompute } from './engine/postgres/duckdb-compute.js';
export { ErrorBudgetExceededError, type IngestResult } from './ingest/quarantine-load.js';
export type { IngestColumn, IngestColumnType } from './ingest/ingest-columns.js';
export type { SchemaContract, SchemaDrift } from './ingest/schema-contract.js';
export type { AutomationCondition } from './model/asset-definition.js';
export type { EventSensorDefinition, FileSensorDefinition, ScheduleDefinition, SensorDefinition } from './model/project-definition.js';
export { AutomationDaemon, type DaemonConfig } from './automation/daemon.js';
export { planBackfill, runBackfill, type BackfillOptions, type BackfillResult } from './automation/backfill.js';
export * from './errors.js';
export { AccessDeniedError } from './access/principal.js';
export { InvalidAccessConfigError } from './access/grants/access-config-error.js';
export { PolicyValidationError } from './access/policy/policy-validation.js';
