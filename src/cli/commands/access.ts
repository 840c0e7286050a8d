// `sluice access check`: validates the policies and lists tagged columns, declared or inherited through lineage, readable unmasked.
import type { Command } from 'commander';
import { AccessControl } from '../../access/grants/access-control.js';
import { loadPolicies } from '../../access/policy/load-policies.js';
import { mayPreview, principalWithRoles, ROLES, type Principal } from '../../access/principal.js';
import { sensitiveColumns, type SensitiveColumn } from '../../access/sensitivity/sensitive-columns.js';
import { unmaskedReaders, type UnmaskedReader } from '../../access/sensitivity/unmasked-readers.js';
import { loadColumnLineage } from '../../lineage/load-column-lineage.js';
import { CommandFailed } from '../cli-errors.js';
import { withSluice, type ProjectOptions } from '../open-project.js';

/** What `sluice access check` found. */
export interface AccessCheckResult {
  columns: SensitiveColumn[];
  findings: UnmaskedReader[];
  /** Whom the check considered: the configured users, or each role when the project has no access configuration. */
  readers: string[];
}

/**
 * Validates the project's policies (throws with every problem) and finds tagged columns that a reader sees unmasked.
 * @example const { findings } = await accessCheck({ dir: 'examples/flights' }); // [] for the flights example
 */
export async function accessCheck(options: ProjectOptions): Promise<AccessCheckResult> {
  return withSluice(options, async (sluice) => {
    await loadPolicies(sluice.project, sluice.warehouse);
    const policies = sluice.project.definition.policies ?? {};
    const lineage = await loadColumnLineage(sluice.project.graph, sluice.warehouse);
    const columns = sensitiveColumns(policies, lineage);
    const access = sluice.project.definition.access;
    let readers: Principal[];
    if (access) {
      const control = AccessControl.fromProject(access, sluice.project.graph);
      readers = Object.keys(access.users).map((user) => control.principalFor(user)!);
    } else {
      readers = ROLES.map((role) => principalWithRoles(role, [role]));
    }
    return { columns, findings: unmaskedReaders(columns, policies, readers, mayPreview), readers: readers.map((r) => r.id) };
  });
}

/** The check as text for a terminal or a CI log. */
export function formatAccessCheck(result: AccessCheckResult): string {
  const lines = [`${result.columns.length} tagged column(s), checked for ${result.readers.join(', ')}`];
  for (const column of result.columns) {
    const from = column.declared ? 'declared' : `from ${column.origins.join(', ')}`;
    const open = result.findings.filter((f) => f.column === column).map((f) => f.reader);
    lines.push(
      `  ${column.asset}.${column.column} [${column.tags.join(', ')}] (${from})${open.length > 0 ? `: UNMASKED for ${open.join(', ')}` : ': masked or exempt for every reader'}`,
    );
  }
  return lines.join('\n');
}

export function configureAccessCommand(program: Command): void {
  const group = program.commands.find((c) => c.name() === 'access') ?? program.command('access');
  group
    .command('check')
    .description('validate the policies and list tagged columns (through column lineage) that a reader sees without a mask; exits 1 if any')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const result = await accessCheck(command.optsWithGlobals<ProjectOptions>());
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ columns: result.columns, findings: result.findings.map((f) => ({ asset: f.column.asset, column: f.column.column, tags: f.column.tags, reader: f.reader })) }, null, 2)}\n`
          : `${formatAccessCheck(result)}\n`,
      );
      if (result.findings.length > 0) {
        throw new CommandFailed(
          `${result.findings.length} tagged column reading(s) without a mask: add a mask for those readers, or exempt them with \`unless\` if they may see the values`,
        );
      }
    });
}
