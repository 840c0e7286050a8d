// Warehouse values made JSON-safe for previews and query results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonRows, toJsonValue } from '../../src/server/json-values.js';

test('big integers become numbers when exact and strings otherwise, also inside lists and structs', () => {
  assert.deepEqual(toJsonValue({ small: 12n, huge: 2n ** 80n, nested: [{ n: 3n }] }), { small: 12, huge: String(2n ** 80n), nested: [{ n: 3 }] });
});

test('timestamps become ISO text, blobs hex text, and non-finite numbers text', () => {
  assert.deepEqual(toJsonValue([new Date(0), new Uint8Array([1, 255]), Number.NaN, null, undefined]), [
    '1970-01-01T00:00:00.000Z',
    '\\x01ff',
    'NaN',
    null,
    null,
  ]);
});

test('DATE columns come out as calendar dates when the column types are known', () => {
  const day = new Date(Date.UTC(2001, 0, 31));
  const result = toJsonRows(
    [{ day, at: day }],
    [
      { name: 'day', type: 'DATE' },
      { name: 'at', type: 'TIMESTAMP' },
    ],
  );
  assert.deepEqual(result, { columns: ['day', 'at'], rows: [{ day: '2001-01-31', at: '2001-01-31T00:00:00.000Z' }] });
});

test('without column types the names come from the first row, and no rows means no columns', () => {
  assert.deepEqual(toJsonRows([{ a: 1, b: 2 }]).columns, ['a', 'b']);
  assert.deepEqual(toJsonRows([]), { columns: [], rows: [] });
});
