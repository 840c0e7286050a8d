// Parse trees hold 64- and 128-bit integers (HUGEINT literals, "no location" = 2^64-1) that a JS number would round.

/** A JSON string token, or an integer too long to be exact as a JS number. */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d{16,}/g;
const MARK = '\u0001sluice-int:';
/** The mark as it appears inside JSON text (the control character escaped). */
const MARK_IN_JSON = JSON.stringify(MARK).slice(1, -1);

/**
 * JSON.parse that keeps long integers exact, as marked strings that {@link stringifyLossless} writes back as numbers.
 * @example stringifyLossless(parseLossless('{"v":18446744073709551615}')) // '{"v":18446744073709551615}'
 */
export function parseLossless(json: string): unknown {
  // A string of the caller's that already looks marked would come back as a number: refuse it instead.
  if (json.includes(MARK_IN_JSON)) throw new SyntaxError('the text contains the control character U+0001, which queries may not use');
  return JSON.parse(json.replace(TOKENS, (token) => (token.startsWith('"') ? token : `"${MARK_IN_JSON}${token}"`)));
}

/** JSON.stringify that turns the marked strings of {@link parseLossless} back into the exact integers. */
export function stringifyLossless(value: unknown): string {
  return JSON.stringify(value).replace(TOKENS, (token) => (token.startsWith(`"${MARK_IN_JSON}`) ? token.slice(MARK_IN_JSON.length + 1, -1) : token));
}
