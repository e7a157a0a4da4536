// Pub/sub, keyspace notifications and client-side caching over TCP, judged three ways:
//  1. the same multi-connection scenarios against redis-server 7.0.15 and Cairn, every byte of
//     every connection compared step by step (skipped without redis-server, failing in CI);
//  2. real client libraries: ioredis and node-redis subscribers, node-redis's client-side cache;
//  3. a slow subscriber that stops reading: disconnected at its output limit, memory bounded,
//     everyone else unaffected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { BasicClientSideCache, createClient } from 'redis';
import { open, type Cairn } from '../../src/embedded.js';
import { encodeCommand, RespReader, sameReply, show, type RespValue } from '../helpers/resp-client.js';
import { oracleAvailability, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { closeIoredis, closeNodeRedis, sleep } from '../helpers/drivers.js';

const HOST = '127.0.0.1';

async function startCairn(config: Record<string, string> = {}): Promise<{ db: Cairn; port: number }> {
  const db = open({ seed: 1, config });
  const server = await db.listen({ port: 0, host: HOST });
  return { db, port: server.port };
}

/** Polls until `check` holds (bounded), for things that arrive asynchronously. */
async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// -----------------------------------------------------------------------------------------------
// 1. Differential scenarios

const S = (c: number, ...cmd: string[]): Step => ({ c, cmd });
const U = (c: number, ...cmd: string[]): Step => ({ c, cmd, unordered: true });
/** A step whose replies carry client ids. */
const I = (c: number, ...cmd: string[]): Step => ({ c, cmd, ids: true });
const HELLO3 = (c: number): Step => ({ c, cmd: ['HELLO', '3'], ignore: true });
const RESET_SERVER: Step[] = [S(9, 'CONFIG', 'SET', 'notify-keyspace-events', ''), S(9, 'FLUSHALL')];

const SCENARIOS: Record<string, Step[]> = {
  'pub/sub in RESP2': [
    S(1, 'SUBSCRIBE', 'a', 'b'),
    S(1, 'GET', 'x'),
    S(1, 'CLIENT', 'ID'),
    S(1, 'PING'),
    S(1, 'PING', 'hi'),
    S(2, 'PUBLISH', 'a', 'hello'),
    S(1, 'PSUBSCRIBE', 'a*'),
    S(2, 'PUBLISH', 'a', 'hi'),
    S(2, 'PUBLISH', 'ab', 'x'),
    S(2, 'PUBSUB', 'NUMSUB', 'a', 'b', 'z'),
    S(2, 'PUBSUB', 'NUMPAT'),
    U(2, 'PUBSUB', 'CHANNELS'),
    U(2, 'PUBSUB', 'CHANNELS', 'a*'),
    S(3, 'PSUBSCRIBE', 'a*'),
    S(2, 'PUBSUB', 'NUMPAT'),
    S(2, 'PUBLISH', 'a', 'two'),
    U(1, 'UNSUBSCRIBE'),
    S(1, 'UNSUBSCRIBE'),
    S(1, 'PUNSUBSCRIBE', 'a*', 'zz'),
    S(1, 'GET', 'x'),
    S(1, 'SSUBSCRIBE', 's1', 's2'),
    S(2, 'SPUBLISH', 's1', 'm'),
    S(2, 'PUBLISH', 's1', 'm'),
    U(2, 'PUBSUB', 'SHARDCHANNELS'),
    S(2, 'PUBSUB', 'SHARDNUMSUB', 's1', 's2', 's3'),
    S(1, 'SUNSUBSCRIBE', 's1'),
    S(1, 'GET', 'x'),
    S(1, 'SUNSUBSCRIBE'),
    S(1, 'SUNSUBSCRIBE'),
    S(1, 'MULTI'),
    S(1, 'SUBSCRIBE', 'q'),
    S(1, 'SSUBSCRIBE', 'z'),
    S(1, 'EXEC'),
    S(1, 'PING'),
    S(1, 'RESET'),
    S(2, 'PUBLISH', 'q', 'x'),
    S(2, 'PUBSUB', 'CHANNELS', 'a', 'b'),
    S(2, 'PUBSUB', 'NUMPAT', 'x'),
    S(2, 'PUBSUB', 'foo'),
    S(2, 'PUBSUB', 'HELP'),
    S(2, 'PUBSUB'),
    S(2, 'PUBLISH', 'x'),
    S(2, 'SUBSCRIBE'),
    S(3, 'PUNSUBSCRIBE'),
  ],
  'pub/sub in RESP3': [
    HELLO3(1),
    S(1, 'SUBSCRIBE', 'a', 'b'),
    S(1, 'GET', 'x'),
    S(1, 'PING'),
    S(1, 'PSUBSCRIBE', 'a*'),
    S(2, 'PUBLISH', 'a', 'hello'),
    S(2, 'SPUBLISH', 's1', 'x'),
    S(1, 'SSUBSCRIBE', 's1'),
    S(2, 'SPUBLISH', 's1', 'x'),
    U(1, 'UNSUBSCRIBE'),
    S(1, 'PUNSUBSCRIBE'),
    S(1, 'UNSUBSCRIBE'),
    S(1, 'SUNSUBSCRIBE'),
    S(1, 'SUNSUBSCRIBE'),
    S(1, 'PING'),
    S(1, 'PUBSUB', 'NUMSUB', 'a'),
  ],
  'keyspace notifications': [
    S(9, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA'),
    S(9, 'CONFIG', 'GET', 'notify-keyspace-events'),
    S(1, 'PSUBSCRIBE', '__key*'),
    S(2, 'SET', 'foo', 'bar'),
    S(2, 'EXPIRE', 'foo', '100'),
    S(2, 'PERSIST', 'foo'),
    S(2, 'INCR', 'n'),
    S(2, 'APPEND', 'foo', 'x'),
    S(2, 'RENAME', 'foo', 'bar'),
    S(2, 'DEL', 'bar', 'n'),
    S(2, 'SET', 't', 'v', 'PX', '30'),
    { c: 2, cmd: ['EXISTS', 'nothing'], sleepMs: 400 },
    S(2, 'SELECT', '5'),
    S(2, 'SET', 'k5', 'v'),
    S(9, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEnm'),
    S(2, 'SET', 'k6', 'v'),
    S(2, 'GET', 'missing'),
    HELLO3(3),
    S(3, 'SUBSCRIBE', '__keyspace@0__:own'),
    S(9, 'CONFIG', 'SET', 'notify-keyspace-events', 'K$'),
    S(3, 'SET', 'own', '1'),
    ...RESET_SERVER,
  ],
  'tracking, default mode (RESP3)': [
    HELLO3(1),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    S(1, 'GET', 'k'),
    S(2, 'SET', 'k', 'v'),
    S(2, 'SET', 'k', 'v2'),
    S(1, 'GET', 'k'),
    S(1, 'SET', 'k', 'mine'),
    S(1, 'MGET', 'k', 'k2'),
    S(2, 'MSET', 'k', '1', 'k2', '2'),
    S(1, 'STRLEN', 'k'),
    S(2, 'SELECT', '3'),
    S(2, 'SET', 'k', 'other-db'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'NOLOOP'),
    S(1, 'GET', 'k'),
    S(1, 'SET', 'k', 'x'),
    S(2, 'SET', 'k', 'y'),
    S(1, 'GET', 'k'),
    S(2, 'FLUSHALL'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    I(1, 'CLIENT', 'GETREDIR'),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    S(1, 'GET', 'e'),
    S(2, 'SET', 'e', '1', 'PX', '30'),
    S(1, 'GET', 'e'),
    { c: 2, cmd: ['PING'], sleepMs: 400 },
    S(1, 'MULTI'),
    S(1, 'GET', 'm'),
    S(1, 'SET', 'm', 'v'),
    S(1, 'GET', 'm'),
    S(1, 'EXEC'),
    S(2, 'SET', 'm', 'w'),
    S(1, 'GET', 'm'),
    S(1, 'FLUSHDB'),
    S(1, 'CLIENT', 'TRACKING', 'OFF'),
    S(1, 'GET', 'k'),
    S(2, 'SET', 'k', 'z'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    I(1, 'CLIENT', 'GETREDIR'),
    ...RESET_SERVER,
  ],
  'tracking with REDIRECT': [
    S(1, 'SUBSCRIBE', '__redis__:invalidate'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id1'),
    S(2, 'GET', 'k'),
    S(3, 'SET', 'k', 'v'),
    I(2, 'CLIENT', 'GETREDIR'),
    I(2, 'CLIENT', 'TRACKINGINFO'),
    S(2, 'GET', 'k'),
    S(3, 'FLUSHDB'),
    S(4, 'SUBSCRIBE', 'some-other-channel'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id4'),
    S(2, 'GET', 'k'),
    S(3, 'SET', 'k', 'v'),
    S(5, 'PING'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id5'),
    S(2, 'GET', 'k'),
    S(3, 'SET', 'k', 'v'),
    HELLO3(6),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id6'),
    S(2, 'GET', 'k'),
    S(3, 'SET', 'k', 'v'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id6', 'REDIRECT', '$id5'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'),
    S(2, 'CLIENT', 'TRACKING', 'OFF'),
    S(7, 'CLIENT', 'TRACKING', 'ON'),
    S(7, 'GET', 'k'),
    S(3, 'SET', 'k', 'v'),
    ...RESET_SERVER,
  ],
  'tracking, broken redirect': [
    HELLO3(1),
    S(2, 'PING'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id2'),
    S(1, 'GET', 'k'),
    { c: 2, cmd: ['QUIT'], ignore: true },
    I(3, 'SET', 'k', 'v'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    S(1, 'GET', 'k'),
    I(1, 'SET', 'k', 'w'),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    ...RESET_SERVER,
  ],
  'tracking, BCAST': [
    HELLO3(1),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:'),
    HELLO3(2),
    S(2, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP'),
    S(3, 'MSET', 'user:2', 'a', 'user:1', 'b', 'obj:1', 'c', 'other', 'd'),
    S(2, 'SET', 'mine', '1'),
    S(1, 'SET', 'user:9', 'x'),
    S(2, 'MSET', 'mine', '2', 'user:3', 'y'),
    S(1, 'GET', 'user:1'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:x'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zz'),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    I(2, 'CLIENT', 'TRACKINGINFO'),
    S(3, 'SET', 'zz1', 'v'),
    S(3, 'FLUSHALL'),
    S(3, 'SET', 'k', 'v', 'PX', '30'),
    { c: 3, cmd: ['PING'], sleepMs: 400 },
    ...RESET_SERVER,
  ],
  'tracking, OPTIN and OPTOUT': [
    HELLO3(1),
    S(1, 'CLIENT', 'CACHING', 'YES'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTIN'),
    S(1, 'GET', 'a'),
    S(2, 'SET', 'a', '1'),
    { c: 1, cmd: [['CLIENT', 'CACHING', 'YES'], ['GET', 'a']] },
    S(2, 'SET', 'a', '2'),
    { c: 1, cmd: [['CLIENT', 'CACHING', 'YES'], ['PING'], ['GET', 'a']] },
    S(2, 'SET', 'a', '3'),
    { c: 1, cmd: [['CLIENT', 'CACHING', 'YES'], ['CLIENT', 'GETREDIR'], ['GET', 'a']] },
    S(2, 'SET', 'a', '4'),
    { c: 1, cmd: [['CLIENT', 'CACHING', 'YES'], ['CLIENT', 'TRACKINGINFO']] },
    { c: 1, cmd: [['CLIENT', 'CACHING', 'YES'], ['MULTI'], ['GET', 'b'], ['GET', 'c'], ['EXEC']] },
    S(2, 'MSET', 'b', '1', 'c', '1'),
    S(1, 'CLIENT', 'CACHING', 'NO'),
    S(1, 'CLIENT', 'CACHING', 'MAYBE'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'),
    HELLO3(3),
    S(3, 'CLIENT', 'TRACKING', 'ON', 'OPTOUT', 'NOLOOP'),
    S(3, 'GET', 'x'),
    S(2, 'SET', 'x', '1'),
    { c: 3, cmd: [['CLIENT', 'CACHING', 'NO'], ['GET', 'x']] },
    S(2, 'SET', 'x', '2'),
    { c: 3, cmd: [['CLIENT', 'CACHING', 'NO'], ['CLIENT', 'TRACKINGINFO']] },
    S(3, 'CLIENT', 'CACHING', 'YES'),
    S(4, 'CLIENT', 'CACHING', 'YES'),
    ...RESET_SERVER,
  ],
  'tracking, errors and info (RESP2)': [
    I(1, 'CLIENT', 'TRACKINGINFO'),
    I(1, 'CLIENT', 'GETREDIR'),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    I(1, 'CLIENT', 'GETREDIR'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '99999'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'FOO'),
    S(1, 'CLIENT', 'TRACKING', 'MAYBE'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTIN'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'),
    S(1, 'CLIENT', 'TRACKING', 'OFF'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'c', 'NOLOOP'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'abc'),
    I(1, 'CLIENT', 'TRACKINGINFO'),
    S(1, 'CLIENT', 'TRACKING', 'OFF'),
    S(1, 'CLIENT', 'CACHING', 'YES'),
    S(1, 'CLIENT', 'TRACKING'),
    S(1, 'CLIENT', 'CACHING'),
    S(1, 'CLIENT', 'GETREDIR', 'x'),
    S(1, 'CLIENT', 'TRACKINGINFO', 'x'),
    S(1, 'CLIENT', 'TRACKING', 'OFF', 'REDIRECT', '99999'),
    S(1, 'CLIENT', 'TRACKING', 'OFF', 'PREFIX', 'x'),
    S(1, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT'),
    S(1, 'CLIENT', 'CACHING', 'YES', 'YES'),
    S(1, 'CLIENT', 'TRACKING', 'ON'),
    S(1, 'GET', 'k'),
    S(2, 'SET', 'k', 'v'),
    S(1, 'SUBSCRIBE', 'x'),
    S(1, 'CLIENT', 'TRACKING', 'OFF'),
    ...RESET_SERVER,
  ],
};

describe('pub/sub, notifications and tracking against redis-server', () => {
  const availability = oracleAvailability();
  let oracle: RedisOracle | null = null;
  let cairn: { db: Cairn; port: number } | null = null;

  before(async () => {
    if (!availability.ok) return;
    oracle = await startRedis();
    cairn = await startCairn();
  });
  after(async () => {
    await oracle?.stop();
    await cairn?.db.close();
  });

  for (const [name, steps] of Object.entries(SCENARIOS)) {
    test(name, async (t) => {
      if (!availability.ok) {
        if (availability.fail) assert.fail(availability.message);
        t.skip(availability.message);
        return;
      }
      const expected = await runScenario(oracle!.port, steps);
      const actual = await runScenario(cairn!.port, steps);
      const problems = compareTranscripts(steps, expected, actual);
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});

// -----------------------------------------------------------------------------------------------
// 2. Client libraries

describe('client libraries', () => {
  let cairn: { db: Cairn; port: number };
  before(async () => {
    cairn = await startCairn({ 'notify-keyspace-events': 'KEA' });
  });
  after(async () => {
    await cairn.db.close();
  });

  for (const protocol of [2, 3] as const) {
    test(`ioredis RESP${protocol}: subscribe, psubscribe, ssubscribe, keyspace events`, async () => {
      const sub = new Redis({ host: HOST, port: cairn.port, protocol, retryStrategy: () => null });
      const pub = new Redis({ host: HOST, port: cairn.port, protocol, retryStrategy: () => null });
      try {
        const got: string[] = [];
        sub.on('message', (channel: string, message: string) => got.push(`message ${channel} ${message}`));
        sub.on('pmessage', (pattern: string, channel: string, message: string) => got.push(`pmessage ${pattern} ${channel} ${message}`));
        sub.on('smessage', (channel: string, message: string) => got.push(`smessage ${channel} ${message}`));
        assert.equal(await sub.subscribe('news', 'sports'), 2);
        assert.equal(await sub.psubscribe('n*', '__keyevent@0__:*'), 4);
        assert.equal(await sub.ssubscribe('shard'), 1);
        assert.equal(await pub.publish('news', 'hello'), 2);
        assert.equal(await pub.spublish('shard', 'hi'), 1);
        await pub.set('io:key', 'v');
        await eventually(() => got.length >= 4, `four messages (got ${JSON.stringify(got)})`);
        assert.deepEqual(got, ['message news hello', 'pmessage n* news hello', 'smessage shard hi', 'pmessage __keyevent@0__:* __keyevent@0__:set io:key']);
        assert.deepEqual(await pub.pubsub('NUMSUB', 'news'), ['news', 1]);
        await sub.unsubscribe('news');
        // (PUNSUBSCRIBE without arguments never resolves in ioredis, against redis-server too.)
        await sub.punsubscribe('n*', '__keyevent@0__:*');
        assert.equal(await pub.publish('news', 'again'), 0);
      } finally {
        await closeIoredis(sub);
        await closeIoredis(pub);
      }
    });

    test(`node-redis RESP${protocol}: subscribers get messages, pattern and keyspace events`, async () => {
      const opts = { socket: { host: HOST, port: cairn.port, reconnectStrategy: false as const }, ...(protocol === 3 ? { RESP: 3 as const } : {}) };
      const sub = createClient(opts);
      const pub = createClient(opts);
      sub.on('error', () => undefined);
      pub.on('error', () => undefined);
      await sub.connect();
      await pub.connect();
      try {
        const got: string[] = [];
        await sub.subscribe('orders', (message, channel) => got.push(`${channel}:${message}`));
        await sub.pSubscribe('__keyspace@0__:order:*', (message, channel) => got.push(`${channel}:${message}`));
        assert.equal(await pub.publish('orders', 'created'), 1);
        await pub.set('order:1', 'x');
        await pub.del('order:1');
        await eventually(() => got.length >= 3, 'messages');
        assert.deepEqual(got, ['orders:created', '__keyspace@0__:order:1:set', '__keyspace@0__:order:1:del']);
        await sub.unsubscribe('orders');
        assert.equal(await pub.publish('orders', 'again'), 0);
      } finally {
        await closeNodeRedis(sub);
        await closeNodeRedis(pub);
      }
    });
  }

  test('node-redis near cache (RESP3 clientSideCache): reads served locally until another client writes', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const opts = { socket: { host: HOST, port: cairn.port, reconnectStrategy: false as const }, RESP: 3 as const };
    const cached = createClient({ ...opts, clientSideCache: cache });
    const writer = createClient(opts);
    cached.on('error', () => undefined);
    writer.on('error', () => undefined);
    await cached.connect();
    await writer.connect();
    try {
      const invalidated: unknown[] = [];
      cache.on('invalidate', (key: unknown) => invalidated.push(key === null ? null : String(key)));
      await writer.set('csc:k', 'v1');
      assert.equal(await cached.get('csc:k'), 'v1');
      assert.equal(await cached.get('csc:k'), 'v1');
      assert.equal(cache.stats().hitCount, 1, 'the second read came from the local cache');
      const info = (await writer.sendCommand(['CLIENT', 'LIST'])) as string;
      assert.match(info, /flags=t /, 'the caching client is in tracking mode');
      await writer.set('csc:k', 'v2');
      await eventually(() => invalidated.includes('csc:k'), 'the invalidation');
      assert.equal(await cached.get('csc:k'), 'v2', 'after the invalidation the value is fetched again');
      await writer.flushAll();
      await eventually(() => invalidated.includes(null), 'the flush invalidation');
      assert.equal(cache.size(), 0);
    } finally {
      await closeNodeRedis(cached);
      await closeNodeRedis(writer);
    }
  });

  test('raw RESP3 connection: CLIENT TRACKING ON, read, another client writes, the push arrives', async () => {
    const raw = await RawConn.open(cairn.port);
    const other = new Redis({ host: HOST, port: cairn.port, retryStrategy: () => null });
    try {
      await raw.request(['HELLO', '3']);
      assert.deepEqual(await raw.request(['CLIENT', 'TRACKING', 'ON']), { t: 'simple', v: 'OK' });
      await raw.request(['GET', 'raw:k']);
      await other.set('raw:k', '1');
      const push = await raw.next();
      assert.equal(show(push), '>["invalidate", ["raw:k"]]');
    } finally {
      raw.close();
      await closeIoredis(other);
    }
  });
});

// -----------------------------------------------------------------------------------------------
// 3. Slow subscribers

describe('a subscriber that stops reading', () => {
  test('is disconnected at its output buffer limit; memory stays bounded; others keep working', async () => {
    const cairn = await startCairn({ 'client-output-buffer-limit': 'pubsub 4mb 1mb 1' });
    const slow = net.connect({ port: cairn.port, host: HOST });
    const fast = new Redis({ host: HOST, port: cairn.port, retryStrategy: () => null });
    const pub = new Redis({ host: HOST, port: cairn.port, retryStrategy: () => null });
    try {
      await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
      let slowClosed = false;
      slow.on('close', () => (slowClosed = true));
      slow.on('error', () => undefined);
      slow.write(encodeCommand(['SUBSCRIBE', 'firehose']));
      await new Promise<void>((resolve) => slow.once('data', () => resolve()));
      slow.pause(); // stops reading: the server's output for it piles up
      let fastReceived = 0;
      fast.on('message', () => fastReceived++);
      await fast.subscribe('firehose');
      await eventually(() => cairn.db.engine.pubsub.subscriberCount('channels', 'firehose') === 2, 'two subscribers');

      const pubsub = cairn.db.engine.pubsub;
      const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      const memoryBefore = memory();
      let memoryPeak = memoryBefore;
      const payload = 'x'.repeat(256 * 1024);
      let published = 0;
      // 256 MB in total: far more than the kernel buffers and the 4 MB limit can absorb.
      for (let i = 0; i < 1024; i++) {
        await pub.publish('firehose', payload);
        published++;
        memoryPeak = Math.max(memoryPeak, memory());
        if (i % 64 === 63) await sleep(5);
      }
      // The server dropped it (its socket is closed, its output freed) ...
      assert.equal(pubsub.outputLimitDisconnections, 1);
      assert.equal(pubsub.subscriberCount('channels', 'firehose'), 1, 'only the fast subscriber is left');
      const growthMb = Math.round((memoryPeak - memoryBefore) / 1048576);
      assert.ok(growthMb < 96, `memory grew by ${growthMb} MB while 256 MB were published`);
      // ... and the client sees the end of the stream once it reads what the kernel still held.
      slow.resume();
      await eventually(() => slowClosed, 'the slow subscriber to see its connection closed', 20_000);
      // Everyone else is fine: the fast subscriber got every message, and commands still work.
      await eventually(() => fastReceived === published, `all ${published} messages to the fast subscriber`, 20_000);
      assert.equal(await pub.publish('firehose', 'after'), 1);
      assert.equal(await pub.set('still', 'ok'), 'OK');
    } finally {
      slow.destroy();
      await closeIoredis(fast);
      await closeIoredis(pub);
      await cairn.db.close();
    }
  });
});

// -----------------------------------------------------------------------------------------------
// Transcripts: everything each connection received, step by step.

interface Step {
  /** Connection number (connections open on first use). */
  readonly c: number;
  /** One command, or several sent in one write (CLIENT CACHING YES then GET: no barrier between). */
  readonly cmd: readonly string[] | ReadonlyArray<readonly string[]>;
  /** Compare this step's output as a multiset: Redis lists its dicts in hash order. */
  readonly unordered?: boolean;
  /** Run but do not compare (HELLO's id and version; QUIT). */
  readonly ignore?: boolean;
  /** Wait this long first (expiry by time). */
  readonly sleepMs?: number;
  /** Integers equal to a connection's client id read as `$id<n>` (both servers number differently). */
  readonly ids?: boolean;
}

/** Per step, per connection: what arrived. */
type Transcript = Array<Map<number, RespValue[]>>;

function commandsOf(step: Step): Array<readonly string[]> {
  return typeof step.cmd[0] === 'string' ? [step.cmd as readonly string[]] : [...(step.cmd as ReadonlyArray<readonly string[]>)];
}

/**
 * Runs a scenario: after each step every open connection is synchronised with PING <token>
 * (answered in order on each connection), so what a step caused anywhere is recorded with it.
 * `$id<n>` in an argument is connection n's CLIENT ID; client ids in replies become `$id<n>`.
 */
async function runScenario(port: number, steps: readonly Step[]): Promise<Transcript> {
  const conns = new Map<number, RawConn>();
  const ids = new Map<number, bigint>();
  const out: Transcript = [];
  let token = 0;
  try {
    for (const step of steps) {
      if (step.sleepMs !== undefined) await sleep(step.sleepMs);
      let conn = conns.get(step.c);
      if (conn === undefined) {
        conn = await RawConn.open(port);
        conns.set(step.c, conn);
        const id = await conn.request(['CLIENT', 'ID']);
        if (id.t !== 'int') throw new Error('CLIENT ID failed');
        ids.set(step.c, id.v);
      }
      const commands = commandsOf(step).map((argv) => argv.map((a) => a.replace(/\$id(\d+)/g, (_, n: string) => String(ids.get(Number(n)) ?? 0))));
      conn.write(commands);
      for (const argv of commands) {
        const name = argv[0]!.toUpperCase();
        if (name === 'MULTI') conn.inMulti = true;
        if (name === 'EXEC' || name === 'DISCARD' || name === 'RESET') conn.inMulti = false;
      }
      const got = new Map<number, RespValue[]>();
      if (commands.length === 1 && commands[0]![0]!.toUpperCase() === 'QUIT') {
        await conn.closed();
        conns.delete(step.c);
      }
      // The stepping connection first: once its own replies are in, whatever the step sent to
      // others is on its way ahead of their barrier PINGs.
      const order = [...conns.keys()].sort((x, y) => (x === step.c ? -1 : y === step.c ? 1 : x - y));
      for (const n of order) {
        const c = conns.get(n)!;
        // Inside MULTI each command is answered once (QUEUED), and PING would be queued too.
        // The stepping connection gets two barriers: its PING may be read together with the
        // step's commands, and what the server sends after those (broadcasts) may follow the
        // first PONG; nothing the step caused can follow the second.
        const values = c.inMulti
          ? (n === step.c ? await c.take(commands.length) : [])
          : n === step.c ? await c.barrier(`barrier-${++token}`, `barrier-${++token}`) : await c.barrier(`barrier-${++token}`);
        got.set(n, step.ids === true ? values.map((v) => renameIds(v, ids)) : values);
      }
      out.push(got);
    }
  } finally {
    for (const c of conns.values()) c.close();
  }
  return out;
}

function compareTranscripts(steps: readonly Step[], expected: Transcript, actual: Transcript): string[] {
  const problems: string[] = [];
  steps.forEach((step, i) => {
    if (step.ignore === true) return;
    const e = expected[i]!;
    const a = actual[i]!;
    for (const n of new Set([...e.keys(), ...a.keys()])) {
      const ev = e.get(n) ?? [];
      const av = a.get(n) ?? [];
      const same = step.unordered === true
        ? inAnyOrder(ev) === inAnyOrder(av)
        : ev.length === av.length && ev.every((v, j) => sameReply(v, av[j]!));
      if (!same) {
        const cmd = commandsOf(step).map((c) => c.join(' ')).join(' ; ');
        problems.push(`step ${i} [c${step.c}: ${cmd}] on connection ${n}:\n  redis: ${ev.map(show).join('  ')}\n  cairn: ${av.map(show).join('  ')}`);
      }
    }
  });
  return problems;
}

/**
 * What must agree when Redis's order is its hash order: the items of a list reply (PUBSUB
 * CHANNELS), or for a run of (un)subscribe confirmations the names and the counts, each sorted.
 */
function inAnyOrder(values: readonly RespValue[]): string {
  if (values.length === 1 && values[0]!.t === 'array') return values[0]!.v.map(show).sort().join(' ');
  const names: string[] = [];
  const counts: string[] = [];
  for (const v of values) {
    if ((v.t === 'array' || v.t === 'push') && v.v.length === 3) {
      names.push(`${v.t}:${show(v.v[0]!)}:${show(v.v[1]!)}`);
      counts.push(show(v.v[2]!));
    } else {
      names.push(show(v));
    }
  }
  return `${names.sort().join(' ')} | ${counts.sort().join(' ')}`;
}

function renameIds(v: RespValue, ids: Map<number, bigint>): RespValue {
  switch (v.t) {
    case 'int':
      for (const [n, id] of ids) if (id === v.v) return { t: 'simple', v: `$id${n}` };
      return v;
    case 'array':
    case 'push':
    case 'set':
      return { t: v.t, v: v.v.map((x) => renameIds(x, ids)) };
    case 'map':
      return { t: 'map', v: v.v.map(([k, x]) => [renameIds(k, ids), renameIds(x, ids)] as [RespValue, RespValue]) };
    default:
      return v;
  }
}

/** A raw connection that keeps every reply and push in arrival order. */
class RawConn {
  private readonly reader = new RespReader();
  private readonly received: RespValue[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private isClosed = false;
  inMulti = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.feed(chunk);
      for (let v = this.reader.next(); v !== undefined; v = this.reader.next()) this.received.push(v);
      this.wake?.();
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.failure ??= new Error('connection closed');
      this.wake?.();
    });
    socket.on('error', (e) => {
      this.failure ??= e;
      this.wake?.();
    });
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: HOST, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawConn(socket));
      });
    });
  }

  write(commands: ReadonlyArray<readonly string[]>): void {
    this.socket.write(Buffer.concat(commands.map((argv) => encodeCommand(argv))));
  }

  async request(argv: readonly string[]): Promise<RespValue> {
    this.write([argv]);
    return (await this.take(1))[0]!;
  }

  async next(): Promise<RespValue> {
    return (await this.take(1))[0]!;
  }

  async take(n: number): Promise<RespValue[]> {
    await this.until(() => this.received.length >= n);
    return this.received.splice(0, n);
  }

  /** Sends PING <token> (then PING <second>, after the first answer); returns what arrived before the last answer, PONGs left out. */
  async barrier(token: string, second?: string): Promise<RespValue[]> {
    this.write([['PING', token]]);
    await this.until(() => this.received.some((v) => isPong(v, token)));
    const last = second ?? token;
    if (second !== undefined) this.write([['PING', second]]);
    let at = -1;
    await this.until(() => (at = this.received.findIndex((v) => isPong(v, last))) >= 0);
    const before = this.received.splice(0, at + 1);
    before.pop();
    return before.filter((v) => !isPong(v, token));
  }

  async closed(): Promise<void> {
    await this.until(() => this.isClosed, true);
  }

  close(): void {
    this.socket.destroy();
  }

  private async until(done: () => boolean, closingIsFine = false): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (this.failure !== null && !closingIsFine) throw this.failure;
      if (Date.now() > deadline) throw new Error(`timed out; received so far: ${this.received.map(show).join(' ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}

/** PING's answer: the token as a bulk string, or ["pong", token] from a RESP2 subscriber. */
function isPong(v: RespValue, token: string): boolean {
  if (v.t === 'bulk') return v.v.toString('latin1') === token;
  if (v.t === 'array' && v.v.length === 2) {
    const [a, b] = v.v;
    return a?.t === 'bulk' && a.v.toString() === 'pong' && b?.t === 'bulk' && b.v.toString('latin1') === token;
  }
  return false;
}
