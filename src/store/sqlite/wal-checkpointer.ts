// Checkpoints a SQLite file's WAL from a worker thread, so the thread that commits never waits for a checkpoint.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker copies the WAL into the database file: each checkpoint waits for two fsyncs, which also slow DuckDB's own. */
const CHECKPOINT_INTERVAL_MS = 2_000;

// Plain CommonJS, so it runs as is under tsx, from dist/ and from a bundle; the driver's path comes from here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite checkpoints a WAL on the committing connection once it holds 1,000 pages: two fsyncs (~10-30 ms here) that
 * stalled a run's step every ~100 steps. Started on the writer's first commit, the worker checkpoints (PASSIVE: never
 * blocking the writer or readers) every 2 s instead (every 200 ms made more checkpoints than SQLite's own and was slower), and the writer's own automatic checkpoints are turned off.
 * If the worker cannot run, the writer checkpoints as before.
 * @example const checkpointer = new WalCheckpointer(db, 'data/sluice.sqlite'); checkpointer.start(); await checkpointer.close();
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    private readonly db: { pragma(source: string): unknown; open: boolean },
    private readonly path: string,
  ) {}

  /** Starts the worker (once) and hands it the checkpoints. */
  start(): void {
    if (this.worker) return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain JavaScript: none of the process's loaders (tsx) is needed.
      execArgv: [],
      workerData: { driver, path: this.path, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    this.worker = worker;
    // The process may end while the store is open: the worker does not keep it alive.
    worker.unref();
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('error', () => {
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    });
    this.db.pragma('wal_autocheckpoint = 0');
  }

  /** Checkpoints once more and stops the worker. */
  async close(): Promise<void> {
    // Waited for, so the event loop must not end under it.
    this.worker?.ref();
    this.worker?.postMessage('close');
    await this.exited;
  }
}
