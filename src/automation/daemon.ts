// The automation daemon: evaluates schedules and asset conditions, runs sensors, launches runs and records why.
import { messageOf, SluiceError } from '../errors.js';
import type { Sluice } from '../runtime/sluice.js';
import { FINAL_RUN_STATUSES, type RunStatusChange } from '../runtime/run-events.js';
import type { AutomationCursorUpdate, AutomationKind, AutomationState, NewEvaluation } from '../store/metadata-store.js';
import { automationEntries, type AutomationContext, type AutomationEntry, type LaunchedRun, type LaunchRequest } from './automation-context.js';
import { evaluateConditions } from './conditions.js';
import { EventSensor } from './event-sensor.js';
import { FileSensor } from './file-sensor.js';
import { RunCoalescer } from './run-coalescer.js';
import { evaluateSchedule, launchRequest } from './schedule-runner.js';
import { validateCron } from './schedule-calculation.js';

/** How to run the daemon. */
export interface DaemonConfig {
  /** The clock (default: the system clock); tests pass a fake one and call `evaluate()`. */
  clock?: () => Date;
  /** Milliseconds between evaluations (default 1000); 0 turns the timer off. Runs ending also trigger one. */
  intervalMs?: number;
  /** Start file watchers and broker consumers (default true). */
  sensors?: boolean;
  /** After a failed attempt, wait this long before a condition launches the asset again (default 60 s). */
  retryAfterMs?: number;
  /**
   * A condition launches an asset at most once per this many ms (default 1000), so assets that follow a
   * stream of micro-batches (a summary rebuilt on upstream change) do not compete with the hot path per batch.
   */
  minIntervalMs?: number;
  /** Where the daemon's and its sensors' lines go (default: the project's logger). */
  log?: (line: string) => void;
}

/**
 * Runs a project's automation: schedules and asset conditions are evaluated every `intervalMs` and
 * whenever a run ends; sensors react to arrivals at once. Every decision is recorded with its reason;
 * on/off switches, cursors and last ticks live in the metadata store, so a restart resumes where it stopped.
 * @example
 * const daemon = await AutomationDaemon.start(sluice);
 * // ... later
 * await daemon.stop();
 */
export class AutomationDaemon {
  readonly entries: readonly AutomationEntry[];
  private states = new Map<string, AutomationState>();
  /** The daemon's own runs in flight, which `stop()` cancels and waits for. */
  private readonly runs = new Map<string, Promise<unknown>>();
  private readonly eventSensors = new Map<string, EventSensor>();
  private readonly fileSensors: FileSensor[] = [];
  private readonly lastReasons = new Map<string, string>();
  private readonly lastLaunched = new Map<string, number>();
  private readonly evaluation: RunCoalescer;
  private readonly context: AutomationContext;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly log: (line: string) => void;
  private readonly onStatus = ({ status }: RunStatusChange): void => {
    if (FINAL_RUN_STATUSES.has(status)) this.evaluation.request();
  };

  private constructor(
    readonly sluice: Sluice,
    private readonly config: DaemonConfig,
  ) {
    this.log = config.log ?? ((line) => sluice.logger.info(line));
    this.entries = automationEntries(sluice.project);
    this.evaluation = new RunCoalescer(
      () => this.evaluateOnce(),
      (error) => this.log(`automation: evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`),
    );
    const now = config.clock ?? (() => new Date());
    this.context = {
      sluice,
      launch: (request) => this.launch(request),
      isEnabled: (name) => this.isEnabled(name),
      state: (name) => this.states.get(name),
      saveState: (name, kind, update) => this.saveState(name, kind, update),
      record: (evaluation) => this.record(evaluation),
      log: this.log,
      now,
    };
  }

  /** Validates the definitions, loads the saved state, starts the sensors and the timer. */
  static async start(sluice: Sluice, config: DaemonConfig = {}): Promise<AutomationDaemon> {
    validateDefinitions(sluice);
    const daemon = new AutomationDaemon(sluice, config);
    try {
      await daemon.refreshStates();
      sluice.bus.on('status', daemon.onStatus);
      if (config.sensors ?? true) await daemon.startSensors();
      const intervalMs = config.intervalMs ?? 1000;
      if (intervalMs > 0) daemon.timer = setInterval(() => daemon.evaluation.request(), intervalMs);
      daemon.evaluation.request();
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /** The event sensor of a source, for the HTTP routes. */
  eventSensor(source: string): EventSensor | undefined {
    return this.eventSensors.get(source);
  }

  /** Evaluates everything now and waits for it (tests drive a fake clock through this). */
  async evaluate(): Promise<void> {
    this.evaluation.request();
    await this.evaluation.settled();
  }

  /** Waits until no evaluation, sensor round or daemon-launched run is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      await this.evaluation.settled();
      await Promise.all([...this.eventSensors.values(), ...this.fileSensors].map((s) => s.settled()));
      if (this.runs.size === 0 && !this.evaluation.busy) return;
      await Promise.all(this.runs.values());
    }
  }

  /** Switches a schedule, sensor or asset condition on or off (persisted). */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) throw new SluiceError('INVALID_SELECTION', `no schedule, sensor or asset condition is named "${name}"; run \`sluice automation list\``);
    await this.sluice.store.setAutomationEnabled(name, entry.kind, enabled);
    await this.refreshStates();
    if (enabled) this.evaluation.request();
  }

  isEnabled(name: string): boolean {
    const saved = this.states.get(name)?.enabled;
    if (saved !== null && saved !== undefined) return saved;
    return this.entries.find((e) => e.name === name)?.enabledByDefault ?? false;
  }

  /** Stops sensors and the timer, cancels the daemon's runs and waits for everything to end. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.sluice.bus.off('status', this.onStatus);
      await this.evaluation.stop();
      for (const runId of this.runs.keys()) this.sluice.cancel(runId);
      await Promise.all([...this.eventSensors.values(), ...this.fileSensors].map((s) => s.stop()));
      await Promise.all(this.runs.values());
    })());
  }

  private async startSensors(): Promise<void> {
    for (const sensor of this.sluice.project.definition.sensors ?? []) {
      if (sensor.type === 'events') this.eventSensors.set(sensor.source, await EventSensor.start(sensor, this.context));
      else this.fileSensors.push(await FileSensor.start(sensor, this.context));
    }
  }

  private async evaluateOnce(): Promise<void> {
    if (this.stopping) return;
    // Several processes on one PostgreSQL store: only the elected leader evaluates, so no tick fires twice.
    if (this.sluice.leadership && !(await this.sluice.leadership.holds())) return;
    await this.refreshStates();
    for (const schedule of this.sluice.project.definition.schedules ?? []) await evaluateSchedule(schedule, this.context);
    await this.evaluateConditions();
    for (const sensor of this.eventSensors.values()) sensor.poke();
    for (const sensor of this.fileSensors) sensor.poke();
  }

  private async evaluateConditions(): Promise<void> {
    const assets = this.entries.filter((e) => e.kind === 'asset');
    if (assets.length === 0) return;
    const { store, project } = this.sluice;
    const [latest, failures] = await Promise.all([store.latestMaterializations(), store.latestAssetFailures()]);
    // Every asset a run in this process plans to build, until that run's final status (the runtime's one registry).
    const inFlight = this.sluice.runs.plannedAssets();
    const cronCursors = new Map(assets.map((e) => [e.name, dateOf(this.states.get(e.name)?.lastTickAt)]));
    const disabled = new Set(assets.filter((e) => !this.isEnabled(e.name)).map((e) => e.name));
    const now = this.context.now();
    const decisions = evaluateConditions(project.graph, {
      now,
      latest,
      failures,
      inFlight,
      cronCursors,
      disabled,
      lastLaunched: this.lastLaunched,
      minIntervalMs: this.config.minIntervalMs ?? 1000,
      ...(this.config.retryAfterMs !== undefined ? { retryAfterMs: this.config.retryAfterMs } : {}),
    });
    const launch = decisions.filter((d) => d.launch);
    const runIds = new Map<string, string>();
    const errors = new Map<string, string>();
    // Unpartitioned assets go in one run (in dependency order); each partitioned one builds its latest partition.
    const partitioned = (key: string): boolean => project.graph.require(key).definition.partitions !== undefined;
    const plain = launch.filter((d) => !partitioned(d.key)).map((d) => d.key);
    const groups = [...(plain.length > 0 ? [plain] : []), ...launch.filter((d) => partitioned(d.key)).map((d) => [d.key])];
    for (const keys of groups) {
      try {
        const [only] = keys;
        const request = keys.length === 1 && only !== undefined && partitioned(only) ? launchRequest(this.sluice, only, now) : { select: keys.join(',') };
        const { runId } = await this.launch(request);
        for (const key of keys) {
          runIds.set(key, runId);
          this.lastLaunched.set(key, now.getTime());
        }
      } catch (error) {
        for (const key of keys) errors.set(key, messageOf(error));
      }
    }
    for (const decision of decisions) {
      const runId = runIds.get(decision.key);
      const failed = errors.get(decision.key);
      const reason = failed ? `${decision.reason}, but the run could not start: ${failed}` : decision.reason;
      if (decision.cronCursor && decision.cronCursor.toISOString() !== this.states.get(decision.key)?.lastTickAt && (runId || !decision.launch)) {
        await this.saveState(decision.key, 'asset', { lastTickAt: decision.cronCursor.toISOString(), ...(runId ? { lastRunId: runId } : {}) });
      } else if (runId) {
        await this.saveState(decision.key, 'asset', { lastRunId: runId });
      }
      // Launches are always recorded; a "did not launch" only when its reason changed, or the log would grow every second.
      if (!runId && this.lastReasons.get(decision.key) === reason) continue;
      this.lastReasons.set(decision.key, runId ? '' : reason);
      await this.record({ name: decision.key, kind: 'asset', launched: runId !== undefined, reason, ...(runId ? { runId } : {}) });
    }
  }

  private async launch(request: LaunchRequest): Promise<LaunchedRun> {
    if (this.stopping) throw new SluiceError('RUN_CANCELED', 'the automation daemon is stopping');
    const { runId, done } = await this.sluice.submit({ select: request.select, ...(request.partition !== undefined ? { partition: request.partition } : {}) });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.runs.set(runId, settled);
    void settled.then(() => {
      this.runs.delete(runId);
      this.evaluation.request();
    });
    return { runId, done };
  }

  private async refreshStates(): Promise<void> {
    this.states = new Map((await this.sluice.store.automationStates()).map((s) => [s.name, s]));
  }

  private async saveState(name: string, kind: AutomationKind, update: AutomationCursorUpdate): Promise<void> {
    await this.sluice.store.saveAutomationCursor(name, kind, update);
    const previous = this.states.get(name);
    const base: AutomationState = previous ?? {
      name,
      kind,
      enabled: null,
      cursor: null,
      lastTickAt: null,
      lastRunId: null,
      updatedAt: new Date().toISOString(),
    };
    this.states.set(name, { ...base, ...definedOnly(update), updatedAt: new Date().toISOString() });
  }

  private async record(evaluation: NewEvaluation): Promise<void> {
    await this.sluice.store.recordEvaluation(evaluation);
  }
}

/** Cron expressions and selections are checked up front, so a typo stops the daemon with a message instead of failing every tick. */
function validateDefinitions(sluice: Sluice): void {
  const { schedules = [], sensors = [] } = sluice.project.definition;
  for (const item of [...schedules, ...sensors]) {
    try {
      if ('cron' in item) validateCron(item.cron, item.timezone);
      sluice.plan(item.select);
    } catch (error) {
      throw new SluiceError('INVALID_CONFIG', `${'cron' in item ? 'schedule' : 'sensor'} "${item.name}": ${messageOf(error)}`, { cause: error });
    }
  }
  for (const key of sluice.project.graph.order) {
    for (const condition of sluice.project.graph.require(key).definition.automation ?? []) {
      if (condition.type === 'cron') validateCron(condition.cron, condition.timezone);
    }
  }
}

function dateOf(iso: string | null | undefined): Date | undefined {
  return iso ? new Date(iso) : undefined;
}

function definedOnly(update: AutomationCursorUpdate): Partial<AutomationState> {
  return Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)) as Partial<AutomationState>;
}
