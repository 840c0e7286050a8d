// Talks to a running `sluice dev`: finds it through data/sluice-dev.json, calls its API, follows a run's live events.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiClient } from '../api/api-client.js';
import { findProjectFile } from '../runtime/project-loader.js';
import { isProcessAlive } from '../runtime/process-alive.js';
import { serverFetch } from './server-token.js';

export { ApiClient, SseParser, type SseMessage } from '../api/api-client.js';

/** Where `sluice dev` announces itself, relative to the project folder. */
const DEV_SERVER_FILE = join('data', 'sluice-dev.json');

/** What `sluice dev` writes into DEV_SERVER_FILE while it runs. */
export interface DevServerInfo {
  url: string;
  pid: number;
  startedAt?: string;
}

/** Announces a dev server for `projectDir`. */
export function writeDevServerFile(projectDir: string, info: DevServerInfo): string {
  const path = join(projectDir, DEV_SERVER_FILE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`);
  return path;
}

/** Removes the announcement, unless another process has written its own since. */
export function removeDevServerFile(projectDir: string, pid: number = process.pid): void {
  const path = join(projectDir, DEV_SERVER_FILE);
  try {
    if ((JSON.parse(readFileSync(path, 'utf8')) as DevServerInfo).pid === pid) rmSync(path, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

/**
 * The dev server announced for `projectDir`, if its process is alive (a file left by a killed server is ignored).
 * @example readDevServerFile('examples/flights')?.url // 'http://127.0.0.1:3000'
 */
export function readDevServerFile(projectDir: string): DevServerInfo | undefined {
  const path = join(projectDir, DEV_SERVER_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevServerInfo>;
    if (typeof info.url !== 'string' || typeof info.pid !== 'number') return undefined;
    return isProcessAlive(info.pid) ? { url: info.url, pid: info.pid, ...(info.startedAt ? { startedAt: info.startedAt } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The client of the server a command must go through: `--url`, else the live dev server of the project
 * folder; undefined when the command should open the project itself.
 * @example const client = findDevServer({ project: 'examples/flights' });
 */
export function findDevServer(options: { project?: string; url?: string }): ApiClient | undefined {
  if (options.url) return new ApiClient(options.url, serverFetch());
  let projectDir: string;
  try {
    projectDir = dirname(findProjectFile(options.project ?? process.cwd()));
  } catch {
    // No project here: the local path reports that with its usual message.
    return undefined;
  }
  const info = readDevServerFile(projectDir);
  return info ? new ApiClient(info.url, serverFetch()) : undefined;
}
