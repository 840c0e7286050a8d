// Builds OpenLineage run events and facets from Sluice facts: runs, assets, materializations, column lineage (pure).
import { createHash } from 'node:crypto';
import type { ColumnStats } from '../../engine/warehouse.js';
import type { AssetLineage } from '../asset-column-lineage.js';
import type { ColumnTransform } from '../lineage-model.js';
import {
  FACET_VERSIONS,
  OPENLINEAGE_SCHEMA_URL,
  type FacetMap,
  type FacetSchemaName,
  type OpenLineageFacet,
  type OpenLineageInputDataset,
  type OpenLineageOutputDataset,
  type OpenLineageRunEvent,
  type RunEventType,
} from './openlineage-types.js';

/**
 * A facet with its `_producer` and the `_schemaURL` of the official schema it follows.
 * @example makeFacet(producer, 'SQLJobFacet', { query: 'SELECT 1', dialect: 'duckdb' })
 */
function makeFacet(producer: string, schema: FacetSchemaName, body: Record<string, unknown>): OpenLineageFacet {
  return { _producer: producer, _schemaURL: `https://openlineage.io/spec/facets/${FACET_VERSIONS[schema]}/${schema}.json#/$defs/${schema}`, ...body };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Namespace of name-based UUIDs for run ids that are not UUIDs themselves (a fixed random UUID). */
const SLUICE_UUID_NAMESPACE = '5b0f6a52-8c2e-4d8e-9a55-3f1c2d7e9b41';

/**
 * A name-based (version 5) UUID: the same namespace and name always give the same id.
 * @example uuidV5('5b0f6a52-8c2e-4d8e-9a55-3f1c2d7e9b41', 'silver/flights')
 */
export function uuidV5(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The OpenLineage run id of a Sluice run: itself when it is a UUID (Sluice's default), else a UUID derived from it. */
export function runUuid(sluiceRunId: string): string {
  return UUID.test(sluiceRunId) ? sluiceRunId.toLowerCase() : uuidV5(SLUICE_UUID_NAMESPACE, sluiceRunId);
}

/**
 * The OpenLineage run id of one asset in a Sluice run: stable, so START and COMPLETE name the same run.
 * @example assetRunUuid(runId, 'silver/flights') === assetRunUuid(runId, 'silver/flights') // true
 */
export function assetRunUuid(sluiceRunId: string, assetKey: string): string {
  return uuidV5(runUuid(sluiceRunId), assetKey);
}

/** What a job's facets are made of. */
export interface JobFacts {
  namespace: string;
  name: string;
  /** `ASSET` for one asset, `JOB` for a whole Sluice run. */
  jobType: 'ASSET' | 'JOB';
  description?: string;
  owners?: readonly string[];
  tags?: Readonly<Record<string, string>>;
  sql?: string;
  /** `file:` URL of the file defining the job (a `.sql` file or the project file). */
  sourceUrl?: string;
}

/** A dataset as an input or output, with what is known about it. */
export interface DatasetFacts {
  namespace: string;
  name: string;
  kind?: 'TABLE' | 'VIEW' | 'FILE';
  schema?: readonly { name: string; type: string }[];
  description?: string;
  owners?: readonly string[];
  dataVersion?: string | null;
  rowCount?: number | null;
  columnStats?: readonly ColumnStats[];
  columnLineage?: ColumnLineageBody;
  /** Facets from extension points (e.g. dataQualityAssertions from checks), added as they are. */
  extraFacets?: FacetMap;
}

/** A Sluice run or asset run transition. */
export interface RunEventFacts {
  eventType: RunEventType;
  eventTime: Date;
  runId: string;
  job: JobFacts;
  /** The Sluice run an asset run belongs to. */
  parent?: { runId: string; namespace: string; name: string };
  error?: { message: string; stack?: string };
  engineVersion?: string;
  inputs?: readonly DatasetFacts[];
  outputs?: readonly DatasetFacts[];
}

/**
 * One OpenLineage run event, conforming to the 2-0-2 spec and its facet schemas.
 * @example runEvent(producer, { eventType: 'START', eventTime: new Date(), runId, job: { namespace: 'flights', name: 'silver/flights', jobType: 'ASSET' } })
 */
export function runEvent(producer: string, facts: RunEventFacts): OpenLineageRunEvent {
  const runFacets: FacetMap = {};
  if (facts.parent) {
    const parent = { run: { runId: facts.parent.runId }, job: { namespace: facts.parent.namespace, name: facts.parent.name } };
    // The Sluice run is also the root: Sluice runs are not nested.
    runFacets.parent = makeFacet(producer, 'ParentRunFacet', { ...parent, root: parent });
  }
  if (facts.engineVersion)
    runFacets.processing_engine = makeFacet(producer, 'ProcessingEngineRunFacet', {
      name: 'Sluice',
      version: facts.engineVersion,
      openlineageAdapterVersion: facts.engineVersion,
    });
  if (facts.error) {
    runFacets.errorMessage = makeFacet(producer, 'ErrorMessageRunFacet', {
      message: facts.error.message,
      programmingLanguage: 'TypeScript',
      ...(facts.error.stack ? { stackTrace: facts.error.stack } : {}),
    });
  }
  return {
    eventType: facts.eventType,
    eventTime: facts.eventTime.toISOString(),
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: facts.runId, ...(Object.keys(runFacets).length > 0 ? { facets: runFacets } : {}) },
    job: { namespace: facts.job.namespace, name: facts.job.name, facets: jobFacets(producer, facts.job) },
    inputs: (facts.inputs ?? []).map((d): OpenLineageInputDataset => dataset(producer, d)),
    outputs: (facts.outputs ?? []).map((d) => outputDataset(producer, d)),
  };
}

function jobFacets(producer: string, job: JobFacts): FacetMap {
  const facets: FacetMap = { jobType: makeFacet(producer, 'JobTypeJobFacet', { processingType: 'BATCH', integration: 'SLUICE', jobType: job.jobType }) };
  if (job.sql !== undefined) facets.sql = makeFacet(producer, 'SQLJobFacet', { query: job.sql, dialect: 'duckdb' });
  if (job.sourceUrl) facets.sourceCodeLocation = makeFacet(producer, 'SourceCodeLocationJobFacet', { type: 'file', url: job.sourceUrl });
  if (job.description) facets.documentation = makeFacet(producer, 'DocumentationJobFacet', { description: job.description, contentType: 'text/plain' });
  if (job.owners && job.owners.length > 0) facets.ownership = makeFacet(producer, 'OwnershipJobFacet', { owners: job.owners.map((name) => ({ name })) });
  const tags = Object.entries(job.tags ?? {});
  if (tags.length > 0) facets.tags = makeFacet(producer, 'TagsJobFacet', { tags: tags.map(([key, value]) => ({ key, value, source: 'SLUICE' })) });
  return facets;
}

function dataset(producer: string, d: DatasetFacts): OpenLineageInputDataset {
  const facets: FacetMap = {};
  if (d.kind) facets.datasetType = makeFacet(producer, 'DatasetTypeDatasetFacet', { datasetType: d.kind });
  if (d.schema && d.schema.length > 0) {
    facets.schema = makeFacet(producer, 'SchemaDatasetFacet', { fields: d.schema.map((c, i) => ({ name: c.name, type: c.type, ordinal_position: i + 1 })) });
  }
  if (d.description) facets.documentation = makeFacet(producer, 'DocumentationDatasetFacet', { description: d.description, contentType: 'text/plain' });
  if (d.owners && d.owners.length > 0) facets.ownership = makeFacet(producer, 'OwnershipDatasetFacet', { owners: d.owners.map((name) => ({ name })) });
  if (d.dataVersion) facets.version = makeFacet(producer, 'DatasetVersionDatasetFacet', { datasetVersion: d.dataVersion });
  if (d.columnLineage && Object.keys(d.columnLineage.fields).length > 0)
    facets.columnLineage = makeFacet(producer, 'ColumnLineageDatasetFacet', { ...d.columnLineage });
  if (d.columnStats && d.columnStats.length > 0) facets.dataQualityMetrics = qualityMetrics(producer, d.columnStats, d.rowCount);
  Object.assign(facets, d.extraFacets ?? {});
  return { namespace: d.namespace, name: d.name, ...(Object.keys(facets).length > 0 ? { facets } : {}) };
}

function outputDataset(producer: string, d: DatasetFacts): OpenLineageOutputDataset {
  const out: OpenLineageOutputDataset = dataset(producer, d);
  if (typeof d.rowCount === 'number')
    out.outputFacets = { outputStatistics: makeFacet(producer, 'OutputStatisticsOutputDatasetFacet', { rowCount: d.rowCount }) };
  return out;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(.*\))?)$/i;

/**
 * Column statistics as dataQualityMetrics. Only exact figures: null counts, distinct counts where they were counted
 * exactly (an estimate, which the facet would present as exact, is left out), and min and max of numbers (the facet
 * allows nothing else).
 */
function qualityMetrics(producer: string, stats: readonly ColumnStats[], rowCount: number | null | undefined): OpenLineageFacet {
  const columnMetrics: Record<string, Record<string, number>> = {};
  for (const s of stats) {
    const metrics: Record<string, number> = { nullCount: s.nullCount };
    if (s.distinctExact && s.distinctApprox !== null) metrics.distinctCount = s.distinctApprox;
    if (NUMERIC.test(s.type)) {
      const min = Number(s.min);
      const max = Number(s.max);
      if (s.min !== null && Number.isFinite(min)) metrics.min = min;
      if (s.max !== null && Number.isFinite(max)) metrics.max = max;
    }
    columnMetrics[s.name] = metrics;
  }
  return makeFacet(producer, 'DataQualityMetricsDatasetFacet', { ...(typeof rowCount === 'number' ? { rowCount } : {}), columnMetrics });
}

/** One input column of the columnLineage facet. */
export interface InputField {
  namespace: string;
  name: string;
  field: string;
  transformations: { type: 'DIRECT' | 'INDIRECT'; subtype: string; description?: string }[];
}

/** The body of the columnLineage facet. */
export interface ColumnLineageBody {
  fields: Record<string, { inputFields: InputField[] }>;
  dataset: InputField[];
}

const TRANSFORMATIONS: Record<ColumnTransform, InputField['transformations'][number]> = {
  identity: { type: 'DIRECT', subtype: 'IDENTITY' },
  transformation: { type: 'DIRECT', subtype: 'TRANSFORMATION' },
  aggregation: { type: 'DIRECT', subtype: 'AGGREGATION' },
  window: { type: 'DIRECT', subtype: 'AGGREGATION', description: 'window function' },
  filter: { type: 'INDIRECT', subtype: 'FILTER' },
  join: { type: 'INDIRECT', subtype: 'JOIN' },
  group_by: { type: 'INDIRECT', subtype: 'GROUP_BY' },
  sort: { type: 'INDIRECT', subtype: 'SORT' },
};

/**
 * Sluice column lineage as the columnLineage facet: direct sources per field, row-shaping columns under `dataset`.
 * @example columnLineageBody(lineage, (table) => ({ namespace: 'duckdb:///data/warehouse.duckdb', name: table }))
 */
export function columnLineageBody(lineage: AssetLineage, datasetOf: (table: string) => { namespace: string; name: string }): ColumnLineageBody {
  const merge = (sources: readonly { table: string; column: string; transform: ColumnTransform }[]): InputField[] => {
    const byField = new Map<string, InputField>();
    for (const s of sources) {
      const ds = datasetOf(s.table);
      const id = `${ds.namespace}\u0000${ds.name}\u0000${s.column}`;
      const field = byField.get(id) ?? { ...ds, field: s.column, transformations: [] };
      const t = TRANSFORMATIONS[s.transform];
      if (!field.transformations.some((x) => x.type === t.type && x.subtype === t.subtype)) field.transformations.push({ ...t });
      byField.set(id, field);
    }
    return [...byField.values()];
  };
  const fields: ColumnLineageBody['fields'] = {};
  for (const column of lineage.columns) if (column.sources.length > 0) fields[column.name] = { inputFields: merge(column.sources) };
  return { fields, dataset: merge(lineage.indirect) };
}

/** Check outcomes as the extension point expects them (any check result with these fields fits). */
export interface AssertionFacts {
  name: string;
  type: string;
  passed: boolean;
  severity?: string;
  column?: string;
  description?: string;
}

/**
 * Check outcomes as a dataQualityAssertions facet, for an output facet provider to return.
 * @example emitter.addDatasetFacetProvider(async ({ assetKey }) => ({ dataQualityAssertions: dataQualityAssertionsFacet(producer, await resultsOf(assetKey)) }))
 */
export function dataQualityAssertionsFacet(producer: string, assertions: readonly AssertionFacts[]): OpenLineageFacet {
  return makeFacet(producer, 'DataQualityAssertionsDatasetFacet', {
    assertions: assertions.map((a) => ({
      assertion: a.type,
      success: a.passed,
      name: a.name,
      ...(a.severity ? { severity: a.severity } : {}),
      ...(a.column ? { column: a.column } : {}),
      ...(a.description ? { description: a.description } : {}),
    })),
  });
}
