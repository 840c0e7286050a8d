// Loads TypeScript project files on demand: tsx is registered the first time a .ts config must be imported, so
// commands that never read a config (--help, --version, init) and plain-JS projects never pay for its loader
// (nor for importing it: tsx's API costs ~40 ms to load, so it is imported when it is registered).

let tsxRegistered = false;
/** The one registration, shared by imports that fail together. */
let tsxRegistration: Promise<void> | undefined;

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
  const withTsx = tsxRegistered;
  try {
    return (await import(loaderUrl(url))) as Record<string, unknown>;
  } catch (error) {
    if (withTsx || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    await (tsxRegistration ??= registerTsx());
    return (await import(loaderUrl(url))) as Record<string, unknown>;
  }
}

async function registerTsx(): Promise<void> {
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}
