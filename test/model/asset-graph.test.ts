import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asset, AssetGraph, CycleError, DuplicateAssetError, InvalidIdentifierError, SluiceError, UnknownDependencyError } from '../../src/index.js';

const node = (key: string, deps: string[] = []) => ({ definition: asset({ key, sql: 'SELECT 1' }), deps });

describe('asset graph validation', () => {
  it('orders every asset after all of its upstream assets', () => {
    const graph = AssetGraph.build([node('gold/c', ['silver/b']), node('silver/b', ['bronze/a']), node('bronze/a')]);
    assert.deepEqual(graph.order, ['bronze/a', 'silver/b', 'gold/c']);
    assert.deepEqual([...graph.upstreamOf('gold/c')].sort(), ['bronze/a', 'silver/b']);
    assert.deepEqual([...graph.downstreamOf('bronze/a')].sort(), ['gold/c', 'silver/b']);
  });

  it('rejects an unknown dependency and suggests the closest key', () => {
    assert.throws(
      () => AssetGraph.build([node('bronze/flights'), node('silver/flights', ['bronze/flight'])]),
      (e: unknown) =>
        e instanceof UnknownDependencyError &&
        e.message === 'asset "silver/flights" depends on "bronze/flight", which is not defined; did you mean "bronze/flights"?',
    );
  });

  it('rejects a cycle and prints the cycle path', () => {
    try {
      AssetGraph.build([node('a/x', ['a/z']), node('a/y', ['a/x']), node('a/z', ['a/y']), node('a/w')]);
      assert.fail('expected a cycle error');
    } catch (error) {
      assert.ok(error instanceof CycleError);
      assert.equal(error.path[0], error.path[error.path.length - 1]);
      assert.equal(new Set(error.path).size, 3);
      assert.match(error.message, /dependency cycle: a\/\w -> a\/\w -> a\/\w -> a\/\w/);
    }
  });

  it('rejects a duplicate key', () => {
    assert.throws(() => AssetGraph.build([node('a/x'), node('a/x')]), DuplicateAssetError);
  });

  it('rejects invalid identifiers in keys and groups', () => {
    assert.throws(() => asset({ key: 'bronze/flights; drop table x', sql: 'SELECT 1' }), InvalidIdentifierError);
    assert.throws(() => asset({ key: 'flights', sql: 'SELECT 1' }), /asset key must be "schema\/name"/);
    assert.throws(() => asset({ key: 'a/b', group: 'bad group', sql: 'SELECT 1' }), InvalidIdentifierError);
  });

  it('requires exactly one compute and forbids function views', () => {
    assert.throws(
      () => asset({ key: 'a/b' }),
      (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_DEFINITION',
    );
    assert.throws(() => asset({ key: 'a/b', sql: 'SELECT 1', compute: () => [] }), /exactly one/);
    assert.throws(() => asset({ key: 'a/b', kind: 'view', compute: () => [] }), /a view must be defined by `sql`/);
  });
});
