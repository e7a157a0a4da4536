// What scripts leave behind: their writes logged as the concrete effects in one MULTI/EXEC
// block (effect replication), nothing for a read-only script, redis.set_repl(REPL_NONE) honoured;
// function libraries survive a restart from the append-only log, from a snapshot (dump.rdb) and
// from a rewritten log in either base format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine } from '../helpers/engine.js';
import { persistentEngine, settle, type PersistentEngine } from '../helpers/persistence.js';

const LIB = "#!lua name=kept\nredis.register_function('twice', function(keys, args) return redis.call('incrby', keys[1], args[1] * 2) end)\n";

test('a script\'s writes are logged as concrete effects wrapped in MULTI/EXEC', () => {
  const t = testEngine();
  t.effects.length = 0;
  assert.equal(t.run('EVAL', "redis.call('set', KEYS[1], 'v', 'EX', 100) redis.call('incr', 'n') return redis.call('spop', 'none')", 1, 'k'), null);
  const argv = t.effects.map((e) => e.argv.join(' '));
  assert.deepEqual(argv, ['MULTI', `SET k v PXAT ${t.engine.clock.nowMs() + 100_000}`, 'incr n', 'EXEC']);
});

test('a single write is logged alone; a read-only script logs nothing', () => {
  const t = testEngine();
  t.effects.length = 0;
  t.run('EVAL', "return redis.call('set', 'a', '1')", 0);
  assert.deepEqual(t.effects.map((e) => e.argv.join(' ')), ['set a 1']);
  t.effects.length = 0;
  t.run('EVAL', "return redis.call('get', 'a')", 0);
  assert.deepEqual(t.effects, []);
});

test('redis.set_repl(redis.REPL_NONE) keeps the following writes out of the log', () => {
  const t = testEngine();
  t.effects.length = 0;
  t.run('EVAL', "redis.call('set', 'a', '1') redis.set_repl(redis.REPL_NONE) redis.call('set', 'b', '2') redis.set_repl(redis.REPL_ALL) redis.call('set', 'c', '3')", 0);
  assert.deepEqual(t.effects.map((e) => e.argv.join(' ')), ['MULTI', 'set a 1', 'set c 3', 'EXEC']);
  assert.equal(t.run('GET', 'b'), '2');
});

test('keys expire by the script\'s start time while it runs', () => {
  const t = testEngine();
  t.run('SET', 'k', 'v', 'PX', 10);
  assert.equal(t.run('EVAL', "return redis.call('get', 'k')", 0), 'v');
});

function restart(t: PersistentEngine, config?: Record<string, string>): PersistentEngine {
  settle(t);
  return persistentEngine({ fs: t.fs, clock: t.clock, ...(config ? { config } : {}) });
}

test('function libraries survive a restart from the append-only log', () => {
  const t = persistentEngine();
  assert.equal(t.run('FUNCTION', 'LOAD', LIB), 'kept');
  assert.equal(t.run('FCALL', 'twice', 1, 'n', 2), 4);
  const again = restart(t);
  assert.equal(again.run('FCALL', 'twice', 1, 'n', 1), 6);
  assert.equal(again.run('FUNCTION', 'DELETE', 'kept'), 'OK');
  const third = restart(again);
  assert.deepEqual(third.run('FCALL', 'twice', 1, 'n', 1), { error: 'ERR Function not found' });
});

test('function libraries survive a restart from a snapshot and from rewritten logs', () => {
  for (const preamble of ['yes', 'no']) {
    const t = persistentEngine({ config: { 'aof-use-rdb-preamble': preamble } });
    t.run('FUNCTION', 'LOAD', LIB);
    t.run('SET', 'n', '10');
    assert.equal(t.run('BGREWRITEAOF'), 'Background append only file rewriting started');
    settle(t);
    const again = restart(t, { 'aof-use-rdb-preamble': preamble });
    assert.equal(again.run('FCALL', 'twice', 1, 'n', 1), 12, `aof-use-rdb-preamble ${preamble}`);
  }
  const s = persistentEngine({ config: { appendonly: 'no' } });
  s.run('FUNCTION', 'LOAD', LIB);
  assert.equal(s.run('SAVE'), 'OK');
  const again = restart(s, { appendonly: 'no' });
  assert.equal(again.run('FCALL', 'twice', 1, 'x', 5), 10);
});
