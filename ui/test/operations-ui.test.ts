import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutColumnLineage, BOX_WIDTH } from '../src/components/column-lineage-layout';
import { cellAt, gridGeometry } from '../src/components/partition-cells';
import { formatNumber } from '../src/format';
import { columnHref, parseRoute } from '../src/routing/route';

describe('operations routes', () => {
  it('parses the automation, backfills, checks, quarantine and column pages', () => {
    assert.deepEqual(parseRoute('#/automation'), { page: 'automation' });
    assert.deepEqual(parseRoute('#/backfills'), { page: 'backfills' });
    assert.deepEqual(parseRoute('#/quarantine'), { page: 'quarantine' });
    assert.deepEqual(parseRoute('#/checks'), { page: 'checks', asset: null });
    assert.deepEqual(parseRoute('#/checks?asset=silver%2Fflights'), { page: 'checks', asset: 'silver/flights' });
    assert.deepEqual(parseRoute('#/columns'), { page: 'columns', key: null, column: null });
    assert.deepEqual(parseRoute(columnHref('gold/summary', 'avg delay/min')), { page: 'columns', key: 'gold/summary', column: 'avg delay/min' });
  });
});

describe('numbers', () => {
  it('shows fractions to three significant digits and integers whole', () => {
    assert.equal(formatNumber(0.46321321321321324), '0.463');
    assert.equal(formatNumber(0.012345), '0.0123');
    assert.equal(formatNumber(12.16276557436082), '12.2');
    assert.equal(formatNumber(5.678), '5.68');
    assert.equal(formatNumber(1234.5678).replace(/[^0-9.]/g, ''), '1234.57');
    assert.equal(formatNumber(3000000).replace(/[^0-9]/g, ''), '3000000');
    assert.equal(formatNumber(null), '–');
  });
});

describe('partition grid geometry', () => {
  it('shrinks cells so 10,000 partitions stay within a few hundred pixels, and finds the cell under a point', () => {
    const small = gridGeometry(181, 900);
    assert.equal(small.cell, 14);
    const large = gridGeometry(10_000, 900);
    assert.ok(large.height <= 400, `height ${large.height}`);
    assert.equal(large.columns * large.rows >= 10_000, true);
    const step = small.cell + small.gap;
    assert.equal(cellAt(step * 2 + 1, step + 1, 181, small), small.columns + 2);
    assert.equal(cellAt(-1, 0, 181, small), -1);
    assert.equal(cellAt(step * (small.columns - 1) + 1, step * (small.rows + 1), 181, small), -1);
  });
});

describe('column lineage layout', () => {
  it('puts sources left of what they feed, one box per table, edges from row to row', () => {
    const node = (asset: string | null, table: string, column: string, kind: 'asset' | 'file' = 'asset') => ({
      id: `${asset ?? table}.${column}`,
      kind,
      asset,
      table,
      column,
      note: null,
    });
    const nodes = [
      node(null, 'file:/d/f.parquet', 'delay', 'file'),
      node('bronze/f', 'bronze.f', 'delay'),
      node('gold/s', 'gold.s', 'avg_delay'),
      node('gold/s', 'gold.s', 'max_delay'),
    ];
    const edges = [
      { from: 'file:/d/f.parquet.delay', to: 'bronze/f.delay', transform: 'identity' as const },
      { from: 'bronze/f.delay', to: 'gold/s.avg_delay', transform: 'aggregation' as const },
      { from: 'bronze/f.delay', to: 'gold/s.max_delay', transform: 'aggregation' as const },
    ];
    const layout = layoutColumnLineage(nodes, edges);
    const x = Object.fromEntries(layout.boxes.map((b) => [b.id, b.x]));
    assert.ok(x['file:/d/f.parquet']! < x['bronze/f']! && x['bronze/f']! < x['gold/s']!);
    assert.equal(layout.boxes.find((b) => b.id === 'file:/d/f.parquet')!.label, 'f.parquet (file)');
    assert.equal(layout.boxes.find((b) => b.id === 'gold/s')!.columns.length, 2);
    const [first] = layout.edges;
    assert.equal(first!.x1, x['file:/d/f.parquet']! + BOX_WIDTH);
    assert.equal(first!.x2, x['bronze/f']);
    assert.ok(layout.width >= x['gold/s']! + BOX_WIDTH);
  });
});
