// Hash routes of the UI, parsed and built by pure functions: `#/`, `#/assets/<schema>/<name>`, `#/runs`, `#/runs/<id>`,
// `#/automation`, `#/backfills`, `#/checks`, `#/quarantine`, `#/columns/<schema>/<name>/<column>`.

export type Route =
  /** `expand`: the lineage graph's expanded groups, present only when the URL names some. */
  | { page: 'graph'; focus: string | null; expand?: string[] }
  | { page: 'asset'; key: string }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'automation' }
  | { page: 'backfills' }
  /** `asset`: show only this asset's checks (from a link on an asset page). */
  | { page: 'checks'; asset: string | null }
  | { page: 'quarantine' }
  /** Without a key and column: the whole project's column graph. */
  | { page: 'columns'; key: string | null; column: string | null }
  /** Shared servers (`sluice serve`): the sign-in page and the admins' audit log. */
  | { page: 'sign-in' }
  | { page: 'audit' }
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
  if (head === undefined) {
    const params = new URLSearchParams(query);
    const expand = params.getAll('expand').filter(Boolean);
    return { page: 'graph', focus: params.get('focus'), ...(expand.length > 0 ? { expand } : {}) };
  }
  if (head === 'assets' && rest.length > 0) return { page: 'asset', key: rest.join('/') };
  if (head === 'runs' && rest.length === 0) return { page: 'runs' };
  if (head === 'runs' && rest.length === 1 && rest[0]) return { page: 'run', runId: rest[0] };
  if (rest.length === 0 && (head === 'automation' || head === 'backfills' || head === 'quarantine' || head === 'sign-in' || head === 'audit'))
    return { page: head };
  if (head === 'checks' && rest.length === 0) return { page: 'checks', asset: new URLSearchParams(query).get('asset') };
  if (head === 'columns' && rest.length === 0) return { page: 'columns', key: null, column: null };
  if (head === 'columns' && rest.length === 3) return { page: 'columns', key: `${rest[0]}/${rest[1]}`, column: rest[2]! };
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

/**
 * Hash of the lineage graph, optionally centred on one asset and with some groups expanded.
 * @example graphHref('silver/flights', ['silver']) // '#/?focus=silver%2Fflights&expand=silver'
 */
export function graphHref(focus?: string | null, expand: readonly string[] = []): string {
  const params = new URLSearchParams();
  if (focus) params.set('focus', focus);
  for (const group of expand) params.append('expand', group);
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
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

/** Hash of the automation page (schedules, sensors, conditions). */
export function automationHref(): string {
  return '#/automation';
}

/** Hash of the backfills page. */
export function backfillsHref(): string {
  return '#/backfills';
}

/** Hash of the checks page, optionally showing one asset's checks. */
export function checksHref(asset?: string): string {
  return asset ? `#/checks?asset=${encodeURIComponent(asset)}` : '#/checks';
}

/** Hash of the sign-in page of a shared server. */
export function signInHref(): string {
  return '#/sign-in';
}

/** Hash of the audit log (admins of a shared server). */
export function auditHref(): string {
  return '#/audit';
}

/** Hash of the quarantine page. */
export function quarantineHref(): string {
  return '#/quarantine';
}

/**
 * Hash of the column lineage view of one column, or of the whole project's column graph.
 * @example columnHref('gold/region_monthly_summary', 'avg_delay_min') // '#/columns/gold/region_monthly_summary/avg_delay_min'
 */
export function columnHref(key?: string, column?: string): string {
  return key && column ? `#/columns/${encodeKey(key)}/${encodeURIComponent(column)}` : '#/columns';
}
