// The CLI's plain-text tables and the counts in them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount, textTable } from '../../src/cli/text-table.js';

describe('text tables', () => {
  it('groups the digits of counts as en-US writes them, without Intl for integers', () => {
    for (const n of [0, 7, 999, 1000, -1000, 12345, 1234567, -9876543210, Number.MAX_SAFE_INTEGER, 1234.5]) {
      assert.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
    }
  });

  it('pads each column to its widest cell and leaves the last one unpadded', () => {
    assert.equal(textTable(['key', 'rows'], [['gold/a', '12']]), 'key     rows\n------  ----\ngold/a  12');
  });
});
