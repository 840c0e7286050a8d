// TypeScript project files compiled once to plain JavaScript, kept under the project's data/ folder, so a start
// imports the config with no TypeScript loader at all. tsx keeps its own compile cache (os.tmpdir()/tsx-*), but
// registering it still costs ~100 ms and routes every later import through its loader thread: that, not the
// compile, is what a warm `sluice list` paid. The compiler is the esbuild tsx brings, so nothing new is installed.
//
// Correctness first: the compiled file is used only when every file compiled into it, every tsconfig/jsconfig/
// package.json that could shape the compile (present or absent), any node_modules folder inside the project that
// would change a bundled module's packages (present or absent), the compiler's version and the compiled file
// itself hash as they did when it was written. Anything this cannot reproduce exactly (import.meta beyond
// url/filename/dirname, a dynamic import of a computed path, TypeScript outside the project, a package that would
// resolve differently from the cache folder) is not cached: the caller imports the config through tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bumped when the compile options below change: files written by another version are compiled again. */
const FORMAT = 1;
const MANIFEST = 'config.json';
/** Age after which a superseded compiled copy is deleted. */
const STALE_COPY_MS = 60_000;
/** Files whose presence or content changes how esbuild compiles the files of their folder and below. */
const SHAPING_FILES = ['tsconfig.json', 'jsconfig.json', 'package.json'];
const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx' | 'json'> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

/** What the cache remembers of one compile. */
interface Manifest {
  format: number;
  entry: string;
  compiler: string;
  /** Each file that shaped the output with its SHA-256 (null: absent); a path ending in a separator: a folder's presence. */
  inputs: Record<string, string | null>;
  /** The compiled file's name in the cache folder; null when the inputs cannot be compiled faithfully (tsx loads them). */
  output: string | null;
  outputSha256: string | null;
}

/** The part of esbuild's API used here (esbuild is tsx's dependency, not Sluice's: typed locally). */
interface Esbuild {
  version: string;
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
interface ResolveArgs {
  path: string;
  kind: string;
  importer: string;
  resolveDir: string;
  pluginData: unknown;
}
interface PluginBuild {
  resolve(path: string, options: Record<string, unknown>): Promise<{ path: string; errors: unknown[] }>;
  onResolve(options: { filter: RegExp }, callback: (args: ResolveArgs) => Promise<Record<string, unknown> | undefined>): void;
  onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => Record<string, unknown>): void;
}

/** Where a project keeps files it can rebuild at any time (compiled config, SQL analyses). */
export function projectCacheDir(projectDir: string): string {
  return join(projectDir, 'data', '.cache');
}

/**
 * Imports a TypeScript project file from its compiled copy (compiling it first when the copy is missing or out of
 * date); undefined when it cannot be compiled faithfully or kept (then import it through a TypeScript loader).
 * @example const module = (await importCompiledConfig('/p/sluice.config.ts')) ?? (await importWithTypeScript(url));
 */
export async function importCompiledConfig(file: string): Promise<Record<string, unknown> | undefined> {
  if (!/\.[cm]?tsx?$/.test(file)) return undefined;
  const compiler = findEsbuild();
  if (!compiler) return undefined;
  const cacheDir = projectCacheDir(dirname(file));
  let output = upToDateOutput(cacheDir, file, compiler.version);
  if (output === undefined) output = await compile(createRequire(compiler.packageJson)('esbuild') as Esbuild, file, cacheDir);
  if (output === null) return undefined;
  try {
    // The modification time in the URL makes a long-lived process re-evaluate a touched config (as the tsx path does).
    return (await import(`${pathToFileURL(output).href}?mtime=${statSync(file).mtimeMs}`)) as Record<string, unknown>;
  } catch (error) {
    // The copy was deleted between the check and the import (by hand, or a clean-up): nothing of it ran, so tsx may.
    if (!existsSync(output)) return undefined;
    throw error;
  }
}

/** Where the esbuild tsx uses is, and its version (read without loading it); undefined when tsx is not installed. */
function findEsbuild(): { packageJson: string; version: string } | undefined {
  try {
    const packageJson = createRequire(createRequire(import.meta.url).resolve('tsx/esm/api')).resolve('esbuild/package.json');
    return { packageJson, version: String((JSON.parse(readFileSync(packageJson, 'utf8')) as { version: unknown }).version) };
  } catch {
    return undefined;
  }
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function hashOrNull(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

/**
 * The compiled file of a manifest that still matches everything it was built from, null when those same inputs were
 * found impossible to compile faithfully, undefined when there is no such manifest (anything unreadable counts as none).
 */
function upToDateOutput(cacheDir: string, file: string, compiler: string): string | null | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(cacheDir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.format !== FORMAT || manifest.entry !== file || manifest.compiler !== compiler) return undefined;
    if (typeof manifest.inputs !== 'object' || manifest.inputs === null || (typeof manifest.output !== 'string' && manifest.output !== null)) return undefined;
    for (const [path, hash] of Object.entries(manifest.inputs)) if (fingerprint(path) !== hash) return undefined;
    if (manifest.output === null) return null;
    const output = join(cacheDir, manifest.output);
    return dirname(output) === cacheDir && hashOrNull(output) === manifest.outputSha256 ? output : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every tsconfig/jsconfig/package.json in the folders of `files` and their parents, with its hash or null; and for
 * folders below the project's, whether they hold a node_modules folder (one appearing there would change which package
 * a module of that folder imports, while the compiled copy resolves packages from the cache folder).
 */
function shapingFiles(files: Iterable<string>, projectDir: string): Record<string, string | null> {
  const found: Record<string, string | null> = {};
  const seen = new Set<string>();
  for (const file of files) {
    for (let dir = dirname(file); !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir);
      for (const name of SHAPING_FILES) found[join(dir, name)] = hashOrNull(join(dir, name));
      if (dir.startsWith(projectDir + sep)) found[join(dir, 'node_modules') + sep] = fingerprint(join(dir, 'node_modules') + sep);
      if (dirname(dir) === dir) break;
    }
  }
  return found;
}

/** A file's SHA-256; for a path ending in a separator, whether that folder exists; null when neither. */
function fingerprint(path: string): string | null {
  if (path.endsWith(sep)) return existsSync(path) ? 'folder' : null;
  return hashOrNull(path);
}

/** Compiles the config with its project-local imports into one ES module in the cache; null when it cannot be kept. */
async function compile(esbuild: Esbuild, file: string, cacheDir: string): Promise<string | null> {
  const projectDir = dirname(file);
  const inputs = new Map<string, string>();
  let faithful = true;
  const inProject = (path: string): boolean => {
    const rel = relative(projectDir, path);
    return !rel.startsWith('..') && !rel.split(sep).includes('node_modules') && !path.startsWith(cacheDir + sep);
  };
  const PROBE = Symbol('probe');
  const plugin = {
    name: 'sluice-config',
    setup(build: PluginBuild): void {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === PROBE || args.kind === 'entry-point') return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: PROBE });
        // Left to esbuild, which fails the build: the TypeScript loader then reports the error in its own words.
        if (resolved.errors.length > 0) return undefined;
        if (inProject(resolved.path)) return { path: resolved.path };
        // Outside the project: imported at run time. TypeScript there would need a loader again.
        if (/\.[cm]?tsx?$/.test(resolved.path)) faithful = false;
        if (/^[./]|^file:/.test(args.path)) return { path: pathToFileURL(resolved.path).href, external: true };
        // A package must resolve from the cache folder exactly as it does from the importing file.
        const fromCache = await build.resolve(args.path, { kind: args.kind, resolveDir: cacheDir, pluginData: PROBE });
        if (fromCache.path !== resolved.path) faithful = false;
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /.*/ }, (args) => {
        const contents = readFileSync(args.path);
        inputs.set(args.path, sha256(contents));
        const loader = LOADERS[extname(args.path)];
        // import.meta is given its values for the config file only (define below); another module's would be wrong.
        if (!loader || (args.path !== file && /\bimport\.meta\b/.test(contents.toString('utf8')))) faithful = false;
        return { contents, loader: loader ?? 'js' };
      });
    },
  };
  let code: string;
  try {
    // Packages are resolved from the cache folder too, which esbuild does only for a folder that exists.
    mkdirSync(cacheDir, { recursive: true });
    const result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: projectDir,
      bundle: true,
      write: false,
      outfile: join(cacheDir, 'config.mjs'),
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      // Every module keeps its top-level statements, as when it is imported on its own.
      treeShaking: false,
      logLevel: 'silent',
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(projectDir),
      },
      plugins: [plugin],
    });
    code = result.outputFiles[0]!.text;
  } catch {
    // Not remembered: a config that does not compile is reported by the TypeScript loader, and edited.
    return null;
  }
  // Left in the output, these would resolve from the cache folder instead of the file that wrote them: import.meta,
  // require(), and import() of a computed path (a variable, or a template with a placeholder esbuild could not expand).
  const kept = faithful && !/\bimport\.meta\b|\b__require\b|\bimport\s*\(\s*(?:[^\s"'`]|`[^`]*\$\{)/.test(code);
  const name = kept ? `config-${sha256(code).slice(0, 16)}.mjs` : null;
  const manifest: Manifest = {
    format: FORMAT,
    entry: file,
    compiler: esbuild.version,
    inputs: { ...shapingFiles(inputs.keys(), projectDir), ...Object.fromEntries(inputs) },
    output: name,
    outputSha256: kept ? sha256(code) : null,
  };
  try {
    if (name) writeAtomically(join(cacheDir, name), code);
    // Remembered either way: a config that needs tsx is not compiled again at every start, only after an edit.
    writeAtomically(join(cacheDir, MANIFEST), JSON.stringify(manifest, null, 1));
  } catch {
    return null;
  }
  try {
    removeOldCopies(cacheDir, name);
  } catch {
    // The folder itself went (removed by hand): the import below finds its copy gone and falls back to tsx.
  }
  return name ? join(cacheDir, name) : null;
}

/** Older copies go once no process can still be between checking one and importing it; another process may be at it too. */
function removeOldCopies(cacheDir: string, kept: string | null): void {
  for (const old of readdirSync(cacheDir)) {
    if (!/^config-.*\.mjs$/.test(old) || old === kept) continue;
    try {
      const path = join(cacheDir, old);
      if (Date.now() - statSync(path).mtimeMs > STALE_COPY_MS) rmSync(path, { force: true });
    } catch {
      // Gone already.
    }
  }
}

/** Written whole or not at all: a reader (another process) never sees half a file. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
