// The protocol between bench/run.ts and a scenario child: JSON arguments in, one JSON result line out, with peak RSS.

/** Marks the result line among whatever else a child prints. */
export const RESULT_PREFIX = '@@bench-result ';

/** Every child result carries the peak resident set size of its own process. */
export interface ChildResult {
  peakRssMb: number;
}

/** The JSON arguments the parent passed as the first command-line argument. */
export function scenarioArgs<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error(`usage: node --import tsx ${process.argv[1] ?? 'scenario.ts'} '<json arguments>' (run it through bench/run.ts)`);
  return JSON.parse(raw) as T;
}

/** Prints the result line; maxRSS is the kernel's peak for this process, so each scenario is measured alone. */
export function emitResult(result: object): void {
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, peakRssMb })}\n`);
}

/** Wall time of an async action in milliseconds. */
export async function timed<T>(action: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const value = await action();
  return [performance.now() - started, value];
}
