// Hash routes of the UI, parsed and built by pure functions: `#/`, `#/assets/<schema>/<name>`, `#/runs`, `#/runs/<id>`.

export type Route =
  | { page: 'graph'; focus: string | null }
  | { page: 'asset'; key: string }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'not-found'; path: string };

/**
 * Parse a location hash into a route.
 * @example parseRoute('#/assets/silver/flights') // { page: 'asset', key: 'silver/flights' }
 */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', query = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean).map(safeDecode);
  const [head, ...rest] = segments;
  if (head === undefined) return { page: 'graph', focus: new URLSearchParams(query).get('focus') };
  if (head === 'assets' && rest.length > 0) return { page: 'asset', key: rest.join('/') };
  if (head === 'runs' && rest.length === 0) return { page: 'runs' };
  if (head === 'runs' && rest.length === 1 && rest[0]) return { page: 'run', runId: rest[0] };
  return { page: 'not-found', path: pathPart };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Hash of the lineage graph, optionally centred on one asset. */
export function graphHref(focus?: string): string {
  return focus ? `#/?focus=${encodeURIComponent(focus)}` : '#/';
}

/** Hash of an asset page: `silver/flights` -> `#/assets/silver/flights`. */
export function assetHref(key: string): string {
  return `#/assets/${encodeKey(key)}`;
}

/** Hash of the runs list. */
export function runsHref(): string {
  return '#/runs';
}

/** Hash of one run's page. */
export function runHref(runId: string): string {
  return `#/runs/${encodeURIComponent(runId)}`;
}
