import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectionFor } from '../src/api/run-selection';
import { formatCell, formatDuration, spanMs } from '../src/format';
import { assetHref, graphHref, parseRoute, runHref } from '../src/routing/route';

describe('hash routes', () => {
  it('parses the four pages, asset keys with slashes and encoded run ids', () => {
    assert.deepEqual(parseRoute(''), { page: 'graph', focus: null });
    assert.deepEqual(parseRoute('#/'), { page: 'graph', focus: null });
    assert.deepEqual(parseRoute('#/assets/silver/flights'), { page: 'asset', key: 'silver/flights' });
    assert.deepEqual(parseRoute('#/runs'), { page: 'runs' });
    assert.deepEqual(parseRoute('#/runs/r%2F1'), { page: 'run', runId: 'r/1' });
    assert.deepEqual(parseRoute('#/nowhere'), { page: 'not-found', path: '/nowhere' });
  });

  it('round-trips what the link builders produce', () => {
    assert.deepEqual(parseRoute(assetHref('gold/airport_daily_delays')), { page: 'asset', key: 'gold/airport_daily_delays' });
    assert.deepEqual(parseRoute(runHref('run 7')), { page: 'run', runId: 'run 7' });
    assert.deepEqual(parseRoute(graphHref('silver/flights')), { page: 'graph', focus: 'silver/flights' });
  });
});

describe('materialize selections', () => {
  it('builds the selection strings the run API expects', () => {
    assert.equal(selectionFor('silver/flights', 'asset'), 'silver/flights');
    assert.equal(selectionFor('silver/flights', 'upstream'), '+silver/flights');
    assert.equal(selectionFor('silver/flights', 'downstream'), 'silver/flights+');
  });
});

describe('formatting', () => {
  it('formats durations compactly at every scale', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(2190), '2.19 s');
    assert.equal(formatDuration(185_000), '3 m 05 s');
    assert.equal(formatDuration(7_800_000), '2 h 10 m');
    assert.equal(formatDuration(null), '–');
  });

  it('measures open spans up to now and refuses bad input', () => {
    assert.equal(spanMs('2025-01-01T00:00:00Z', '2025-01-01T00:00:02Z'), 2000);
    assert.equal(spanMs('2025-01-01T00:00:00Z', null, Date.parse('2025-01-01T00:01:00Z')), 60_000);
    assert.equal(spanMs(null, null), null);
    assert.equal(spanMs('not a date', null), null);
  });

  it('shows preview cells as text, nulls included', () => {
    assert.equal(formatCell(null), 'null');
    assert.equal(formatCell(12), '12');
    assert.equal(formatCell(true), 'true');
    assert.equal(formatCell({ a: 1 }), '{"a":1}');
  });
});
