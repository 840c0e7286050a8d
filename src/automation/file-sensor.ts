// The file sensor: watches a landing folder with chokidar and materializes its selection when files arrive or change.
import { mkdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { FileSensorDefinition } from '../model/project-definition.js';
import type { AutomationContext } from './automation-context.js';
import { RunCoalescer } from './run-coalescer.js';

/** Files that are still being written settle for this long before they count. */
const STABILITY_MS = 100;
/** After a failed run, the daemon's tick retries the same files no sooner than this. */
const RETRY_AFTER_MS = 30_000;

/**
 * A `*` / `?` file-name pattern as a regular expression.
 * @example filePattern('*.csv').test('events-2.csv') // true
 */
function filePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Watches `path` (relative to the project) for files matching `pattern`. Its cursor maps each file to the
 * `mtime:size` that the last successful run saw, so after a restart only files that are new or changed
 * since then launch a run (chokidar's initial scan reports every file; the cursor filters them).
 * @example const sensor = await FileSensor.start(definition, context); await sensor.stop();
 */
export class FileSensor {
  /** Files present now, with their `mtime:size`. */
  private readonly present = new Map<string, string>();
  private consumed: Record<string, string>;
  private readonly trigger: RunCoalescer;
  private failedAt = 0;
  private ready = false;

  private constructor(
    readonly definition: FileSensorDefinition,
    private readonly context: AutomationContext,
    private readonly dir: string,
    private readonly watcher: FSWatcher,
  ) {
    const saved = context.state(definition.name)?.cursor;
    this.consumed = saved ? (JSON.parse(saved) as Record<string, string>) : {};
    this.trigger = new RunCoalescer(
      () => this.round(),
      (error) => context.log(`sensor ${definition.name}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  static async start(definition: FileSensorDefinition, context: AutomationContext): Promise<FileSensor> {
    const dir = isAbsolute(definition.path) ? definition.path : join(context.sluice.project.dir, definition.path);
    // A landing folder that does not exist yet is created, so the watch starts before the first file.
    mkdirSync(dir, { recursive: true });
    const pattern = filePattern(definition.pattern ?? '*');
    // Loaded here, not with the package: every `sluice` command imports the package through the project's config.
    const { watch } = await import('chokidar');
    const watcher = watch(dir, {
      depth: 0,
      awaitWriteFinish: { stabilityThreshold: STABILITY_MS, pollInterval: 20 },
      ignored: (path, stats) => stats?.isFile() === true && !pattern.test(basename(path)),
    });
    const sensor = new FileSensor(definition, context, dir, watcher);
    const seen = (path: string, stats?: { mtimeMs: number; size: number }): void => {
      if (!stats || !pattern.test(basename(path))) return;
      sensor.present.set(relative(dir, path), `${Math.round(stats.mtimeMs)}:${stats.size}`);
      if (sensor.ready) sensor.poke(true);
    };
    watcher
      .on('add', seen)
      .on('change', seen)
      .on('unlink', (path) => sensor.present.delete(relative(dir, path)));
    watcher.on('error', (error) => context.log(`sensor ${definition.name}: watching ${dir} failed: ${error instanceof Error ? error.message : String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    sensor.ready = true;
    sensor.poke(true);
    return sensor;
  }

  get name(): string {
    return this.definition.name;
  }

  /** Files new or changed since the last successful run. */
  changedFiles(): string[] {
    return [...this.present]
      .filter(([file, version]) => this.consumed[file] !== version)
      .map(([file]) => file)
      .sort();
  }

  /** Requests a run if files changed (a new arrival always; otherwise not during a failure's back-off). */
  poke(arrival = false): void {
    if (!this.context.isEnabled(this.name) || this.changedFiles().length === 0) return;
    if (!arrival && (this.trigger.busy || Date.now() - this.failedAt < RETRY_AFTER_MS)) return;
    this.trigger.request();
  }

  settled(): Promise<void> {
    return this.trigger.settled();
  }

  async stop(): Promise<void> {
    await this.watcher.close();
    await this.trigger.stop();
  }

  private async round(): Promise<void> {
    const changed = this.changedFiles();
    if (changed.length === 0 || !this.context.isEnabled(this.name)) return;
    const snapshot = Object.fromEntries(this.present);
    const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, ... (${changed.length - 5} more)` : '');
    const reason = `${changed.length} new or changed file(s) in ${relative(this.context.sluice.project.dir, this.dir) || '.'}: ${shown}`;
    let launched;
    try {
      launched = await this.context.launch({ select: this.definition.select });
    } catch (error) {
      this.failedAt = Date.now();
      await this.context.record({
        name: this.name,
        kind: 'sensor',
        launched: false,
        reason: `${reason}, but the run could not start: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    await this.context.record({ name: this.name, kind: 'sensor', launched: true, reason, runId: launched.runId, data: { files: changed } });
    const result = await launched.done.catch(() => undefined);
    if (result?.status !== 'succeeded') {
      this.failedAt = Date.now();
      await this.context.record({
        name: this.name,
        kind: 'sensor',
        launched: false,
        runId: launched.runId,
        reason: `run ${launched.runId} ${result?.status ?? 'failed'}; the files are retried when they change or in ${RETRY_AFTER_MS / 1000} s`,
      });
      return;
    }
    this.failedAt = 0;
    this.consumed = snapshot;
    await this.context.saveState(this.name, 'sensor', { cursor: JSON.stringify(snapshot), lastRunId: launched.runId });
  }
}
