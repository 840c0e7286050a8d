// Starts runs in the background for the API, knows which are active and which assets they are building, and drains them on shutdown.
import { randomUUID } from 'node:crypto';
import type { RunEvent, RunStatus } from './api-types.js';
import { FINAL_RUN_STATUSES } from '../runtime/run-events.js';
import type { MaterializeResult, Sluice } from '../runtime/sluice.js';

/** Starts a run with the id the launcher chose. */
export type RunStarter = (runId: string) => Promise<MaterializeResult>;

/** Asset events after which an asset is no longer being built by its run. */
const ASSET_DONE = new Set(['asset_succeeded', 'asset_failed', 'asset_skipped', 'asset_not_executed']);

/**
 * Launches runs without waiting for them to finish. The facade runs them in-process; the launcher keeps
 * their promises so a shutdown can cancel and await them before the warehouse is closed.
 * @example
 * const launcher = new RunLauncher(sluice);
 * const runId = await launcher.launch((id) => sluice.materialize({ select: '*', runId: id }));
 */
export class RunLauncher {
  private readonly runs = new Map<string, Promise<unknown>>();
  /** Assets being built, per active run (fed by the bus, so CLI-launched and API-launched runs both count). */
  private readonly building = new Map<string, Set<string>>();
  private readonly onEvent = (event: RunEvent): void => this.track(event);
  private readonly onStatus = ({ runId, status }: { runId: string; status: RunStatus }): void => {
    if (FINAL_RUN_STATUSES.has(status)) this.building.delete(runId);
  };

  constructor(private readonly sluice: Sluice, private readonly log: (message: string) => void = (m) => process.stderr.write(`${m}\n`)) {
    sluice.bus.on('event', this.onEvent);
    sluice.bus.on('status', this.onStatus);
  }

  /**
   * Starts a run and resolves with its id once the run is recorded (so it can be listed and followed at once).
   * Rejects with the run's error when it fails before being recorded: a bad selection, an unknown run to retry.
   */
  async launch(start: RunStarter): Promise<string> {
    const runId = randomUUID();
    let recorded = false;
    let onStatus: (update: { runId: string }) => void = () => undefined;
    const firstStatus = new Promise<void>((resolve) => {
      onStatus = (update) => {
        if (update.runId !== runId) return;
        recorded = true;
        resolve();
      };
      this.sluice.bus.on('status', onStatus);
    });
    try {
      const run = Promise.resolve().then(() => start(runId));
      const settled = run.then(
        () => undefined,
        (error: unknown) => {
          // Errors before the run exists are the caller's (answered as HTTP errors); later ones are in the run's log too.
          if (recorded) this.log(`run ${runId} stopped with an error: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
      this.runs.set(runId, settled);
      void settled.finally(() => this.runs.delete(runId));
      // Whichever comes first: the run's first status (it exists) or its end (an early failure rejects here).
      await Promise.race([firstStatus, run]);
    } finally {
      this.sluice.bus.off('status', onStatus);
    }
    return runId;
  }

  /** Ids of the runs this server started that have not finished. */
  activeRunIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Keys of the assets some active run is building right now. */
  buildingAssets(): Set<string> {
    const keys = new Set<string>();
    for (const assets of this.building.values()) for (const key of assets) keys.add(key);
    return keys;
  }

  /** Cancels every active run and waits until all have stopped (published tables stay as they were). */
  async cancelAll(): Promise<void> {
    for (const runId of this.runs.keys()) this.sluice.cancel(runId);
    await Promise.all(this.runs.values());
  }

  /** Stops listening to the bus. */
  dispose(): void {
    this.sluice.bus.off('event', this.onEvent);
    this.sluice.bus.off('status', this.onStatus);
  }

  private track(event: RunEvent): void {
    if (event.assetKey === null) return;
    if (event.type === 'asset_started') {
      let assets = this.building.get(event.runId);
      if (!assets) this.building.set(event.runId, (assets = new Set()));
      assets.add(event.assetKey);
    } else if (ASSET_DONE.has(event.type)) {
      this.building.get(event.runId)?.delete(event.assetKey);
    }
  }
}
