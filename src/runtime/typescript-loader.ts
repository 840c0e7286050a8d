// Loads TypeScript project files on demand: tsx is registered the first time a .ts config must be imported, so
// commands that never read a config (--help, --version, init) and plain-JS projects never pay for its loader.
import { register } from 'tsx/esm/api';

let tsxRegistered = false;

/** Once tsx is registered, imports use another URL: Node keeps the failed first attempt cached under the plain one. */
function loaderUrl(url: string): string {
  return tsxRegistered ? `${url}${url.includes('?') ? '&' : '?'}loader=tsx` : url;
}

/**
 * Imports `url`; when Node cannot load it because it is TypeScript, registers tsx once and imports it again.
 * Under a process that already has a TypeScript loader (`node --import tsx`, vitest...) nothing is registered.
 * @example const module = await importWithTypeScript(pathToFileURL('sluice.config.ts').href);
 */
export async function importWithTypeScript(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(loaderUrl(url))) as Record<string, unknown>;
  } catch (error) {
    if (tsxRegistered || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    register();
    tsxRegistered = true;
    return (await import(loaderUrl(url))) as Record<string, unknown>;
  }
}
