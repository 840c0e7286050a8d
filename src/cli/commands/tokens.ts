// `sluice tokens create|list|revoke`: API tokens of a shared server, printed once and stored only as hashes.
import type { Command } from 'commander';
import { AccessControl } from '../../access/grants/access-control.js';
import { createApiToken, type CreatedToken } from '../../access/identity/api-tokens.js';
import { SluiceError } from '../../errors.js';
import { openAccessStore } from '../../server/auth/project-access.js';
import type { AccessStore, TokenRecord } from '../../store/access-store.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

/** Options of `sluice tokens create`. */
export interface CreateTokenCommandOptions extends ProjectOptions {
  user: string;
  expires?: string;
  description?: string;
}

async function withAccessStore<T>(options: ProjectOptions, work: (store: AccessStore, access: AccessControl) => Promise<T>): Promise<T> {
  const project = await loadDefinitions(options);
  const access = AccessControl.fromProject(project.definition.access, project.graph);
  const store = openAccessStore(project.metadataPath);
  try {
    return await work(store, access);
  } finally {
    await store.close();
  }
}

/**
 * Creates a token for a configured user; the returned token is the only copy of the secret.
 * @example const { token } = await createTokenCommand({ project: 'examples/flights', user: 'viewer', expires: '30d' });
 */
export function createTokenCommand(options: CreateTokenCommandOptions): Promise<CreatedToken> {
  return withAccessStore(options, (store, access) => {
    if (!access.hasUser(options.user)) {
      throw new SluiceError(
        'INVALID_CONFIG',
        `user "${options.user}" is not in the project's access.users (${Object.keys(access.config.users).join(', ')}); add them to sluice.config.ts first`,
      );
    }
    return createApiToken(store, {
      user: options.user,
      ...(options.expires ? { expiresIn: options.expires } : {}),
      ...(options.description ? { description: options.description } : {}),
    });
  });
}

/** Every token of the project (ids, users, times; never secrets). */
export function listTokensCommand(options: ProjectOptions): Promise<TokenRecord[]> {
  return withAccessStore(options, (store) => store.listTokens());
}

/** Revokes a token at once: the next request with it, and every session opened with it, is refused. */
export function revokeTokenCommand(options: ProjectOptions, id: string): Promise<void> {
  return withAccessStore(options, async (store) => {
    if (!(await store.revokeToken(id, new Date().toISOString())))
      throw new SluiceError('INVALID_CONFIG', `no token has id "${id}"; see \`sluice tokens list\``);
  });
}

function state(token: TokenRecord, now: number): string {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

export function configureTokensCommand(program: Command): void {
  const tokens = program.command('tokens');
  tokens
    .command('create')
    .description('create a token for a user of the access configuration; it is printed once')
    .requiredOption('--user <name>', 'a user of access.users in sluice.config.ts')
    .option('--expires <duration>', 'lifetime, e.g. 90m, 12h, 30d (default: never)')
    .option('--description <text>', 'what the token is for')
    .option('--json', 'print JSON')
    .action(async (options: { user: string; expires?: string; description?: string; json?: boolean }, command: Command) => {
      const created = await createTokenCommand({ ...command.optsWithGlobals<ProjectOptions>(), ...options });
      if (options.json) return void process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(
        `token ${created.id} for "${created.user}"${created.expiresAt ? `, expires ${created.expiresAt}` : ', never expires'}; it is shown only now: store it safely\n`,
      );
    });
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await listTokensCommand(command.optsWithGlobals<ProjectOptions>());
      const safe = list.map(({ secretHash: _hash, ...rest }) => rest);
      if (options.json) return void process.stdout.write(`${JSON.stringify(safe, null, 2)}\n`);
      if (list.length === 0) return void process.stdout.write('no tokens yet; create one with `sluice tokens create --user NAME`\n');
      const now = Date.now();
      const rows = list.map((t) => [
        t.id,
        t.user,
        state(t, now),
        t.createdAt.slice(0, 19).replace('T', ' '),
        t.expiresAt?.slice(0, 19).replace('T', ' ') ?? 'never',
        t.description ?? '',
      ]);
      process.stdout.write(`${textTable(['id', 'user', 'state', 'created', 'expires', 'description'], rows)}\n`);
    });
  tokens
    .command('revoke')
    .description('revoke a token at once (its sessions end too)')
    .argument('<id>', 'token id (see `sluice tokens list`)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await revokeTokenCommand(command.optsWithGlobals<ProjectOptions>(), id);
      process.stdout.write(`token ${id} revoked\n`);
    });
}
