// The shape of bench/results/latest.json: every figure with its samples, so later tooling can recompute anything.
import type { AccessBenchResult } from '../sections/access.js';
import type { GovernedBenchResult } from '../sections/governed.js';
import type { OperationsBenchResult } from '../sections/operations.js';
import type { PostgresResult } from '../sections/postgres.js';
import type { EventsResult } from '../sections/events.js';
import type { FlightsResult } from '../sections/flights.js';
import type { StartupResult } from '../sections/startup.js';
import type { StoreResult } from '../sections/store.js';
import type { SyntheticResult } from '../sections/synthetic.js';
import type { UiResult } from '../sections/ui.js';
import type { MachineInfo } from './machine.js';

export interface MemoryRow {
  scenario: string;
  peakRssMb: number;
}

export interface BenchResults {
  schemaVersion: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  durationS: number;
  reps: number;
  machine: MachineInfo;
  flights?: FlightsResult;
  synthetic?: SyntheticResult;
  store?: StoreResult;
  events?: EventsResult;
  ui?: UiResult;
  operations?: OperationsBenchResult;
  startup?: StartupResult;
  access?: AccessBenchResult;
  governed?: GovernedBenchResult;
  postgres?: PostgresResult;
  memory: { baselineMb: number | null; rows: MemoryRow[] };
  /** Sections that could not run, with why; timing never lands here. */
  errors: string[];
}
