// Source simulator: appends one seeded batch of events, and the whole asset list, to the landing files,
// header lines included, exactly as the original template's source systems did.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ASSETS = [
  'Oil & Gas Exploration & Production',
  'Automobile Manufacturing',
  'Steel Manufacturing',
  'Cement Manufacturing',
  'Power Generation',
  'Chemical Manufacturing',
  'Food Processing',
  'Textile Manufacturing',
  'Electronics Manufacturing',
  'Mining',
];

/** Mulberry32: tiny, seedable, good enough to make reproducible test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`, the seed's timestamp format. */
function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}000`;
}

function countBatches(file: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('created_ts,')).length;
}

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '60' },
    seed: { type: 'string', default: '42' },
    landing: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..', 'landing') },
    redeliver: { type: 'boolean', default: false },
  },
});
const count = Number(values.events);
if (!Number.isInteger(count) || count < 1) {
  console.error(`--events must be a whole number >= 1, got "${values.events}"`);
  process.exit(2);
}
mkdirSync(values.landing, { recursive: true });
const eventsFile = join(values.landing, 'events.csv');
const assetsFile = join(values.landing, 'asset.csv');

// Each batch gets its own seed, so appending batch N always produces the same rows; --redeliver repeats the last one.
const batch = Math.max(0, countBatches(eventsFile) - (values.redeliver ? 1 : 0));
const next = random(Number(values.seed) * 1000 + batch);
const batchStart = Date.UTC(2025, 2, 18) + batch * 3_600_000;
const lines = ['created_ts,event_id,asset_id,value'];
for (let i = count - 1; i >= 0; i--) {
  lines.push(`${timestamp(batchStart + i * 60_000)},${uuid(next)},${1 + Math.floor(next() * ASSETS.length)},${10 + Math.floor(next() * 31)}`);
}
appendFileSync(eventsFile, `${lines.join('\n')}\n`);

const deliveredAt = timestamp(batchStart + count * 60_000);
const assetLines = ['asset_id,asset_name,asset_type,created_on', ...ASSETS.map((name, i) => `${i + 1},${name},Type ${i + 1},${deliveredAt}`)];
appendFileSync(assetsFile, `${assetLines.join('\n')}\n`);

console.log(`${values.redeliver ? 're-delivered' : 'appended'} batch ${batch + 1}: ${count} events to ${eventsFile}, ${ASSETS.length} assets to ${assetsFile}`);
