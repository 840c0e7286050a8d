// The API's door to the runtime's runs: submits them in the background and logs the errors nobody awaits.
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Sluice, SubmitOptions } from '../runtime/sluice.js';

/**
 * Launches runs without waiting for them to finish. The runs themselves are tracked by the runtime's one
 * registry (`sluice.runs`), which also lets a shutdown cancel and await them before the warehouse closes.
 * @example
 * const launcher = new RunLauncher(sluice);
 * const runId = await launcher.launch({ select: '*' });
 */
export class RunLauncher {
  private readonly logger: Logger;
  /** Work started beside the runs (a backfill's loop), which a shutdown cancels and awaits. */
  private readonly background = new Map<Promise<void>, () => void>();

  constructor(
    private readonly sluice: Sluice,
    logger?: Logger,
  ) {
    this.logger = logger ?? sluice.logger;
  }

  /**
   * Submits a run and resolves with its id once the run is recorded (so it can be listed and followed at once).
   * Rejects when it cannot be submitted: a bad selection, an unknown run to retry.
   */
  async launch(options: SubmitOptions): Promise<string> {
    const { runId, done } = await this.sluice.submit(options);
    // Asset failures are in the result; a rejection means the run itself broke, which is in its log too.
    done.catch((error: unknown) => this.logger.error(`run ${runId} stopped with an error: ${messageOf(error)}`));
    return runId;
  }

  /** Ids of the runs in flight in this process. */
  activeRunIds(): string[] {
    return this.sluice.runs.ids();
  }

  /** Keys of the assets some run is building right now. */
  buildingAssets(): Set<string> {
    return this.sluice.runs.buildingAssets();
  }

  /**
   * Work that launches runs of its own (a backfill) and that `cancelAll()` must cancel and wait for.
   * @example launcher.track(runBackfill(sluice, { select, signal }), () => controller.abort());
   */
  track(work: Promise<unknown>, cancel: () => void): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.background.set(settled, cancel);
    void settled.then(() => this.background.delete(settled));
  }

  /** Cancels tracked work and every run, and waits until all have stopped (published tables stay as they were). */
  async cancelAll(): Promise<void> {
    for (const cancel of this.background.values()) cancel();
    await Promise.all([this.sluice.runs.drain(), ...this.background.keys()]);
  }
}
