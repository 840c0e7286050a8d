// `sluice audit`: who did or tried what on a shared server, newest first, read from the project's metadata store.
import type { Command } from 'commander';
import { AuditLog, sinceTime } from '../../access/audit/audit-log.js';
import { openAccessStore } from '../../server/auth/project-access.js';
import type { AuditEntry } from '../../store/access-store.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** Filters of `sluice audit`. */
export interface AuditCommandOptions extends ProjectOptions {
  user?: string;
  /** `24h`, `7d`, or an ISO date. */
  since?: string;
  denied?: boolean;
  limit?: number;
}

/**
 * Reads the audit log of a project.
 * @example const denied = await auditEntries({ project: 'examples/flights', denied: true, since: '24h' });
 */
export async function auditEntries(options: AuditCommandOptions): Promise<AuditEntry[]> {
  const since = options.since === undefined ? undefined : sinceTime(options.since);
  const project = await loadDefinitions(options);
  const store = openAccessStore(project.metadataPath);
  try {
    return await new AuditLog(store).list({
      ...(options.user ? { principal: options.user } : {}),
      ...(since ? { since } : {}),
      deniedOnly: options.denied === true,
      limit: options.limit ?? 1000,
    });
  } finally {
    await store.close();
  }
}

/** The text table `sluice audit` prints. */
export function formatAudit(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return 'no audit entries match';
  const rows = entries.map((e) => [
    e.at.slice(0, 23).replace('T', ' '),
    e.principal ?? '-',
    e.allowed ? 'allowed' : 'DENIED',
    String(e.status),
    e.action,
    e.resource,
    e.rows === null ? '' : String(e.rows),
    e.client ?? '',
    (e.query ?? e.detail ?? '').replace(/\s+/g, ' ').slice(0, 120),
  ]);
  return textTable(['time', 'principal', 'outcome', 'status', 'action', 'resource', 'rows', 'client', 'query / detail'], rows);
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error('expected a whole number >= 1');
  return n;
}

export function configureAuditCommand(program: Command): void {
  program
    .command('audit')
    .option('--user <name>', 'only this principal')
    .option('--since <when>', 'only entries since, e.g. 24h, 7d or 2026-01-31')
    .option('--denied', 'only denied requests and failed sign-ins')
    .option('-n, --limit <n>', 'at most this many (newest first)', parseLimit, 1000)
    .option('--json', 'print JSON')
    .action(async (options: { user?: string; since?: string; denied?: boolean; limit: number; json?: boolean }, command: Command) => {
      const entries = await auditEntries({ ...command.optsWithGlobals<ProjectOptions>(), ...options });
      process.stdout.write(options.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatAudit(entries)}\n`);
    });
}
