// The OpenLineage 2-0-2 run event shapes Sluice emits, and the facet schema versions they conform to (type-only plus constants).

/** The spec version every event names in `schemaURL`. */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** Run state transitions (START, then one of COMPLETE, FAIL or ABORT). */
export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

/** Every facet carries who produced it and the schema it follows; the rest is facet-specific. */
export interface OpenLineageFacet {
  _producer: string;
  _schemaURL: string;
  [field: string]: unknown;
}

export type FacetMap = Record<string, OpenLineageFacet>;

/** A dataset reference with its facets. */
export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: FacetMap;
}

export interface OpenLineageInputDataset extends OpenLineageDataset {
  inputFacets?: FacetMap;
}

export interface OpenLineageOutputDataset extends OpenLineageDataset {
  outputFacets?: FacetMap;
}

/**
 * One OpenLineage run event.
 * @example
 * const event: OpenLineageRunEvent = { eventType: 'START', eventTime: new Date().toISOString(), producer, schemaURL: OPENLINEAGE_SCHEMA_URL,
 *   run: { runId }, job: { namespace: 'flights', name: 'silver/flights' }, inputs: [], outputs: [] };
 */
export interface OpenLineageRunEvent {
  eventType: RunEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: FacetMap };
  job: { namespace: string; name: string; facets?: FacetMap };
  inputs: OpenLineageInputDataset[];
  outputs: OpenLineageOutputDataset[];
}

/**
 * Facet schema file versions, as in the official spec folder (`$id` of each facet file). A facet's
 * `_schemaURL` is `https://openlineage.io/spec/facets/<version>/<Name>.json#/$defs/<Name>`.
 */
export const FACET_VERSIONS = {
  ParentRunFacet: '1-2-0',
  ErrorMessageRunFacet: '1-0-1',
  ProcessingEngineRunFacet: '1-1-1',
  JobTypeJobFacet: '2-0-4',
  SQLJobFacet: '1-1-0',
  SourceCodeLocationJobFacet: '1-1-0',
  DocumentationJobFacet: '1-1-0',
  OwnershipJobFacet: '1-0-1',
  TagsJobFacet: '1-0-0',
  SchemaDatasetFacet: '1-2-0',
  ColumnLineageDatasetFacet: '1-2-0',
  DocumentationDatasetFacet: '1-1-0',
  OwnershipDatasetFacet: '1-0-1',
  DatasetVersionDatasetFacet: '1-0-1',
  DatasetTypeDatasetFacet: '1-0-1',
  DataQualityMetricsDatasetFacet: '1-0-0',
  DataQualityAssertionsDatasetFacet: '1-1-0',
  OutputStatisticsOutputDatasetFacet: '1-0-2',
} as const;

export type FacetSchemaName = keyof typeof FACET_VERSIONS;
