// Feeds data-quality check results into OpenLineage's dataQualityAssertions dataset facet.
import type { CheckDefinition } from '../../model/check-definition.js';
import type { AssetGraph } from '../../model/asset-graph.js';
import type { MetadataStore } from '../../store/metadata-store.js';
import type { DatasetFacetProvider } from './openlineage-emitter.js';
import type { FacetMap } from './openlineage-types.js';
import { SLUICE_PRODUCER } from './openlineage-emitter.js';
import { dataQualityAssertionsFacet, type AssertionFacts } from './run-event-builder.js';

/** The single column a check is about, when there is one (OpenLineage assertions name at most one). */
function columnOf(check: CheckDefinition | undefined): string | undefined {
  if (!check) return undefined;
  if ('column' in check) return check.column;
  if ('columns' in check && check.columns.length === 1) return check.columns[0];
  return undefined;
}

/**
 * A facet provider: the checks a run evaluated on an asset, as its output dataset's assertions.
 * @example emitter.addDatasetFacetProvider(checkAssertionsProvider(sluice.store, sluice.project.graph));
 */
export function checkAssertionsProvider(store: MetadataStore, graph: AssetGraph): DatasetFacetProvider {
  return async ({ runId, assetKey, eventType }): Promise<FacetMap> => {
    if (eventType !== 'COMPLETE' && eventType !== 'FAIL') return {};
    const results = (await store.runCheckResults(runId)).filter((r) => r.assetKey === assetKey);
    if (results.length === 0) return {};
    const definitions = new Map(graph.get(assetKey)?.definition.checks.map((c) => [c.name, c]) ?? []);
    const assertions: AssertionFacts[] = results.map((r) => {
      const definition = definitions.get(r.checkName);
      const column = columnOf(definition);
      return {
        name: r.checkName,
        type: r.checkType,
        passed: r.passed,
        severity: r.severity,
        ...(column ? { column } : {}),
        ...(definition?.description ? { description: definition.description } : {}),
      };
    });
    return { dataQualityAssertions: dataQualityAssertionsFacet(SLUICE_PRODUCER, assertions) };
  };
}
