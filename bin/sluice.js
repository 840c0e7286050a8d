#!/usr/bin/env node
// Entry point: runs from the folder the user typed the command in, then runs the built CLI (or its sources through tsx).
import { existsSync, statSync } from 'node:fs';

// `npx sluice` runs in the nearest folder with a package.json, not where it was typed; npm keeps that one in INIT_CWD.
// Only `npm exec`/npx is honoured: under `npm run`/`npm test` a script's own folder is the one it expects.
const invokedFrom = process.env.npm_command === 'exec' ? process.env.INIT_CWD : undefined;
if (invokedFrom && existsSync(invokedFrom) && statSync(invokedFrom).isDirectory()) process.chdir(invokedFrom);

// TypeScript project files get tsx when they are imported (src/runtime/typescript-loader.ts); a checkout that was
// never built runs its sources, which need it from the start.
const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(built)) (await import('tsx/esm/api')).register();
const { main } = await import(existsSync(built) ? built.href : new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv);
