// Loads TypeScript project files on demand: tsx is registered the first time a .ts config must be imported, so
// commands that never read a config (--help, --version, init) and plain-JS projects never pay for its loader.
import { register } from 'tsx/esm/api';

let registered = false;

/**
 * Imports `url`; when Node cannot load it because it is TypeScript, registers tsx once and imports it again.
 * Under a process that already has a TypeScript loader (`node --import tsx`, vitest...) nothing is registered.
 * @example const module = await importWithTypeScript(pathToFileURL('sluice.config.ts').href);
 */
export async function importWithTypeScript(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (registered || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    register();
    registered = true;
    // A fresh URL: the failed import stays cached under the first one.
    return (await import(`${url}${url.includes('?') ? '&' : '?'}loader=tsx`)) as Record<string, unknown>;
  }
}
