// A real `sluice dev` in its own process, from src/ through tsx, on a free port: started, awaited until its daemon is
// quiet, and always stopped (a process the bench leaves behind would load the machine for the next figures).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** How long start-up may take on a loaded machine before the bench gives up. */
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;
/** The server's own output kept for error messages (the tail only). */
const OUTPUT_LIMIT = 20_000;

interface AutomationAnswer {
  daemonRunning: boolean;
  automations: { kind: string; lastEvaluation: { launched: boolean } | null }[];
}

/**
 * `sluice dev --port 0` in `projectDir`.
 * @example const dev = await DevServerProcess.start(projectDir, 'flights'); try { await fetch(`${dev.url}/api/runs`); } finally { await dev.stop(); }
 */
export class DevServerProcess {
  /** Base URL, once ready. */
  url = '';
  /** From spawning the process to the daemon's first quiet moment (milliseconds). */
  readyMs = 0;
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly projectDir: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // Should the bench itself die, the server must not outlive it.
    process.once('exit', this.killNow);
  }

  /**
   * Spawns the server and waits until it is ready for events: it listens (data/sluice-dev.json names its URL),
   * the route of `eventSource` answers 200 (409 until the daemon runs), and the daemon has evaluated every asset condition with
   * no run in flight, so the start-up builds (dimensions, empty bronze) are not measured as event latency.
   */
  static async start(projectDir: string, eventSource: string): Promise<DevServerProcess> {
    const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'src', 'cli', 'main.ts'))}); process.exitCode = await main(['node', 'sluice', ...process.argv.slice(1)]);`;
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'dev', '--port', '0', '--host', '127.0.0.1'], {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Events come by HTTP only: a NATS stream configured in this shell would add events the replay did not send.
      env: { ...process.env, FLIGHTS_NATS_URL: '' },
    });
    const server = new DevServerProcess(child, projectDir);
    try {
      server.url = await server.until('listening', () => server.announcedUrl());
      await server.until(
        'the event route answering',
        async () => (await fetch(`${server.url}/api/events/${encodeURIComponent(eventSource)}`)).status === 200 || undefined,
      );
      await server.until('the daemon to be quiet', () => server.daemonQuiet());
      server.readyMs = performance.now() - started;
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /** Peak resident set size of the server so far (Linux /proc; null elsewhere). */
  peakRssMb(): number | null {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** JSON from the server's API; a non-2xx answer throws with its message. */
  async api<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      ...init,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...init.headers },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  /** Ctrl-C, as a user stops it (runs are canceled, files closed); killed when it does not exit in time. */
  async stop(): Promise<void> {
    process.off('exit', this.killNow);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGINT');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private readonly killNow = (): void => {
    this.child.kill('SIGKILL');
  };

  private announcedUrl(): string | undefined {
    const file = join(this.projectDir, 'data', 'sluice-dev.json');
    if (!existsSync(file)) return undefined;
    try {
      const info = JSON.parse(readFileSync(file, 'utf8')) as { url?: string; pid?: number };
      return info.pid === this.child.pid ? info.url : undefined;
    } catch {
      return undefined; // Being written.
    }
  }

  private async daemonQuiet(): Promise<true | undefined> {
    const [automation, active] = await Promise.all([
      this.api<AutomationAnswer>('/api/automation'),
      Promise.all(['queued', 'started'].map((status) => this.api<{ runs: unknown[] }>(`/api/runs?status=${status}&limit=1`))),
    ]);
    const conditions = automation.automations.filter((a) => a.kind === 'asset');
    const settled = automation.daemonRunning && conditions.every((a) => a.lastEvaluation !== null && !a.lastEvaluation.launched);
    return settled && active.every((a) => a.runs.length === 0) ? true : undefined;
  }

  /** Polls `probe` every 100 ms until it gives a value; fails fast when the server exits. */
  private async until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`sluice dev exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}:\n${this.output.trim()}`);
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch {
        // Not answering yet.
      }
      if (performance.now() > deadline) throw new Error(`sluice dev: no ${what} after ${READY_TIMEOUT_MS / 1000} s:\n${this.output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
