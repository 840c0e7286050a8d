// The byte scan that decides whether DuckDB's CSV reader may load a file in one pass: what it refuses, what it counts,
// and that the answer does not depend on where the file's chunks end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainCsvScan, scanPlainCsv as scanFile } from '../../src/ingest/csv-plain-scan.js';
import { bytes, fixtureDir } from './ingest-fixtures.js';

const SHAPE = { headerLine: 'id,name,amount', delimiter: ',', fieldCount: 3 };

/** The scan's answer for `body` pushed in pieces cut at `cuts` (byte offsets). */
function scanInPieces(body: Uint8Array, cuts: number[] = [], shape = SHAPE): number | undefined {
  const scan = new PlainCsvScan(shape);
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    // A fresh copy per piece, overwritten after the next push, as the file reader reuses its buffers.
    const piece = Buffer.from(body.subarray(from, cut));
    scan.push(piece);
    from = cut;
  }
  return scan.finish();
}

/** The answer for `body` whole, after checking that every single cut gives the same answer. */
function scanEveryWay(body: Uint8Array | string, shape = SHAPE): number | undefined {
  const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const whole = scanInPieces(data, [], shape);
  for (let cut = 0; cut <= data.length; cut++) assert.equal(scanInPieces(data, [cut], shape), whole, `cut at byte ${cut}`);
  return whole;
}

describe('the plain CSV byte scan', () => {
  it('counts the lines below the header, CRLF or not, with or without a final newline, and empty last fields', () => {
    assert.equal(scanEveryWay('id,name,amount\n1,a,1\n2,b,\n'), 2);
    assert.equal(scanEveryWay('id,name,amount\r\n1,a,1\r\n2,,2'), 2);
    assert.equal(scanEveryWay(bytes([0xef, 0xbb, 0xbf], 'id,name,amount\n1,é,1\n')), 1);
    assert.equal(scanEveryWay('id,name,amount\n'), 0);
    assert.equal(scanEveryWay('id,name,amount'), 0);
    assert.equal(scanEveryWay('id;name;amount\n1;a;\n', { ...SHAPE, headerLine: 'id;name;amount', delimiter: ';' }), 1);
    assert.equal(scanEveryWay('id§name§amount\n1§a§\n', { ...SHAPE, headerLine: 'id§name§amount', delimiter: '§' }), 1);
  });

  const NOT_PLAIN: [string, string | Uint8Array][] = [
    ['a quote', 'id,name,amount\n1,"a",1\n'],
    ['a trailing delimiter past the last field', 'id,name,amount\n1,a,1,\n'],
    ['two trailing delimiters', 'id,name,amount\n1,a,,\n'],
    ['a trailing delimiter past the last field on the last line', 'id,name,amount\n1,a,1,'],
    ['a trailing multi-byte delimiter past the last field', 'id§name§amount\n1§a§1§\n'],
    ['a blank line', 'id,name,amount\n1,a,1\n\n2,b,2\n'],
    ['a blank CRLF line', 'id,name,amount\r\n1,a,1\r\n\r\n'],
    ['a repeated header line', 'id,name,amount\n1,a,1\nid,name,amount\n2,b,2\n'],
    ['a repeated header line at the end', 'id,name,amount\n1,a,1\nid,name,amount'],
    ['a repeated CRLF header line', 'id,name,amount\r\n1,a,1\r\nid,name,amount\r\n'],
    ['a lone carriage return', 'id,name,amount\n1,a\rb,1\n'],
    ['two carriage returns before a newline', 'id,name,amount\n1,a,1\r\r\n'],
    ['a carriage return ending the file', 'id,name,amount\n1,a,1\r'],
    ['a byte-order mark before a data line', bytes('id,name,amount\n', [0xef, 0xbb, 0xbf], '1,a,1\n')],
    ['a second byte-order mark at the start', bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'id,name,amount\n1,a,1\n')],
    ['bytes that are not UTF-8', bytes('id,name,amount\n1,', [0xc3, 0x28], ',1\n')],
    ['bytes that are not UTF-8 on the last line', bytes('id,name,amount\n1,a,', [0xff])],
  ];
  for (const [what, body] of NOT_PLAIN) {
    it(`refuses a file with ${what}, wherever its chunks end`, () => {
      const multiByte = typeof body === 'string' && body.includes('§');
      assert.equal(scanEveryWay(body, multiByte ? { ...SHAPE, headerLine: 'id§name§amount', delimiter: '§' } : SHAPE), undefined);
    });
  }

  /** The integer fields `body` has that are not plain, after checking that every single cut gives the same answer. */
  function notPlainIntegers(body: string, integerFields: number[], shape = SHAPE): number[] | undefined {
    const scan = (cuts: number[]): number[] | undefined => {
      const scanner = new PlainCsvScan({ ...shape, integerFields });
      let from = 0;
      for (const cut of [...cuts, body.length]) {
        scanner.push(Buffer.from(body.slice(from, cut)));
        from = cut;
      }
      return scanner.finish() === undefined ? undefined : scanner.integers.notPlainIntegers;
    };
    const whole = scan([]);
    for (let cut = 0; cut <= body.length; cut++) assert.deepEqual(scan([cut]), whole, `cut at byte ${cut}`);
    return whole;
  }

  it("tells which integer fields hold a text with '.', 'e' or 'E' on some data line, whatever the other fields hold", () => {
    assert.deepEqual(notPlainIntegers('id,name,amount\n1,e.E,2\n-3,x,+4\n', [1, 3]), []);
    assert.deepEqual(notPlainIntegers('id,name,amount\n1,a,2\n3,b,1.5\n', [1, 3]), [3]);
    assert.deepEqual(notPlainIntegers('id,name,amount\n1e3,a,2\n0x1E,b,2E1', [1, 3]), [1, 3]);
    assert.deepEqual(notPlainIntegers('id,name,amount\r\n1,a,2\r\n3,b,4e\r\n', [3]), [3]);
    assert.deepEqual(notPlainIntegers('id,name,amount\n1,a,\n,b,2\n', [1, 3]), []);
    // The header line is not data; a field not listed is not watched.
    assert.deepEqual(notPlainIntegers('i.d,name,amount\n1,a,1.5\n', [1]), []);
    // With a delimiter of more than one byte, every integer field counts as not plain.
    const section = { ...SHAPE, headerLine: 'id§name§amount', delimiter: '§' };
    assert.deepEqual(notPlainIntegers('id§name§amount\n1§a§2\n', [3, 1], section), [1, 3]);
  });

  it('tells what watching the integer fields cost: the bytes it looked at per data line, lines without those bytes skipped', () => {
    const scan = new PlainCsvScan({ ...SHAPE, integerFields: [3] });
    // Line 2 holds an 'e' (in a field not watched): its 5 bytes are looked at; line 3 holds none.
    scan.push(Buffer.from('id,name,amount\n1,e,1\n2,b,2\n'));
    assert.equal(scan.finish(), 2);
    assert.deepEqual(scan.integers, { notPlainIntegers: [], watchedBytesPerLine: 2.5 });
  });

  it('scans a file in chunks of a megabyte, or only its start', async () => {
    const scanPlainCsv = async (...args: Parameters<typeof scanFile>) => {
      const scanned = await scanFile(...args);
      if (!scanned) return scanned;
      const { watchedBytesPerLine: _cost, ...rest } = scanned;
      return rest;
    };
    const dir = fixtureDir();
    try {
      const line = '123456,abcdefghijklmnopqrstuvwxyz,1.5\n';
      const lines = Math.ceil((3 << 20) / line.length);
      const clean = dir.write('big.csv', `id,name,amount\n${line.repeat(lines)}`);
      const integers = { ...SHAPE, integerFields: [1, 3] };
      assert.deepEqual(await scanPlainCsv(clean, integers), { lines, complete: true, notPlainIntegers: [3] });
      assert.deepEqual(await scanPlainCsv(clean, SHAPE, 1 << 20), { complete: false, notPlainIntegers: [] });
      const small = dir.write('small.csv', `id,name,amount\n${line}`);
      assert.deepEqual(await scanPlainCsv(small, SHAPE, 1 << 20), { lines: 1, complete: true, notPlainIntegers: [] });
      const late = dir.write('late.csv', `id,name,amount\n${line.repeat(lines)}1,"quoted",1\n`);
      assert.deepEqual(await scanPlainCsv(late, SHAPE, 1 << 20), { complete: false, notPlainIntegers: [] });
      assert.equal(await scanPlainCsv(late, SHAPE), undefined);
      // An integer field that is not plain only past the first megabyte: the start says plain, the whole file not.
      const lateFraction = dir.write('late-fraction.csv', `id,name,amount\n${line.repeat(lines)}1.0,a,1\n`);
      assert.deepEqual(await scanPlainCsv(lateFraction, { ...SHAPE, integerFields: [1] }, 1 << 20), { complete: false, notPlainIntegers: [] });
      assert.deepEqual(await scanPlainCsv(lateFraction, { ...SHAPE, integerFields: [1] }), { lines: lines + 1, complete: true, notPlainIntegers: [1] });
    } finally {
      dir.remove();
    }
  });
});
