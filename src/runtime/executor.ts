// Runs a plan's steps in dependency order with bounded parallelism, retries with backoff, and cancellation.
import { serializeError, type SerializedError } from '../errors.js';
import type { StepStatus } from '../store/records.js';
import type { Plan } from './planner.js';
import { ReadyQueue } from './ready-queue.js';

/** How one step ended. */
export interface StepOutcome {
  key: string;
  status: Exclude<StepStatus, 'pending' | 'running'>;
  attempts: number;
  durationMs: number;
  error?: SerializedError;
  /** For skipped steps: the failed upstream steps that caused the skip. */
  failedUpstream?: string[];
}

/** Callbacks the executor drives; `run` does the actual work of one attempt. */
export interface StepHandlers {
  run(key: string, attempt: number, signal: AbortSignal): Promise<void>;
  /** How many retries a step gets and the first backoff delay. */
  retryPolicy(key: string): { retries: number; delayMs: number };
  onStart?(key: string, attempt: number): Promise<void> | void;
  onRetry?(key: string, attempt: number, delayMs: number, error: unknown): Promise<void> | void;
  onFinish?(outcome: StepOutcome): Promise<void> | void;
}

/** Per-execution options. */
export interface ExecuteOptions {
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * Executes a plan. A failed step skips everything downstream of it; independent branches go on.
 * On abort, running steps get the aborted signal and nothing new starts.
 * @example const outcomes = await executePlan(plan, handlers, { concurrency: 4 });
 */
export async function executePlan(plan: Plan, handlers: StepHandlers, options: ExecuteOptions): Promise<Map<string, StepOutcome>> {
  const outcomes = new Map<string, StepOutcome>();
  const waiting = new Map(plan.steps.map((s) => [s.key, new Set(s.waitsFor)]));
  const dependents = new Map<string, string[]>(plan.steps.map((s) => [s.key, []]));
  for (const step of plan.steps) for (const dep of step.waitsFor) dependents.get(dep)!.push(step.key);
  const ready = new ReadyQueue(new Map(plan.steps.map((s, i) => [s.key, i])));
  for (const step of plan.steps) if (step.waitsFor.length === 0) ready.push(step.key);
  const running = new Map<string, Promise<void>>();
  const signal = options.signal ?? new AbortController().signal;

  const finish = async (outcome: StepOutcome): Promise<void> => {
    outcomes.set(outcome.key, outcome);
    await handlers.onFinish?.(outcome);
  };

  const settle = async (key: string, outcome: StepOutcome): Promise<void> => {
    await finish(outcome);
    for (const child of dependents.get(key)!) {
      if (outcomes.has(child)) continue;
      if (outcome.status === 'succeeded') {
        const pending = waiting.get(child)!;
        pending.delete(key);
        if (pending.size === 0) ready.push(child);
      } else if (outcome.status !== 'canceled') {
        // Canceled steps leave their downstream to be marked canceled once the loop drains.
        await skipDownstream(child, outcome.failedUpstream ?? [key]);
      }
    }
  };

  const skipDownstream = async (key: string, failedUpstream: string[]): Promise<void> => {
    if (outcomes.has(key)) return;
    await finish({ key, status: 'skipped', attempts: 0, durationMs: 0, failedUpstream });
    for (const child of dependents.get(key)!) await skipDownstream(child, failedUpstream);
  };

  const start = (key: string): void => {
    const task = runWithRetries(key, handlers, signal).then((outcome) => settle(key, outcome));
    running.set(
      key,
      task.finally(() => running.delete(key)),
    );
  };

  while (ready.size > 0 || running.size > 0) {
    while (!signal.aborted && ready.size > 0 && running.size < options.concurrency) start(ready.pop()!);
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const step of plan.steps) {
    if (!outcomes.has(step.key)) await finish({ key: step.key, status: signal.aborted ? 'canceled' : 'not_executed', attempts: 0, durationMs: 0 });
  }
  return outcomes;
}

async function runWithRetries(key: string, handlers: StepHandlers, signal: AbortSignal): Promise<StepOutcome> {
  const { retries, delayMs } = handlers.retryPolicy(key);
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await handlers.onStart?.(key, attempt);
      await handlers.run(key, attempt, signal);
      return { key, status: 'succeeded', attempts: attempt, durationMs: performance.now() - started };
    } catch (error) {
      if (signal.aborted) return { key, status: 'canceled', attempts: attempt, durationMs: performance.now() - started, error: serializeError(error) };
      if (attempt > retries) return { key, status: 'failed', attempts: attempt, durationMs: performance.now() - started, error: serializeError(error) };
      const backoff = delayMs * 2 ** (attempt - 1);
      await handlers.onRetry?.(key, attempt, backoff, error);
      if (!(await sleep(backoff, signal))) {
        return { key, status: 'canceled', attempts: attempt, durationMs: performance.now() - started, error: serializeError(error) };
      }
    }
  }
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
