// Sorted set commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded
// API), plus each library's own API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server). Scores are doubles: RESP2 sends their text
// (%.17g, so 0.1 is "0.10000000000000001"), RESP3 a double; WITHSCORES replies are a flat
// [member, score, ...] array in RESP2 and [member, score] pairs in RESP3.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, describeEachDriver, expectError, ORACLE_MODE, sleep, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** A double as Redis writes it ("inf", "-inf", %.17g text) read as a number. */
function doubleOf(value: unknown): number {
  if (typeof value === 'number') return value;
  assert.equal(typeof value, 'string', `expected a double, got ${JSON.stringify(value)}`);
  if (value === 'inf' || value === '+inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return Number(value);
}

/**
 * A double reply: exactly this text in RESP2, the same number in RESP3. The RESP3 parsers of the
 * libraries accumulate digits themselves and may land one unit in the last place away (the wire
 * text ",0.10000000000000001" can arrive as 0.10000000000000002), so RESP3 numbers get that slack.
 */
function assertDouble(reply: unknown, text: string): void {
  if (typeof reply === 'string') return assert.equal(reply, text);
  const expected = doubleOf(text);
  assert.equal(typeof reply, 'number', `expected a double, got ${JSON.stringify(reply)}`);
  if (!Number.isFinite(expected)) return assert.equal(reply, expected);
  const slack = Math.abs(expected) * 4 * Number.EPSILON;
  assert.ok(Math.abs((reply as number) - expected) <= slack, `expected ${text}, got ${String(reply)}`);
}

/** A WITHSCORES reply in either shape as [member, score] pairs with numeric scores. */
function scored(reply: unknown): Array<[string, number]> {
  assert.ok(Array.isArray(reply), `expected an array, got ${JSON.stringify(reply)}`);
  if (reply.length > 0 && Array.isArray(reply[0])) return reply.map(([m, s]) => [String(m), doubleOf(s)]);
  assert.equal(reply.length % 2, 0);
  const out: Array<[string, number]> = [];
  for (let i = 0; i < reply.length; i += 2) out.push([String(reply[i]), doubleOf(reply[i + 1])]);
  return out;
}

describeEachDriver('sorted sets', {}, ({ client, connect, kind }) => {
  it('ZADD, ZCARD, ZSCORE (%.17g text in RESP2, a double in RESP3), ZMSCORE', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2', 'b', '0.1', 'c'), 3);
    assert.equal(await c.call('ZADD', 'z', '5', 'a', '3', 'd'), 1, 'updates do not count');
    assert.equal(await c.call('ZCARD', 'z'), 4);
    assert.equal(await c.call('ZCARD', 'nokey'), 0);
    assertDouble(await c.call('ZSCORE', 'z', 'c'), '0.10000000000000001');
    assertDouble(await c.call('ZSCORE', 'z', 'a'), '5');
    assert.equal(await c.call('ZSCORE', 'z', 'none'), null);
    assert.equal(await c.call('ZSCORE', 'nokey', 'a'), null);
    const multi = (await c.call('ZMSCORE', 'z', 'b', 'none', 'c')) as unknown[];
    assert.equal(multi[1], null);
    assertDouble(multi[0], '2');
    assertDouble(multi[2], '0.10000000000000001');
    assert.equal(await c.call('ZADD', 'z', '-inf', 'low', '+inf', 'high', '1e3', 'k'), 3);
    assertDouble(await c.call('ZSCORE', 'z', 'low'), '-inf');
    assertDouble(await c.call('ZSCORE', 'z', 'high'), 'inf');
    assertDouble(await c.call('ZSCORE', 'z', 'k'), '1000');
    await expectError(c.call('ZADD', 'z', 'abc', 'x'), 'ERR value is not a valid float');
    await expectError(c.call('ZADD', 'z', 'nan', 'x'), 'ERR value is not a valid float');
    await expectError(c.call('ZADD', 'z', '1', 'a', '2'), 'ERR syntax error');
  });

  it('ZADD NX, XX, GT, LT, CH, INCR and their conflicts', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '10', 'a', '20', 'b'), 2);
    assert.equal(await c.call('ZADD', 'z', 'NX', '99', 'a', '30', 'c'), 1);
    assert.equal(await c.call('ZADD', 'z', 'XX', '11', 'a', '40', 'd'), 0);
    assert.equal(await c.call('ZADD', 'z', 'XX', 'CH', '12', 'a', '40', 'd'), 1);
    assert.equal(await c.call('ZADD', 'z', 'GT', 'CH', '5', 'a', '25', 'b'), 1, 'GT only raises');
    assert.equal(await c.call('ZADD', 'z', 'LT', 'CH', '1', 'a', '99', 'b'), 1, 'LT only lowers');
    assert.deepEqual(scored(await c.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')), [['a', 1], ['b', 25], ['c', 30]]);
    assertDouble(await c.call('ZADD', 'z', 'INCR', '2.5', 'a'), '3.5');
    assert.equal(await c.call('ZADD', 'z', 'NX', 'INCR', '1', 'a'), null, 'INCR refused by NX is nil');
    await expectError(c.call('ZADD', 'z', 'NX', 'XX', '1', 'a'), 'ERR XX and NX options at the same time are not compatible');
    await expectError(c.call('ZADD', 'z', 'GT', 'LT', '1', 'a'), 'ERR GT, LT, and/or NX options at the same time are not compatible');
    await expectError(c.call('ZADD', 'z', 'NX', 'GT', '1', 'a'), 'ERR GT, LT, and/or NX options at the same time are not compatible');
    await expectError(c.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b'), 'ERR INCR option supports a single increment-element pair');
    assert.equal(await c.call('ZADD', 'z', '+inf', 'h'), 1);
    await expectError(c.call('ZADD', 'z', 'INCR', '-inf', 'h'), 'ERR resulting score is not a number (NaN)');
  });

  it('ZINCRBY, ZREM, ZRANK, ZREVRANK', async () => {
    const c = client();
    assertDouble(await c.call('ZINCRBY', 'z', '0.1', 'a'), '0.10000000000000001');
    assertDouble(await c.call('ZINCRBY', 'z', '0.2', 'a'), '0.30000000000000004');
    assert.equal(await c.call('ZADD', 'z', '1', 'b', '2', 'c'), 2);
    assert.equal(await c.call('ZRANK', 'z', 'a'), 0);
    assert.equal(await c.call('ZRANK', 'z', 'c'), 2);
    assert.equal(await c.call('ZREVRANK', 'z', 'c'), 0);
    assert.equal(await c.call('ZRANK', 'z', 'none'), null);
    assert.equal(await c.call('ZREVRANK', 'nokey', 'a'), null);
    await expectError(c.call('ZINCRBY', 'z', 'x', 'a'), 'ERR value is not a valid float');
    assert.equal(await c.call('ZADD', 'inf', '+inf', 'm'), 1);
    await expectError(c.call('ZINCRBY', 'inf', '-inf', 'm'), 'ERR resulting score is not a number (NaN)');
    assert.equal(await c.call('ZREM', 'z', 'a', 'none'), 1);
    assert.equal(await c.call('ZREM', 'z', 'b', 'c'), 2);
    assert.equal(await c.call('EXISTS', 'z'), 0);
  });

  it('ZRANK and ZREVRANK WITHSCORE (Redis 7.2)', { skip: ORACLE_MODE && 'redis-server 7.0 has no ZRANK WITHSCORE' }, async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '1.5', 'a', '0.1', 'b'), 2);
    const [rank, score] = (await c.call('ZRANK', 'z', 'a', 'WITHSCORE')) as [number, unknown];
    assert.equal(rank, 1);
    assertDouble(score, '1.5');
    const [revRank, revScore] = (await c.call('ZREVRANK', 'z', 'b', 'WITHSCORE')) as [number, unknown];
    assert.equal(revRank, 1);
    assertDouble(revScore, '0.10000000000000001');
    assert.equal(await c.call('ZRANK', 'z', 'none', 'WITHSCORE'), null);
  });

  it('ZRANGE by index, score and lex; REV, LIMIT, WITHSCORES shapes', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '1', 'one', '2', 'two', '3', 'three', '0.5', 'half'), 4);
    assert.deepEqual(await c.call('ZRANGE', 'z', '0', '-1'), ['half', 'one', 'two', 'three']);
    assert.deepEqual(await c.call('ZRANGE', 'z', '0', '1', 'REV'), ['three', 'two']);
    const withScores = await c.call('ZRANGE', 'z', '0', '1', 'WITHSCORES');
    if (kind.resp === 2) assert.deepEqual(withScores, ['half', '0.5', 'one', '1']);
    else assert.deepEqual(withScores, [['half', 0.5], ['one', 1]]);
    assert.deepEqual(await c.call('ZRANGE', 'z', '(1', '+inf', 'BYSCORE'), ['two', 'three']);
    assert.deepEqual(await c.call('ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '1', '2'), ['two', 'one']);
    assert.deepEqual(await c.call('ZRANGEBYSCORE', 'z', '1', '2'), ['one', 'two']);
    assert.deepEqual(scored(await c.call('ZREVRANGEBYSCORE', 'z', '2', '(0.5', 'WITHSCORES')), [['two', 2], ['one', 1]]);
    assert.deepEqual(await c.call('ZREVRANGE', 'z', '0', '0'), ['three']);
    assert.deepEqual(await c.call('ZRANGE', 'nokey', '0', '-1'), []);
    await expectError(c.call('ZRANGE', 'z', 'a', 'b', 'BYSCORE'), 'ERR min or max is not a float');
    await expectError(c.call('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'), 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    await expectError(c.call('ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'), 'ERR syntax error');

    assert.equal(await c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd'), 4);
    assert.deepEqual(await c.call('ZRANGE', 'lex', '[b', '(d', 'BYLEX'), ['b', 'c']);
    assert.deepEqual(await c.call('ZRANGEBYLEX', 'lex', '-', '+', 'LIMIT', '1', '2'), ['b', 'c']);
    assert.deepEqual(await c.call('ZREVRANGEBYLEX', 'lex', '+', '(b'), ['d', 'c']);
    assert.equal(await c.call('ZLEXCOUNT', 'lex', '[b', '+'), 3);
    await expectError(c.call('ZRANGEBYLEX', 'lex', 'b', '+'), 'ERR min or max not valid string range item');
    await expectError(c.call('ZRANGE', 'lex', '[a', '[b', 'BYLEX', 'WITHSCORES'), 'ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  });

  it('ZCOUNT, ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX, ZRANGESTORE', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'), 5);
    assert.equal(await c.call('ZCOUNT', 'z', '(1', '3'), 2);
    assert.equal(await c.call('ZCOUNT', 'z', '-inf', '+inf'), 5);
    assert.equal(await c.call('ZRANGESTORE', 'copy', 'z', '1', '3', 'BYSCORE'), 3);
    assert.deepEqual(await c.call('ZRANGE', 'copy', '0', '-1'), ['a', 'b', 'c']);
    assert.equal(await c.call('ZRANGESTORE', 'copy', 'z', '10', '20'), 0);
    assert.equal(await c.call('EXISTS', 'copy'), 0);
    assert.equal(await c.call('ZREMRANGEBYRANK', 'z', '0', '0'), 1);
    assert.equal(await c.call('ZREMRANGEBYSCORE', 'z', '(4', '+inf'), 1);
    assert.deepEqual(await c.call('ZRANGE', 'z', '0', '-1'), ['b', 'c', 'd']);
    assert.equal(await c.call('ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c'), 3);
    assert.equal(await c.call('ZREMRANGEBYLEX', 'lex', '[a', '(c'), 2);
    assert.deepEqual(await c.call('ZRANGE', 'lex', '0', '-1'), ['c']);
    await expectError(c.call('ZCOUNT', 'z', 'x', '1'), 'ERR min or max is not a float');
  });

  it('ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'), 4);
    const min = (await c.call('ZPOPMIN', 'z')) as unknown[];
    assert.equal(min[0], 'a');
    assertDouble(min[1], '1');
    assert.deepEqual(scored(await c.call('ZPOPMAX', 'z', '2')), [['d', 4], ['c', 3]]);
    assert.deepEqual(await c.call('ZPOPMIN', 'nokey'), []);
    const [key, popped] = (await c.call('ZMPOP', '2', 'nokey', 'z', 'MIN', 'COUNT', '5')) as [string, unknown[]];
    assert.equal(key, 'z');
    assert.deepEqual(scored(popped), [['b', 2]]);
    assert.equal(await c.call('ZMPOP', '1', 'z', 'MAX'), null);
    await expectError(c.call('ZMPOP', '1', 'z', 'MIDDLE'), 'ERR syntax error');
    await expectError(c.call('ZPOPMIN', 'z', '-1'), 'ERR value is out of range, must be positive');
    assert.equal(await c.call('ZADD', 'z', '7', 'x'), 1);
    const [bkey, member, score] = (await c.call('BZPOPMIN', 'z', '1')) as [string, string, unknown];
    assert.deepEqual([bkey, member], ['z', 'x']);
    assertDouble(score, '7');
    assert.equal(await bounded(c.call('BZPOPMAX', 'z', '0.05'), 5000, 'BZPOPMAX'), null);
  });

  it('a BZPOPMIN on one connection is woken by a ZADD on another', { skip: !kind.network && 'the embedded session answers blocking commands at once' }, async () => {
    const waiter = await connect();
    const pending = waiter.call('BZPOPMIN', 'wake', '5');
    await sleep(30);
    assert.equal(await client().call('ZADD', 'wake', '0.1', 'm'), 1);
    const [key, member, score] = (await bounded(pending, 5000, 'BZPOPMIN')) as [string, string, unknown];
    assert.deepEqual([key, member], ['wake', 'm']);
    assertDouble(score, '0.10000000000000001');
  });

  it('ZUNION, ZINTER, ZDIFF, their STORE forms, WEIGHTS and AGGREGATE, ZINTERCARD', async () => {
    const c = client();
    assert.equal(await c.call('ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c'), 3);
    assert.equal(await c.call('ZADD', 'z2', '10', 'b', '20', 'c', '30', 'd'), 3);
    assert.equal(await c.call('SADD', 'plain', 'c', 'e'), 2);
    assert.deepEqual(scored(await c.call('ZUNION', '2', 'z1', 'z2', 'WITHSCORES')), [['a', 1], ['b', 12], ['c', 23], ['d', 30]]);
    assert.deepEqual(scored(await c.call('ZINTER', '2', 'z1', 'z2', 'WEIGHTS', '2', '1', 'AGGREGATE', 'MAX', 'WITHSCORES')), [['b', 10], ['c', 20]]);
    assert.deepEqual(scored(await c.call('ZINTER', '2', 'z1', 'plain', 'WITHSCORES')), [['c', 4]], 'a plain set counts as score 1');
    assert.deepEqual(await c.call('ZDIFF', '2', 'z1', 'z2'), ['a']);
    assert.equal(await c.call('ZUNIONSTORE', 'out', '2', 'z1', 'z2', 'AGGREGATE', 'MIN'), 4);
    assert.deepEqual(scored(await c.call('ZRANGE', 'out', '0', '-1', 'WITHSCORES')), [['a', 1], ['b', 2], ['c', 3], ['d', 30]]);
    assert.equal(await c.call('ZINTERSTORE', 'out', '2', 'z1', 'z2'), 2);
    assert.equal(await c.call('ZDIFFSTORE', 'out', '2', 'z2', 'z1'), 1);
    assert.deepEqual(await c.call('ZRANGE', 'out', '0', '-1'), ['d']);
    assert.equal(await c.call('ZINTERCARD', '2', 'z1', 'z2'), 2);
    assert.equal(await c.call('ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '1'), 1);
    await expectError(c.call('ZUNION', '0', 'z1'), 'ERR at least 1 input key is needed for \'zunion\' command');
    await expectError(c.call('ZUNIONSTORE', 'out', '0', 'z1'), 'ERR at least 1 input key is needed for \'zunionstore\' command');
    await expectError(c.call('ZINTER', '2', 'z1', 'z2', 'WEIGHTS', '1'), 'ERR syntax error');
    await expectError(c.call('ZINTER', '2', 'z1', 'z2', 'WEIGHTS', '1', 'x'), 'ERR weight value is not a float');
    await expectError(c.call('ZINTERCARD', '0', 'z1'), "ERR at least 1 input key is needed for 'zintercard' command");
  });

  it('ZRANDMEMBER with counts and WITHSCORES; ZSCAN', async () => {
    const c = client();
    assert.equal(await c.call('ZRANDMEMBER', 'nokey'), null);
    assert.deepEqual(await c.call('ZRANDMEMBER', 'nokey', '2'), []);
    assert.equal(await c.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'), 3);
    assert.ok(['a', 'b', 'c'].includes((await c.call('ZRANDMEMBER', 'z')) as string));
    assert.deepEqual([...((await c.call('ZRANDMEMBER', 'z', '5')) as string[])].sort(), ['a', 'b', 'c']);
    assert.equal(((await c.call('ZRANDMEMBER', 'z', '-5')) as unknown[]).length, 5);
    const pairs = scored(await c.call('ZRANDMEMBER', 'z', '3', 'WITHSCORES'));
    assert.deepEqual(pairs.sort(([a], [b]) => a.localeCompare(b)), [['a', 1], ['b', 2], ['c', 3]]);
    const [cursor, items] = (await c.call('ZSCAN', 'z', '0')) as [string, string[]];
    assert.equal(cursor, '0');
    assert.deepEqual(items, ['a', '1', 'b', '2', 'c', '3'], 'ZSCAN is a flat array of texts in both protocols');
  });

  it('sorted set commands on a key of another type answer WRONGTYPE', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'v'), 'OK');
    await expectError(c.call('ZADD', 's', '1', 'a'), WRONGTYPE);
    await expectError(c.call('ZSCORE', 's', 'a'), WRONGTYPE);
    await expectError(c.call('ZRANGE', 's', '0', '-1'), WRONGTYPE);
  });
});

describe('sorted sets through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis zadd, zscore text, zrange WITHSCORES flat', async () => {
    assert.equal(await lib.io.zadd('lib:z', 0.1, 'a', 2, 'b'), 2);
    assert.equal(await lib.io.zscore('lib:z', 'a'), '0.10000000000000001');
    assert.deepEqual(await lib.io.zrange('lib:z', '0', '-1', 'WITHSCORES'), ['a', '0.10000000000000001', 'b', '2']);
    assert.equal(await lib.io.zincrby('lib:z', '1.5', 'b'), '3.5');
  });

  it('node-redis zAdd, zRangeWithScores, zScore over RESP2 and RESP3', async () => {
    assert.equal(await lib.nr.zAdd('lib:n', [{ score: 1.5, value: 'x' }, { score: -2, value: 'y' }]), 2);
    assert.deepEqual(await lib.nr.zRangeWithScores('lib:n', 0, -1), [{ value: 'y', score: -2 }, { value: 'x', score: 1.5 }]);
    assert.deepEqual(await lib.nr3.zRangeWithScores('lib:n', 0, -1), [{ value: 'y', score: -2 }, { value: 'x', score: 1.5 }]);
    assert.equal(await lib.nr.zScore('lib:n', 'x'), 1.5);
    assert.equal(await lib.nr3.zScore('lib:n', 'x'), 1.5);
    assert.deepEqual(await lib.nr.zPopMin('lib:n'), { value: 'y', score: -2 });
  });
});
