// Loads plain `.sql` files as assets: the path names the asset, header comments describe it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors.js';
import { asset, type AssetConfig, type AssetDefinition } from './asset-definition.js';

/** Defaults applied to every asset of a folder. */
export interface SqlAssetsOptions {
  group?: string;
  kind?: 'table' | 'view';
  owners?: string[];
  tags?: Record<string, string>;
}

const HEADER = /^--\s*@(\w+)\s*:?\s*(.*)$/;

/**
 * Every `<schema>/<name>.sql` file below `dir` as an asset `schema/name`. Upstream assets are inferred
 * from the SQL when the project loads. Leading comment lines may set `-- @group curation`,
 * `-- @kind view`, `-- @description ...`, `-- @owner team@x`, `-- @tag layer=gold`, `-- @deps a/b, c/d`.
 * @example export const project = defineProject({ assets: [sqlAssets(new URL('./sql', import.meta.url))] });
 */
export function sqlAssets(dir: string | URL, options: SqlAssetsOptions = {}): AssetDefinition[] {
  const root = typeof dir === 'string' ? dir : fileURLToPath(dir);
  let files: string[];
  try {
    files = listSqlFiles(root);
  } catch (cause) {
    throw new SluiceError('INVALID_CONFIG', `sqlAssets: cannot read folder "${root}"; check the path`, { cause });
  }
  return files.map((file) => {
    const parts = relative(root, file).split(sep);
    if (parts.length !== 2) {
      throw new SluiceError('INVALID_DEFINITION', `SQL asset file "${file}" must sit at <schema>/<name>.sql below "${root}"`);
    }
    const sql = readFileSync(file, 'utf8');
    const config: AssetConfig = { key: `${parts[0]}/${basename(parts[1]!, '.sql')}`, sql, ...options };
    applyHeader(config, sql, file);
    const definition = asset(config);
    return Object.freeze({ ...definition, sqlSource: file });
  });
}

function listSqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listSqlFiles(path));
    else if (entry.endsWith('.sql')) out.push(path);
  }
  return out;
}

function applyHeader(config: AssetConfig, sql: string, file: string): void {
  const tags: Record<string, string> = { ...(config.tags ?? {}) };
  const owners = [...(config.owners ?? [])];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const match = HEADER.exec(trimmed);
    if (!match) continue;
    const [, name, value] = match as unknown as [string, string, string];
    switch (name) {
      case 'group':
        config.group = value.trim();
        break;
      case 'kind':
        config.kind = value.trim() as AssetConfig['kind'];
        break;
      case 'description':
        config.description = value.trim();
        break;
      case 'owner':
        owners.push(value.trim());
        break;
      case 'code_version':
        config.codeVersion = value.trim();
        break;
      case 'deps':
        config.deps = value
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean);
        break;
      case 'tag': {
        const [k, v = ''] = value.split('=', 2);
        tags[k!.trim()] = v.trim();
        break;
      }
      default:
        throw new SluiceError(
          'INVALID_DEFINITION',
          `${file}: unknown header "@${name}"; use @group, @kind, @description, @owner, @tag, @deps or @code_version`,
        );
    }
  }
  config.tags = tags;
  config.owners = owners;
}
