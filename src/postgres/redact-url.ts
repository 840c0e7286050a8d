// Connection URLs as they may appear in messages and metadata: never with their password.

/**
 * The URL with its password replaced by `***` (and query parameters that may carry one removed).
 * @example redactUrl('postgres://sluice:s3cret@db:5432/meta') // 'postgres://sluice:***@db:5432/meta'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an unparsable connection URL)';
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|key|token/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}
