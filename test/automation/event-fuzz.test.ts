// Fuzzing POST /api/events/:source: arbitrary JSON, deep nesting, huge strings, lone surrogates, mixed good and bad events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AutomationDaemon } from '../../src/automation/daemon.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({
      key: 'bronze/events', incremental: { strategy: 'merge', uniqueKey: ['event_id'] },
      sql: \`SELECT CAST(payload->>'event_id' AS BIGINT) AS event_id, CAST(payload->>'at' AS TIMESTAMP) AS at, payload->>'note' AS note
             FROM landing.events QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _seq DESC) = 1\`,
    }),
  ],
  sensors: [{ type: 'events', name: 'intake', source: 'events', select: 'bronze/events', event: { fields: { at: { type: 'timestamp', required: true }, note: 'string' } } }],
});`;

/** One event of a generated body: its JSON text, whether it must be accepted, and whether it breaks a limit (the whole body is then refused). */
interface Piece {
  text: string;
  kind: 'good' | 'bad' | 'over-limit';
  id?: number;
}

let nextId = 1;
const timestamp = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 19).replace('T', ' '));
const good = fc.record({ at: timestamp, note: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: undefined }) }).map((e): Piece => {
  const id = nextId++;
  return { text: JSON.stringify({ event_id: id, ...e }), kind: 'good', id };
});
const badId = fc.oneof(
  fc.constant('"7-0.5"'),
  fc.constant('"0x10"'),
  fc.constant('1e30'),
  fc.constant('1.5'),
  fc.constant('null'),
  fc.constant('{}'),
  fc.constant('9007199254740993'),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
);
const bad = fc.oneof(
  // Arbitrary JSON that is not an event object, or an object without a usable id.
  fc.jsonValue({ maxDepth: 4 }).map((v): Piece => ({ text: JSON.stringify(v) ?? 'null', kind: 'bad' })),
  badId.map((id): Piece => ({ text: `{"event_id": ${id}, "at": "2001-01-01 00:00:00"}`, kind: 'bad' })),
  fc
    .constantFrom('yesterday', '20010101', '2001-02-30 10:00:00', '', '2001-13-01 00:00:00')
    .map((at): Piece => ({ text: JSON.stringify({ event_id: nextId++, at }), kind: 'bad' })),
  fc
    .constantFrom('\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b')
    .map((s): Piece => ({ text: `{"event_id": ${nextId++}, "at": "2001-01-01 00:00:00", "note": "${s}"}`, kind: 'bad' })),
);
const overLimit = fc.oneof(
  fc.integer({ min: 33, max: 5_000 }).map((depth): Piece => ({
    text: `{"event_id": ${nextId++}, "at": "2001-01-01 00:00:00", "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`,
    kind: 'over-limit',
  })),
  fc
    .integer({ min: 65_537, max: 200_000 })
    .map((length): Piece => ({ text: `{"event_id": ${nextId++}, "at": "2001-01-01 00:00:00", "note": "${'y'.repeat(length)}"}`, kind: 'over-limit' })),
);
const body = fc.array(fc.oneof({ weight: 5, arbitrary: good }, { weight: 4, arbitrary: bad }, { weight: 1, arbitrary: overLimit }), { maxLength: 12 });

describe('fuzzing the events route', () => {
  let project: TempProject;
  let sluice: Sluice;
  let daemon: AutomationDaemon;
  let app: ReturnType<typeof createApp>;
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const session = await sluice.warehouse.session();
    try {
      return await session.query(sql);
    } finally {
      session.close();
    }
  };

  before(async () => {
    project = tempProject({ 'sluice.config.ts': CONFIG });
    sluice = await Sluice.open({ dir: project.dir, openLineage: false });
    daemon = await AutomationDaemon.start(sluice, { intervalMs: 0, log: () => undefined });
    app = createApp(sluice, { log: () => undefined, automation: () => daemon });
  });
  after(async () => {
    await daemon?.stop();
    await sluice?.close();
    project?.remove();
  });

  it('never answers 5xx; every good event acknowledged lands exactly once; every bad one is refused or quarantined with a reason', async () => {
    const accepted = new Set<number>();
    const refused = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (pieces, wrapped) => {
        const list = `[${pieces.map((p) => p.text).join(',')}]`;
        const response = await app.request('/api/events/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: wrapped ? `{"events": ${list}}` : list,
        });
        const answer = (await response.json()) as { results?: { status: string; seq?: number; reasons?: string[] }[]; error?: { message: string } };
        assert.ok(response.status < 500, `${response.status}: ${JSON.stringify(answer).slice(0, 500)}`);
        if (pieces.some((p) => p.kind === 'over-limit')) {
          assert.equal(response.status, 400, JSON.stringify(answer).slice(0, 300));
          assert.match(answer.error!.message, /\(the limit\)/);
          for (const p of pieces) if (p.id !== undefined) refused.add(p.id);
          return;
        }
        assert.equal(response.status, 202, JSON.stringify(answer).slice(0, 300));
        assert.equal(answer.results!.length, pieces.length);
        for (const [i, p] of pieces.entries()) {
          const result = answer.results![i]!;
          if (p.kind === 'good') {
            assert.equal(result.status, 'accepted', `${p.text} -> ${JSON.stringify(result)}`);
            accepted.add(p.id!);
          } else {
            assert.equal(result.status, 'quarantined', `${p.text.slice(0, 200)} -> ${JSON.stringify(result)}`);
            assert.ok(result.reasons!.length > 0 && result.reasons!.every((r) => r.length > 10));
            if (p.id !== undefined) refused.add(p.id);
          }
        }
      }),
      { numRuns: 40 },
    );
    // The route still answers, and everything acknowledged lands exactly once; nothing refused does.
    const last = nextId++;
    assert.equal(
      (
        await app.request('/api/events/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ event_id: last, at: '2001-01-01 00:00:00' }]),
        })
      ).status,
      202,
    );
    accepted.add(last);
    await daemon.idle();
    const rows = await query('SELECT event_id::INTEGER AS id, count(*)::INTEGER AS n FROM bronze.events GROUP BY ALL');
    assert.ok(
      rows.every((r) => r.n === 1),
      'no event twice',
    );
    const landed = new Set(rows.map((r) => Number(r.id)));
    assert.deepEqual(
      [...accepted].filter((id) => !landed.has(id)),
      [],
      'every acknowledged good event landed',
    );
    assert.deepEqual(
      [...landed].filter((id) => !accepted.has(id)),
      [],
      'nothing refused or quarantined landed',
    );
    assert.ok(refused.size > 0);
  });
});
