// Selection strings for launching runs from the UI, in the selection language of `POST /api/runs`.

/** What to build around one asset: only it, it and everything upstream, or it and everything downstream. */
export type MaterializeScope = 'asset' | 'upstream' | 'downstream';

/**
 * The selection for one asset and scope.
 * @example selectionFor('silver/flights', 'upstream') // '+silver/flights'
 */
export function selectionFor(key: string, scope: MaterializeScope): string {
  if (scope === 'upstream') return `+${key}`;
  if (scope === 'downstream') return `${key}+`;
  return key;
}
