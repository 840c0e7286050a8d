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
  { line: "2001-06-30 22:40:00,5,733,o'h,LGA", expect: 'silver quarantine: invalid airport code' },
];

/** The defect file's content: header, then the lines above. */
export function lateDeliveryCsv(): string {
  return ['date,delay,distance,origin,destination', ...LATE_DELIVERY.map((l) => l.line)].join('\n') + '\n';
}

/** A second late delivery, as a partner's feed exports it: one JSON object per line. */
export const LATE_DELIVERY_JSONL: readonly { line: string; expect: string }[] = [
  { line: '{"date": "2001-06-30 23:40:00", "delay": 7, "distance": 1745, "origin": "SEA", "destination": "ORD"}', expect: 'accepted' },
  { line: '{"date": "2001-06-30 23:45:00", "delay": "-2", "distance": 954, "origin": "BOS", "destination": "ATL", "gate": "B7"}', expect: 'accepted' },
  { line: '{"date": "2001-06-30 23:46:00", "delay": 0, "distance": 1235, "origin": "DEN", "destination": "ORD"}', expect: 'accepted' },
  { line: '{"date": "2001-06-30 23:47:00", "delay": 21, "distance": 2139, "origin": "SFO", "destination": "IAD"}', expect: 'accepted' },
  {
    line: '{"date": "2001-06-30 23:48:00", "delay": null, "distance": 337, "origin": "LAX", "destination": "SFO"}',
    expect: 'silver quarantine: missing delay',
  },
  { line: '{"date": "2001-06-30 23:49:00", "delay": -5, "distance": 762, "origin": "PHX", "destination": "DEN"}', expect: 'accepted' },
  { line: '{"date": "2001-06-30 23:50:00", "delay": 3, "distance": 733, "origin": "ORD",', expect: 'bronze quarantine: bad_json' },
  { line: '["2001-06-30 23:55:00", 3, 733, "ORD", "LGA"]', expect: 'bronze quarantine: not_an_object' },
  {
    line: '{"date": "2001-06-30 21:00:00", "delay": 4.5, "distance": 733, "origin": "ORD", "destination": "LGA"}',
    expect: 'bronze quarantine: bad_cast delay',
  },
  { line: '{"date": "2001-06-30 21:05:00", "delay": 4, "distance": 733, "destination": "LGA"}', expect: 'bronze quarantine: missing_columns origin' },
  {
    line: '{"date": "2001-06-30 21:10:00", "delay": 4, "distance": 733, "origin": "ORD", "origin": "MDW", "destination": "LGA"}',
    expect: 'bronze quarantine: duplicate_field',
  },
];

/** The JSON-lines defect file's content. */
export function lateDeliveryJsonLines(): string {
  return LATE_DELIVERY_JSONL.map((l) => l.line).join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const landing = process.env.SLUICE_FLIGHTS_LANDING ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'landing');
  mkdirSync(landing, { recursive: true });
  for (const [name, lines, content] of [
    ['flights-late-delivery.csv', LATE_DELIVERY, lateDeliveryCsv()],
    ['flights-late-delivery.jsonl', LATE_DELIVERY_JSONL, lateDeliveryJsonLines()],
  ] as const) {
    const file = join(landing, name);
    writeFileSync(file, content);
    console.log(`wrote ${lines.length} late flights (${lines.filter((l) => l.expect !== 'accepted').length} with defects) to ${file}`);
  }
  console.log('now run `npx sluice materialize` and look at bronze.flights_quarantine and silver.flights_quarantine; delete the file to go back');
}
