// Runs one scenario in its own process (Node or Python) and parses its result line, so peak RSS never mixes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, REPO_ROOT } from './paths.js';
import { RESULT_PREFIX, type ChildResult } from './scenario-io.js';

/** How long a child may run before it is killed (a hung scenario must not hang the bench). */
export interface ChildOptions {
  timeoutMs?: number;
}

/** A scenario that did not produce a result. */
class ScenarioFailed extends Error {
  constructor(
    readonly scenario: string,
    message: string,
    readonly stderr: string,
  ) {
    super(`${scenario}: ${message}${stderr ? `\n${stderr.trim().split('\n').slice(-15).join('\n')}` : ''}`);
  }
}

/**
 * Runs `bench/scenarios/<name>.ts` with JSON arguments in a fresh Node process.
 * @example const r = await runScenario<StoreResult>('store', { assets: 10_000 });
 */
export function runScenario<T>(name: string, args: object, options: ChildOptions = {}): Promise<T & ChildResult> {
  const script = join(BENCH_DIR, 'scenarios', `${name}.ts`);
  return runChild<T>(name, process.execPath, ['--import', 'tsx', script, JSON.stringify(args)], options);
}

/** Runs any command that prints a result line (the pandas script does too). */
export function runChild<T>(label: string, command: string, argv: readonly string[], options: ChildOptions = {}): Promise<T & ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ScenarioFailed(label, error.message, stderr));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (timedOut) return reject(new ScenarioFailed(label, `killed after ${options.timeoutMs} ms`, stderr));
      if (code !== 0 || !line) return reject(new ScenarioFailed(label, `exited with ${signal ?? code} and no result`, stderr || stdout));
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T & ChildResult);
    });
  });
}
