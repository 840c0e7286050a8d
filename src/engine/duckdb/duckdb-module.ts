// @duckdb/node-api, required rather than imported. It is CommonJS spread over ~120 files: imported from an ES module,
// Node first scans every one of them for its named exports (cjs-module-lexer), which doubled its load time
// (~200 ms against ~95 ms required, measured) on every command that opens a warehouse. Types still come from
// `import type`, which costs nothing at run time.
import { createRequire } from 'node:module';
import type * as DuckDbApi from '@duckdb/node-api';

export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDbApi;
