// Writes a late delivery with realistic defects to landing/, so the next materialization shows quarantine at work.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What each line of the file is, so tests and the README can say what must happen to it. */
export const LATE_DELIVERY: readonly { line: string; expect: string }[] = [
  { line: '2001-06-30 23:10:00,12,733,ORD,LGA', expect: 'accepted' },
  { line: '2001-06-30 23:20:00,-3,1846,ATL,LAX', expect: 'accepted' },
  { line: '2001-06-30 23:30:00,45,802,DFW,DEN', expect: 'accepted' },
  { line: '2001-01-01 00:01:00,33,2176,LAS,PHL', expect: 'duplicate of a source flight: kept once in silver' },
  { line: 'yesterday,5,733,ORD,LGA', expect: 'bronze quarantine: bad_cast date' },
  { line: '2001-06-30 22:00:00,five,733,ORD,LGA', expect: 'bronze quarantine: bad_cast delay' },
  { line: '2001-06-30 22:05:00,5,733', expect: 'bronze quarantine: missing columns' },
  { line: '2001-06-30 22:10:00,5,733,ORD,LGA,GATE 12', expect: 'bronze quarantine: extra columns' },
  { line: '"2001-06-30 22:15:00,5,733,ORD,LGA', expect: 'bronze quarantine: bad quoting' },
  { line: '2001-06-30 22:20:00,5,733,,LGA', expect: 'bronze quarantine: missing required origin' },
  { line: '2001-06-30 22:25:00,,733,ORD,LGA', expect: 'silver quarantine: missing delay' },
  { line: '2001-06-30 22:30:00,5,733,ORD,ORD', expect: 'silver quarantine: origin equals destination' },
  { line: '2001-06-30 22:35:00,5,-40,ORD,LGA', expect: 'silver quarantine: non-positive distance' },
  { line: '2001-06-30 22:40:00,5,733,o\'h,LGA', expect: 'silver quarantine: invalid airport code' },
];

/** The defect file's content: header, then the lines above. */
export function lateDeliveryCsv(): string {
  return ['date,delay,distance,origin,destination', ...LATE_DELIVERY.map((l) => l.line)].join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const landing = process.env.SLUICE_FLIGHTS_LANDING ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'landing');
  mkdirSync(landing, { recursive: true });
  const file = join(landing, 'flights-late-delivery.csv');
  writeFileSync(file, lateDeliveryCsv());
  console.log(`wrote ${LATE_DELIVERY.length} late flights (${LATE_DELIVERY.filter((l) => l.expect !== 'accepted').length} with defects) to ${file}`);
  console.log('now run `npx sluice materialize` and look at bronze.flights_quarantine and silver.flights_quarantine; delete the file to go back');
}
