// Validates OpenLineage events against the official 2-0-2 JSON schemas in shared/openlineage (ajv, draft 2020-12).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** shared/openlineage next to the repository (or OPENLINEAGE_SPEC_DIR). */
export const SPEC_DIR = process.env.OPENLINEAGE_SPEC_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'openlineage');

interface SchemaFile {
  $id: string;
  properties?: Record<string, unknown>;
}

/** Where a facet sits in an event decides which schemas may describe it. */
type FacetPlace = 'run' | 'job' | 'dataset' | 'inputFacets' | 'outputFacets';

const SUFFIX: Record<FacetPlace, RegExp> = {
  run: /RunFacet$/,
  job: /JobFacet$/,
  dataset: /DatasetFacet$/,
  inputFacets: /InputDatasetFacet$|DatasetFacet$/,
  outputFacets: /OutputDatasetFacet$/,
};

/**
 * An ajv with every spec file registered (refs resolve by $id), checking a whole event and then each facet
 * against the facet file its `_schemaURL` names and the file that defines its facet name at that place.
 */
export function openLineageValidator(): (event: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  const files = [
    join(SPEC_DIR, 'OpenLineage.json'),
    ...readdirSync(join(SPEC_DIR, 'facets'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(SPEC_DIR, 'facets', f)),
  ];
  const byName = new Map<string, { id: string; facetNames: string[] }>();
  for (const file of files) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as SchemaFile;
    ajv.addSchema(schema);
    const name = file
      .split('/')
      .pop()!
      .replace(/\.json$/, '');
    byName.set(name, { id: schema.$id, facetNames: Object.keys(schema.properties ?? {}) });
  }
  const runEvent = ajv.getSchema('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent')!;
  const errorsOf = (validate: { errors?: unknown }, where: string): string[] => [`${where}: ${ajv.errorsText(validate.errors as never)}`];
  const checkFacets = (facets: unknown, place: FacetPlace, where: string): string[] => {
    if (facets === undefined) return [];
    const problems: string[] = [];
    for (const [facetName, facet] of Object.entries(facets as Record<string, { _schemaURL?: string }>)) {
      const files = [...byName.entries()].filter(([file, s]) => SUFFIX[place].test(file) && s.facetNames.includes(facetName));
      if (files.length === 0) problems.push(`${where}.${facetName}: no official ${place} facet schema defines "${facetName}"`);
      for (const [file, s] of files) {
        const validate = ajv.getSchema(s.id)!;
        if (!validate({ [facetName]: facet })) problems.push(...errorsOf(validate, `${where}.${facetName} (${file})`));
      }
      const url = facet._schemaURL ?? '';
      const byUrl = ajv.getSchema(url);
      if (!byUrl) problems.push(`${where}.${facetName}: _schemaURL "${url}" names no official schema`);
      else if (!byUrl(facet)) problems.push(...errorsOf(byUrl, `${where}.${facetName} (${url})`));
    }
    return problems;
  };
  return (event) => {
    const problems: string[] = [];
    if (!runEvent(event)) problems.push(...errorsOf(runEvent, 'RunEvent'));
    const e = event as { run?: { facets?: unknown }; job?: { facets?: unknown }; inputs?: Record<string, unknown>[]; outputs?: Record<string, unknown>[] };
    problems.push(...checkFacets(e.run?.facets, 'run', 'run.facets'), ...checkFacets(e.job?.facets, 'job', 'job.facets'));
    (e.inputs ?? []).forEach((d, i) =>
      problems.push(...checkFacets(d.facets, 'dataset', `inputs[${i}].facets`), ...checkFacets(d.inputFacets, 'inputFacets', `inputs[${i}].inputFacets`)),
    );
    (e.outputs ?? []).forEach((d, i) =>
      problems.push(...checkFacets(d.facets, 'dataset', `outputs[${i}].facets`), ...checkFacets(d.outputFacets, 'outputFacets', `outputs[${i}].outputFacets`)),
    );
    return problems;
  };
}
