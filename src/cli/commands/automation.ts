// `sluice automation list|on|off|history`: schedules, sensors and asset conditions, their state and recorded decisions.
import type { Command } from 'commander';
import { automationEntries } from '../../automation/automation-context.js';
import { SluiceError } from '../../errors.js';
import { openStore } from '../../runtime/adapters.js';
import type { EvaluationRecord, MetadataStore } from '../../store/metadata-store.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** One row of `sluice automation list`. */
export interface AutomationRow {
  name: string;
  kind: string;
  enabled: boolean;
  detail: string;
  lastTick: string | null;
  lastRunId: string | null;
  lastEvaluation: Pick<EvaluationRecord, 'ts' | 'launched' | 'reason'> | null;
}

/**
 * Reads the automation of a project and its persisted state. Only the metadata store is opened (SQLite takes several
 * processes; on PostgreSQL, SLUICE_METADATA_URL, every scheduler shares it), so this works while `sluice dev` or
 * `sluice daemon` runs; they pick up an on/off switch at their next evaluation, within a second.
 * @example const rows = await automationList({ project: 'examples/flights/events' });
 */
export async function automationList(options: ProjectOptions): Promise<AutomationRow[]> {
  return withStore(options, async (store, project) => {
    const states = new Map((await store.automationStates()).map((s) => [s.name, s]));
    const rows: AutomationRow[] = [];
    for (const entry of automationEntries(project)) {
      const state = states.get(entry.name);
      const [last] = await store.listEvaluations({ name: entry.name, limit: 1 });
      rows.push({
        name: entry.name,
        kind: entry.kind,
        enabled: state?.enabled ?? entry.enabledByDefault,
        detail: entry.detail,
        lastTick: state?.lastTickAt ?? null,
        lastRunId: state?.lastRunId ?? null,
        lastEvaluation: last ? { ts: last.ts, launched: last.launched, reason: last.reason } : null,
      });
    }
    return rows;
  });
}

/**
 * Switches a schedule, sensor or asset condition on or off; the switch survives restarts.
 * @example await automationSwitch({ project: '.' }, 'dimensions_nightly', false);
 */
export async function automationSwitch(options: ProjectOptions, name: string, enabled: boolean): Promise<void> {
  await withStore(options, async (store, project) => {
    const entries = automationEntries(project);
    const entry = entries.find((e) => e.name === name);
    if (!entry) {
      const known = entries.map((e) => e.name).join(', ') || 'none: add `schedules`, `sensors` or an asset `automation` condition';
      throw new SluiceError('INVALID_SELECTION', `no schedule, sensor or asset condition is named "${name}"; known: ${known}`);
    }
    await store.setAutomationEnabled(name, entry.kind, enabled);
  });
}

/**
 * The recorded decisions (latest first), of one name or of all.
 * @example await automationHistory({ project: '.' }, 'gold/region_monthly_summary', 20);
 */
export async function automationHistory(options: ProjectOptions, name: string | undefined, limit: number): Promise<EvaluationRecord[]> {
  return withStore(options, (store) => store.listEvaluations({ limit, ...(name ? { name } : {}) }));
}

async function withStore<T>(
  options: ProjectOptions,
  work: (store: MetadataStore, project: Awaited<ReturnType<typeof loadDefinitions>>) => Promise<T>,
): Promise<T> {
  const project = await loadDefinitions(options);
  const store = await openStore(project);
  try {
    return await work(store, project);
  } finally {
    await store.close();
  }
}

export function configureAutomationCommand(program: Command): void {
  const automation = program.command('automation');
  automation
    .command('list')
    .description('each schedule, sensor and asset condition with on/off, last tick or run, and its last decision')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await automationList(command.optsWithGlobals<ProjectOptions>());
      if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      if (rows.length === 0)
        return void process.stdout.write('no automation: add `schedules`, `sensors` or an asset `automation` condition (see README "Automation")\n');
      const table = rows.map((r) => [
        r.name,
        r.kind,
        r.enabled ? 'on' : 'off',
        r.lastTick ? r.lastTick.replace('T', ' ').slice(0, 16) : '-',
        r.lastEvaluation
          ? `${r.lastEvaluation.ts.replace('T', ' ').slice(0, 19)} ${r.lastEvaluation.launched ? 'launched' : 'skipped'}: ${r.lastEvaluation.reason}`
          : '-',
      ]);
      process.stdout.write(`${textTable(['name', 'kind', 'state', 'last tick', 'last decision'], table)}\n\n`);
      for (const r of rows) process.stdout.write(`${r.name}: ${r.detail}\n`);
    });
  for (const [verb, enabled] of [
    ['on', true],
    ['off', false],
  ] as const) {
    automation
      .command(verb)
      .description(`switch a schedule, sensor or asset condition ${verb} (persisted; a running daemon follows within a second)`)
      .argument('<name>', 'schedule or sensor name, or asset key')
      .action(async (name: string, _options: unknown, command: Command) => {
        await automationSwitch(command.optsWithGlobals<ProjectOptions>(), name, enabled);
        process.stdout.write(`${name}: ${verb}\n`);
      });
  }
  automation
    .command('history')
    .description('recorded decisions, latest first: what launched and why, what did not and why')
    .argument('[name]', 'one schedule, sensor or asset key')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { limit: string; json?: boolean }, command: Command) => {
      const records = await automationHistory(command.optsWithGlobals<ProjectOptions>(), name, Number(options.limit));
      if (options.json) return void process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      for (const r of records)
        process.stdout.write(`${r.ts}  ${r.name.padEnd(28)}  ${(r.launched ? 'launched' : 'skipped').padEnd(8)}  ${r.runId ?? '-'.padEnd(36)}  ${r.reason}\n`);
    });
}
