// Child: loads Sluice and does nothing, so readers can subtract the runtime's own resident memory from every figure.
import { DuckDBInstance } from '@duckdb/node-api';
import { Sluice } from '../../src/index.js';
import { emitResult } from '../lib/scenario-io.js';

// Opening an in-memory DuckDB maps the engine's code, which every real scenario pays for.
const instance = await DuckDBInstance.create(':memory:');
instance.closeSync();
emitResult({ loaded: typeof Sluice.open === 'function' });
