// SORT and SORT_RO: expectations recorded from redis-server 7.0.15 with the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, type TestEngine } from '../helpers/engine.js';

function seeded(): TestEngine {
  const t = testEngine();
  t.run('RPUSH', 'l', '3', '1', '2', '10', 'b');
  t.run('RPUSH', 'n', '3', '1', '2', '10', '-5', '1.5');
  t.run('MSET', 'w_3', '30', 'w_1', '10', 'w_2', '20', 'o_1', 'one', 'o_3', 'three');
  t.run('SADD', 's', 'c', 'a', 'b');
  t.run('ZADD', 'z', '3', 'c', '1', 'a', '2', 'b');
  t.run('HSET', 'h_1', 'f', 'x');
  return t;
}

test('numeric and ALPHA sorting, DESC and LIMIT', () => {
  const t = seeded();
  assert.deepEqual(t.run('SORT', 'l'), { error: "ERR One or more scores can't be converted into double" });
  assert.deepEqual(t.run('SORT', 'n'), ['-5', '1', '1.5', '2', '3', '10']);
  assert.deepEqual(t.run('SORT', 'n', 'DESC', 'LIMIT', '1', '2'), ['3', '2']);
  assert.deepEqual(t.run('SORT', 'l', 'ALPHA'), ['1', '10', '2', '3', 'b']);
  assert.deepEqual(t.run('SORT', 'n', 'LIMIT', '10', '5'), []);
  assert.deepEqual(t.run('SORT', 'missing'), []);
  assert.deepEqual(t.run('SORT', 's', 'ALPHA'), ['a', 'b', 'c']);
});

test('BY and GET patterns, including # and hash fields', () => {
  const t = seeded();
  // Missing weights sort as 0 (ties by element bytes); missing GET values are nil.
  assert.deepEqual(t.run('SORT', 'n', 'BY', 'w_*', 'GET', 'o_*', 'GET', '#'), [
    null, '-5', null, '1.5', null, '10', 'one', '1', null, '2', 'three', '3',
  ]);
  assert.deepEqual(t.run('SORT', 'n', 'BY', 'nosort'), ['3', '1', '2', '10', '-5', '1.5']);
  assert.deepEqual(t.run('SORT', 'n', 'BY', 'nosort', 'GET', 'h_*->f'), [null, 'x', null, null, null, null]);
  assert.deepEqual(t.run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '2'), ['c', 'b']);
  // Redis 7.0 converts a sorted set to the skiplist encoding before sorting it, for good.
  assert.equal(t.run('OBJECT', 'ENCODING', 'z'), 'skiplist');
});

test('STORE writes a list (or deletes the destination) and logs the command', () => {
  const t = seeded();
  t.effects.length = 0;
  assert.equal(t.run('SORT', 'n', 'BY', 'w_*', 'STORE', 'dst'), 6);
  assert.deepEqual(t.run('LRANGE', 'dst', '0', '-1'), ['-5', '1.5', '10', '1', '2', '3']);
  assert.deepEqual(t.effects.map((e) => e.argv.join(' ')), ['SORT n BY w_* STORE dst']);
  // An unsorted set is sorted before it is stored, so replicas agree.
  assert.equal(t.run('SORT', 's', 'BY', 'nosort', 'STORE', 'd2'), 3);
  assert.deepEqual(t.run('LRANGE', 'd2', '0', '-1'), ['a', 'b', 'c']);
  assert.equal(t.run('SORT', 'missing', 'STORE', 'd2'), 0);
  assert.equal(t.run('EXISTS', 'd2'), 0);
});

test('errors and SORT_RO', () => {
  const t = seeded();
  assert.deepEqual(t.run('SORT_RO', 'n', 'STORE', 'x'), { error: 'ERR syntax error' });
  assert.deepEqual(t.run('SORT', 'n', 'LIMIT', 'a', 'b'), { error: 'ERR value is not an integer or out of range' });
  assert.deepEqual(t.run('SORT', 'w_1'), { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  assert.deepEqual(t.run('SORT_RO', 'n', 'DESC'), ['10', '3', '2', '1.5', '1', '-5']);
  assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'SORT', 'n', 'BY', 'w_*', 'STORE', 'dst'), ['n', 'dst']);
});

test('sort keys are read as C strings by strtod: NUL ends them, subnormals are refused (redis-server 7.0.15)', () => {
  const t = testEngine();
  t.run('RPUSH', 'nul', '1', '2\0x', '\0');
  assert.deepEqual(t.run('SORT', 'nul'), ['\0', '1', '2\0x']);
  t.run('RPUSH', 'tiny', '1e308', '-1e308', '1e-310');
  assert.deepEqual(t.run('SORT', 'tiny'), { error: "ERR One or more scores can't be converted into double" });
});
