// What the figures were measured on: hardware, versions, the code's revision and how busy the machine was.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SOURCE_REPO_ENV } from './paths.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  duckdb: string;
  gitCommit: string;
  /** Files of src/ changed since that commit: the figures are of the working tree as it was. */
  srcChanges: number;
  /** 1-minute load averages at start and end; above the core count, other work competed for the CPU. */
  loadAverage: { start: number; end: number | null };
}

function git(...args: string[]): string {
  try {
    // A snapshot has no .git: ask the repository it was copied from.
    return execFileSync('git', args, { cwd: process.env[SOURCE_REPO_ENV] ?? REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const duckdbPackage = join(REPO_ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json');
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    duckdb: (JSON.parse(readFileSync(duckdbPackage, 'utf8')) as { version: string }).version,
    gitCommit: git('rev-parse', '--short', 'HEAD'),
    srcChanges: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length,
    loadAverage: { start: loadavg()[0]!, end: null },
  };
}
