// Progress lines on stderr, so a long full run shows where it is without mixing into results.
const started = performance.now();

export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}
