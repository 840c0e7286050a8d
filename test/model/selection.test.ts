import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asset, AssetGraph, InvalidSelectionError, resolveSelection } from '../../src/index.js';

const graph = AssetGraph.build([
  { definition: asset({ key: 'bronze/flights', group: 'fact_ingestion', tags: { layer: 'bronze' }, sql: 'SELECT 1' }), deps: [] },
  { definition: asset({ key: 'bronze/airports', group: 'dim_ingestion', tags: { layer: 'bronze' }, sql: 'SELECT 1' }), deps: [] },
  { definition: asset({ key: 'silver/flights', group: 'fact_transformation', sql: 'SELECT 1' }), deps: ['bronze/flights'] },
  { definition: asset({ key: 'silver/airports', group: 'dim_transformation', sql: 'SELECT 1' }), deps: ['bronze/airports'] },
  { definition: asset({ key: 'gold/daily', group: 'curation', tags: { layer: 'gold' }, sql: 'SELECT 1' }), deps: ['silver/flights', 'silver/airports'] },
]);
const select = (expression: string) => [...resolveSelection(graph, expression)].sort();

describe('selection language', () => {
  it('selects one asset by key, in slash or dot form', () => {
    assert.deepEqual(select('silver/flights'), ['silver/flights']);
    assert.deepEqual(select('silver.flights'), ['silver/flights']);
  });

  it('selects an asset with all its upstream assets with a leading +', () => {
    assert.deepEqual(select('+gold/daily'), ['bronze/airports', 'bronze/flights', 'gold/daily', 'silver/airports', 'silver/flights']);
  });

  it('selects an asset with all its downstream assets with a trailing +', () => {
    assert.deepEqual(select('bronze/flights+'), ['bronze/flights', 'gold/daily', 'silver/flights']);
  });

  it('selects by group and by tag, and unions comma-separated terms', () => {
    assert.deepEqual(select('group:dim_ingestion'), ['bronze/airports']);
    assert.deepEqual(select('tag:layer=bronze'), ['bronze/airports', 'bronze/flights']);
    assert.deepEqual(select('tag:layer'), ['bronze/airports', 'bronze/flights', 'gold/daily']);
    assert.deepEqual(select('group:curation, silver/airports'), ['gold/daily', 'silver/airports']);
    assert.equal(select('*').length, 5);
  });

  it('rejects an unknown asset with a suggestion instead of planning nothing', () => {
    assert.throws(
      () => select('silver/flight'),
      (e: unknown) => e instanceof InvalidSelectionError && /did you mean "silver\/flights"/.test(e.message),
    );
  });

  it('rejects an unknown group, listing the known ones, and an unmatched tag', () => {
    assert.throws(() => select('group:nope'), /no asset is in group "nope"; known: curation, dim_ingestion/);
    assert.throws(() => select('tag:layer=platinum'), InvalidSelectionError);
    assert.throws(() => select(' , '), /selection is empty/);
  });
});
