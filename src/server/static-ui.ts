// Serves the built web UI (ui/dist) with an SPA fallback, or a page that says how to build it.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

/** Where `npm run build:ui` writes the UI, relative to this module in both src/server and dist/server. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Shown instead of the UI when ui/dist has not been built. */
const UI_NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Sluice is running, but its web UI is not built</h1>
<p>Build it once from the Sluice checkout with <code>npm run build:ui</code>, then reload this page.</p>
<p>The HTTP API works meanwhile: try <a href="/api/assets">/api/assets</a> or <a href="/api/runs">/api/runs</a>.</p>
</body></html>
`;

async function fileIn(root: string, relative: string): Promise<string | undefined> {
  const path = normalize(join(root, relative));
  // normalize() resolves `..`; anything that ends up outside the UI folder is not served.
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A handler for every non-API GET: the file when it exists, index.html for client-side routes
 * (paths without an extension), 404 for missing assets. The folder is checked per request, so
 * building the UI while `sluice dev` runs needs no restart.
 * @example app.get('*', serveUi('/path/to/ui/dist'));
 */
export function serveUi(uiDir: string = DEFAULT_UI_DIR): (c: Context) => Promise<Response> {
  const root = normalize(uiDir).replace(/[\\/]+$/, '');
  return async (c) => {
    let relative: string;
    try {
      relative = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.text('bad path', 400);
    }
    const index = await fileIn(root, 'index.html');
    if (!index) return c.html(UI_NOT_BUILT_HTML, 200, { 'cache-control': 'no-store' });
    const file = relative.endsWith('/') ? undefined : await fileIn(root, relative);
    if (file) {
      // Vite fingerprints everything under assets/, so those never change; the rest may.
      const cache = relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return c.body(await readFile(file), 200, {
        'content-type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': cache,
      });
    }
    if (extname(relative) !== '') return c.text(`not found: ${relative}`, 404);
    return c.html(await readFile(index, 'utf8'), 200, { 'cache-control': 'no-cache' });
  };
}
