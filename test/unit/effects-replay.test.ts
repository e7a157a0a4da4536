// Effects are what the append-only log and replicas will carry: replaying the effects of any
// command sequence on an empty engine must give the same data, key for key (same digest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyspaceDigest } from '../../src/core/digest.js';
import { ReplyKind } from '../../src/core/reply.js';
import { testEngine } from '../helpers/engine.js';

const KEYS = ['a', 'b', 'c', '{t}d', 'n'];
const key = fc.constantFrom(...KEYS);
const small = fc.integer({ min: -5, max: 50 }).map(String);
const value = fc.oneof(fc.constantFrom('1', '10', '-3', 'x', '', '3.5', 'hello'), fc.string({ maxLength: 6 }));
const ttl = fc.integer({ min: 1, max: 3000 }).map(String);

const command = fc.oneof(
  fc.tuple(fc.constant('SET'), key, value),
  fc.tuple(fc.constant('SET'), key, value, fc.constantFrom('EX', 'PX'), ttl),
  fc.tuple(fc.constant('SET'), key, value, fc.constantFrom('NX', 'XX', 'KEEPTTL', 'GET')),
  fc.tuple(fc.constant('SET'), key, value, fc.constant('PXAT'), fc.integer({ min: 1_700_000_000_000 - 2000, max: 1_700_000_000_000 + 9000 }).map(String)),
  fc.tuple(fc.constant('GETEX'), key, fc.constantFrom('EX', 'PX'), ttl),
  fc.tuple(fc.constant('GETEX'), key, fc.constant('PERSIST')),
  fc.tuple(fc.constantFrom('GETDEL', 'GET', 'INCR', 'DECR', 'PERSIST', 'TTL', 'DEL', 'UNLINK', 'EXISTS'), key),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY', 'APPEND', 'GETSET', 'SETNX'), key, small),
  fc.tuple(fc.constant('INCRBYFLOAT'), key, fc.constantFrom('0.1', '1.5', '-2', '1e3')),
  fc.tuple(fc.constant('SETRANGE'), key, fc.integer({ min: 0, max: 8 }).map(String), value),
  fc.tuple(fc.constantFrom('SETEX', 'PSETEX'), key, ttl, value),
  fc.tuple(fc.constantFrom('EXPIRE', 'PEXPIRE'), key, fc.integer({ min: -5, max: 3000 }).map(String)),
  fc.tuple(fc.constantFrom('EXPIRE', 'PEXPIRE'), key, ttl, fc.constantFrom('NX', 'XX', 'GT', 'LT')),
  fc.tuple(fc.constantFrom('RENAME', 'RENAMENX', 'COPY'), key, key),
  fc.tuple(fc.constant('MOVE'), key, fc.constantFrom('0', '1')),
  fc.tuple(fc.constant('MSET'), key, value, key, value),
  fc.tuple(fc.constant('MSETNX'), key, value, key, value),
  fc.tuple(fc.constant('SELECT'), fc.constantFrom('0', '1')),
  fc.tuple(fc.constant('SWAPDB'), fc.constant('0'), fc.constant('1')),
  fc.tuple(fc.constant('FLUSHDB')),
  fc.tuple(fc.constant('MULTI')),
  fc.tuple(fc.constant('EXEC')),
  fc.tuple(fc.constant('ADVANCE'), fc.integer({ min: 1, max: 2500 })),
  fc.tuple(fc.constant('CRON')),
);

test('replaying the effects of random command sequences gives identical data', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 80, size: 'max' }), (cmds) => {
      const source = testEngine({ seed: 7 });
      const replica = testEngine({ seed: 99 }); // a different seed: effects must not depend on it
      const replay = replica.session();
      let replicaDb = 0;
      let applied = 0;
      const catchUp = (): void => {
        for (; applied < source.effects.length; applied++) {
          const effect = source.effects[applied]!;
          if (effect.db !== replicaDb) {
            replay.raw(['SELECT', String(effect.db)]);
            replicaDb = effect.db;
          }
          const reply = replay.raw(effect.argv as string[]);
          assert.notEqual(reply.k, ReplyKind.Error, `effect ${effect.argv.join(' ')} failed on replay: ${reply.v}`);
        }
      };
      for (const c of cmds) {
        const [name, ...args] = c as [string, ...Array<string | number>];
        if (name === 'ADVANCE') {
          source.clock.advance(args[0] as number);
          replica.clock.advance(args[0] as number);
        } else if (name === 'CRON') {
          source.engine.cron();
        } else {
          source.raw(name, ...args);
        }
        replica.engine.ks.now = replica.clock.nowMs();
        catchUp();
      }
      source.raw('EXEC'); // close any open transaction so its effects are out
      catchUp();
      source.engine.ks.now = source.clock.nowMs();
      replica.engine.ks.now = replica.clock.nowMs();
      assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
    }),
    { numRuns: 300 },
  );
});

test('the digest changes with any key, value or TTL and ignores insertion order', () => {
  const a = testEngine();
  const b = testEngine();
  a.run('SET', 'x', '1');
  a.run('SET', 'y', '2');
  b.run('SET', 'y', '2');
  b.run('SET', 'x', '1');
  assert.equal(keyspaceDigest(a.engine.ks), keyspaceDigest(b.engine.ks));
  const c = testEngine();
  c.run('SET', 'x', '2');
  c.run('SET', 'y', '1');
  assert.notEqual(keyspaceDigest(a.engine.ks), keyspaceDigest(c.engine.ks), 'values of the same length differ');
  b.run('PEXPIRE', 'x', '100000');
  assert.notEqual(keyspaceDigest(a.engine.ks), keyspaceDigest(b.engine.ks));
  assert.equal(keyspaceDigest(testEngine().engine.ks), '0000000000000000');
});
