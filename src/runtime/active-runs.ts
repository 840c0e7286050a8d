// The one registry of the runs in flight in this process: their plans, their folded state, cancel and drain.
import type { RunEvent } from '../model/run-event.js';
import type { MaterializeResult } from './run-coordinator.js';
import { FINAL_RUN_STATUSES, type RunEventBus, type RunStatusChange } from './run-events.js';
import type { Plan } from './planner.js';
import { RunState } from './run-state.js';

/** A run in flight. */
export interface ActiveRun {
  runId: string;
  plan: Plan;
  /** The run's events folded so far. */
  state: RunState;
  /** Settles when the run has stopped. */
  done: Promise<MaterializeResult>;
}

interface Entry extends ActiveRun {
  controller: AbortController;
}

/**
 * Every run of the process, from the moment it is submitted until it has stopped. The bus feeds each
 * run's state, so the assets being built are known the instant an event says so.
 * @example sluice.runs.buildingAssets() // Set { 'silver/flights' }
 */
export class ActiveRuns {
  private readonly runs = new Map<string, Entry>();

  constructor(bus: RunEventBus) {
    bus.on('event', (event: RunEvent) => this.runs.get(event.runId)?.state.apply(event));
    bus.on('status', ({ runId, status }: RunStatusChange) => {
      const entry = this.runs.get(runId);
      if (entry && FINAL_RUN_STATUSES.has(status)) entry.state.status = status;
    });
  }

  /** Registers a run before it is recorded; it leaves the registry once `done` settles. */
  add(runId: string, plan: Plan, controller: AbortController, done: Promise<MaterializeResult>): ActiveRun {
    const entry: Entry = { runId, plan, controller, done, state: new RunState(plan.steps.map((s) => s.key)) };
    this.runs.set(runId, entry);
    const forget = (): void => {
      if (this.runs.get(runId) === entry) this.runs.delete(runId);
    };
    done.then(forget, forget);
    return entry;
  }

  get(runId: string): ActiveRun | undefined {
    return this.runs.get(runId);
  }

  /** Ids of the runs that have not stopped yet. */
  ids(): string[] {
    return [...this.runs.keys()];
  }

  /** Keys of the assets some run is building right now. */
  buildingAssets(): Set<string> {
    const keys = new Set<string>();
    for (const { state } of this.runs.values()) for (const key of state.building()) keys.add(key);
    return keys;
  }

  /** Keys planned by the runs that have not ended (a run's keys are released the moment its final status is set). */
  plannedAssets(): Set<string> {
    const keys = new Set<string>();
    for (const { plan, state } of this.runs.values()) {
      if (state.status !== null && FINAL_RUN_STATUSES.has(state.status)) continue;
      for (const step of plan.steps) keys.add(step.key);
    }
    return keys;
  }

  /** Asks a run to stop; false when it is not running in this process. */
  cancel(runId: string): boolean {
    const entry = this.runs.get(runId);
    entry?.controller.abort();
    return entry !== undefined;
  }

  /** Cancels every run and waits until all have stopped (published tables stay as they were). */
  async drain(): Promise<void> {
    const entries = [...this.runs.values()];
    for (const entry of entries) entry.controller.abort();
    await Promise.all(
      entries.map((e) =>
        e.done.then(
          () => undefined,
          () => undefined,
        ),
      ),
    );
  }

  /** Cancels every run without waiting. */
  cancelAll(): void {
    for (const entry of this.runs.values()) entry.controller.abort();
  }
}
