// Client-library behaviour that goes beyond one command at a time: ioredis pipelines and
// transactions, node-redis MULTI, binary-safe values through each library's Buffer API,
// a 10 MB value, and 200 concurrent clients.
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES, WatchError } from 'redis';
import { closeIoredis, closeNodeRedis, HOST, ORACLE_MODE, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

/** Every byte value once, with CR LF pairs in the middle and at both ends. */
const ALL_BYTES = Buffer.concat([Buffer.from('\r\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n$-1\r\n*3\r\n')]);
/** A key that is not valid UTF-8 (lone continuation bytes and a NUL). */
const BINARY_KEY = Buffer.from([0x00, 0x80, 0xff, 0x0d, 0x0a, 0xc3]);
const BUFFERS = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;

type NodeRedis = ReturnType<typeof createClient>;

describe('client libraries', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const ioClients: Redis[] = [];
  const nodeClients: NodeRedis[] = [];

  function io(protocol: 2 | 3 = 2): Redis {
    const r = new Redis({ host: HOST, port: target.port, protocol, retryStrategy: () => null });
    r.on('error', () => undefined);
    ioClients.push(r);
    return r;
  }

  async function nodeRedis(resp: 2 | 3 = 2): Promise<NodeRedis> {
    const c = createClient({
      socket: { host: HOST, port: target.port, reconnectStrategy: false },
      ...(resp === 3 ? { RESP: 3 as const } : {}),
    }) as NodeRedis;
    c.on('error', () => undefined);
    nodeClients.push(c);
    await c.connect();
    return c;
  }

  before(async () => {
    target = await startTarget();
  });
  afterEach(async () => {
    await Promise.all(ioClients.splice(0).map(closeIoredis));
    await Promise.all(nodeClients.splice(0).map(closeNodeRedis));
  });
  after(async () => {
    await target.close();
  });

  it('ioredis pipeline() with 1,000 commands answers each in order', async () => {
    const r = io();
    await r.del('pipe:counter');
    const p = r.pipeline();
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0) p.incr('pipe:counter');
      else p.set(`pipe:${i}`, String(i));
    }
    const results = await p.exec();
    assert.ok(results !== null);
    assert.equal(results.length, 1000);
    for (let i = 0; i < 1000; i++) {
      const [error, value] = results[i] as [Error | null, unknown];
      assert.equal(error, null);
      assert.deepEqual(value, i % 2 === 0 ? i / 2 + 1 : 'OK');
    }
    assert.equal(await r.get('pipe:999'), '999');
  });

  it('ioredis pipeline() reports a failing command in place without stopping the others', async () => {
    const r = io();
    await r.set('pipe:word', 'abc');
    const results = await r.pipeline().set('pipe:a', '1').incr('pipe:word').get('pipe:a').exec();
    assert.ok(results !== null);
    assert.deepEqual(results[0], [null, 'OK']);
    assert.equal((results[1]![0] as Error).message, 'ERR value is not an integer or out of range');
    assert.deepEqual(results[2], [null, '1']);
  });

  it('ioredis multi() with 1,000 commands runs them atomically', async () => {
    const r = io();
    await r.del('multi:counter');
    const m = r.multi();
    for (let i = 0; i < 1000; i++) m.incr('multi:counter');
    const results = await m.exec();
    assert.ok(results !== null);
    assert.equal(results.length, 1000);
    assert.deepEqual(results[999], [null, 1000]);
    assert.equal(await r.get('multi:counter'), '1000');
  });

  it('ioredis multi() with WATCH: a concurrent write aborts it (exec resolves to null)', async () => {
    const r = io();
    const other = io();
    await r.set('multi:watched', '1');
    await r.watch('multi:watched');
    await other.set('multi:watched', '2');
    const results = await r.multi().set('multi:watched', '3').exec();
    assert.equal(results, null);
    assert.equal(await r.get('multi:watched'), '2');
  });

  it('ioredis multi() with a queuing error rejects with EXECABORT', async () => {
    const r = io();
    const m = r.multi();
    m.set('multi:x', '1');
    m.call('set', 'only-a-key');
    await assert.rejects(m.exec(), (e: Error) => {
      assert.equal(e.message, 'EXECABORT Transaction discarded because of previous errors.');
      return true;
    });
    assert.equal(await r.exists('multi:x'), 0);
  });

  for (const resp of [2, 3] as const) {
    it(`node-redis multi().exec() over RESP${resp}`, async () => {
      const c = await nodeRedis(resp);
      await c.del('nr:counter');
      const replies = await c.multi().set('nr:key', 'value').incr('nr:counter').incrBy('nr:counter', 10).get('nr:key').exec();
      assert.deepEqual(replies, ['OK', 1, 11, 'value']);
      assert.deepEqual(await c.multi().exec(), []);
      const pipelined = await c.multi().get('nr:key').ping().execAsPipeline();
      assert.deepEqual(pipelined, ['value', 'PONG']);
    });

    it(`node-redis WATCH then multi() after a concurrent write rejects with WatchError over RESP${resp}`, async () => {
      const c = await nodeRedis(resp);
      const other = await nodeRedis(resp);
      await c.set('nr:watched', '1');
      await c.watch('nr:watched');
      await other.set('nr:watched', '2');
      await assert.rejects(c.multi().set('nr:watched', '3').exec(), WatchError);
      assert.equal(await c.get('nr:watched'), '2');
    });
  }

  it('binary-safe keys and values through ioredis (RESP2 and RESP3)', async () => {
    for (const protocol of [2, 3] as const) {
      const r = io(protocol);
      assert.equal(await r.set(BINARY_KEY, ALL_BYTES), 'OK');
      assert.deepEqual(await r.getBuffer(BINARY_KEY), ALL_BYTES);
      assert.equal(await r.strlen(BINARY_KEY), ALL_BYTES.length);
      assert.deepEqual(await r.getrangeBuffer(BINARY_KEY, 2, 257), ALL_BYTES.subarray(2, 258));
      assert.equal(await r.append(BINARY_KEY, Buffer.from([0, 13, 10])), ALL_BYTES.length + 3);
      assert.deepEqual(await r.getBuffer(BINARY_KEY), Buffer.concat([ALL_BYTES, Buffer.from([0, 13, 10])]));
      assert.deepEqual(await r.mgetBuffer(BINARY_KEY, Buffer.from([0xfe])), [Buffer.concat([ALL_BYTES, Buffer.from([0, 13, 10])]), null]);
      const keys = await r.keysBuffer('*');
      assert.ok(keys.some((k) => k.equals(BINARY_KEY)), 'KEYS returns the binary key byte for byte');
      assert.equal(await r.del(BINARY_KEY), 1);
    }
  });

  it('binary-safe keys and values through node-redis (RESP2 and RESP3)', async () => {
    for (const resp of [2, 3] as const) {
      const c = (await nodeRedis(resp)).withTypeMapping(BUFFERS);
      assert.equal(String(await c.set(BINARY_KEY, ALL_BYTES)), 'OK');
      assert.deepEqual(await c.get(BINARY_KEY), ALL_BYTES);
      assert.deepEqual(await c.sendCommand(['GETRANGE', BINARY_KEY, '0', '1'], { typeMapping: BUFFERS }), ALL_BYTES.subarray(0, 2));
      assert.equal(await c.del(BINARY_KEY), 1);
    }
  });

  it('DUMP and RESTORE round trip a value through ioredis', async () => {
    const r = io();
    await r.set('dump:src', ALL_BYTES);
    const payload = await r.dumpBuffer('dump:src');
    assert.ok(Buffer.isBuffer(payload) && payload.length > ALL_BYTES.length);
    assert.equal(await r.restore('dump:copy', 0, payload), 'OK');
    assert.deepEqual(await r.getBuffer('dump:copy'), ALL_BYTES);
    await assert.rejects(r.restore('dump:copy', 0, payload), { message: 'BUSYKEY Target key name already exists.' });
    assert.equal(await r.restore('dump:copy', 100_000, payload, 'REPLACE'), 'OK');
    assert.ok((await r.pttl('dump:copy')) > 90_000);
    const corrupt = Buffer.from(payload);
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
    await assert.rejects(r.restore('dump:bad', 0, corrupt), { message: 'ERR DUMP payload version or checksum are wrong' });
    assert.equal(await r.dumpBuffer('dump:missing'), null);
  });

  it('a 10 MB value round trips through ioredis and node-redis', async () => {
    const big = randomBytes(10 * 1024 * 1024);
    const r = io();
    assert.equal(await r.set('big:io', big), 'OK');
    assert.equal(await r.strlen('big:io'), big.length);
    assert.ok((await r.getBuffer('big:io'))!.equals(big));
    const c = (await nodeRedis()).withTypeMapping(BUFFERS);
    assert.equal(String(await c.set('big:nr', big)), 'OK');
    const back = (await c.get('big:nr')) as unknown as Buffer;
    assert.ok(Buffer.isBuffer(back) && back.equals(big));
    assert.ok(((await c.get('big:io')) as unknown as Buffer).equals(big), 'written by ioredis, read by node-redis');
    await r.del('big:io', 'big:nr');
  });

  it('200 concurrent clients doing 50 commands each', async () => {
    const CLIENTS = 200;
    const ROUNDS = 25; // two commands per round
    await io().del('crowd:counter');
    const work = Array.from({ length: CLIENTS }, async (_, n) => {
      if (n % 2 === 0) {
        const r = io();
        for (let i = 0; i < ROUNDS; i++) {
          await r.incr('crowd:counter');
          await r.set(`crowd:${n}`, String(i));
        }
        return r.get(`crowd:${n}`);
      }
      const c = await nodeRedis();
      for (let i = 0; i < ROUNDS; i++) {
        await c.incr('crowd:counter');
        await c.set(`crowd:${n}`, String(i));
      }
      return c.get(`crowd:${n}`);
    });
    const last = await Promise.all(work);
    assert.deepEqual(last, Array.from({ length: CLIENTS }, () => String(ROUNDS - 1)));
    assert.equal(await io().get('crowd:counter'), String(CLIENTS * ROUNDS));
  });
});

describe('embedded API', { skip: ORACLE_MODE && 'needs an in-process Cairn', timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    await target.close();
  });

  it('commandBuffer returns Buffers; Buffer arguments are binary-safe', () => {
    const db = target.db!;
    assert.equal(db.command('SET', BINARY_KEY, ALL_BYTES), 'OK');
    assert.deepEqual(db.commandBuffer('GET', BINARY_KEY), ALL_BYTES);
    assert.equal(db.command('STRLEN', BINARY_KEY), ALL_BYTES.length);
    assert.equal(db.command('GET', 'missing'), null);
  });

  it('error replies throw CairnReplyError with the Redis text', () => {
    const db = target.db!;
    assert.throws(() => db.command('GET'), { name: 'ReplyError', message: "ERR wrong number of arguments for 'get' command" });
  });

  it('data written in-process is served over TCP and the other way round', async () => {
    const db = target.db!;
    db.command('SET', 'shared', 'from-embedded');
    const r = new Redis({ host: HOST, port: target.port, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      assert.equal(await r.get('shared'), 'from-embedded');
      await r.set('shared', 'from-tcp');
      assert.equal(db.command('GET', 'shared'), 'from-tcp');
    } finally {
      await closeIoredis(r);
    }
  });

  it('sessions are independent (SELECT, MULTI)', () => {
    const db = target.db!;
    const a = db.session();
    const b = db.session();
    try {
      assert.equal(a.command('SELECT', '4'), 'OK');
      assert.equal(a.command('SET', 'sess', 'a'), 'OK');
      assert.equal(b.command('GET', 'sess'), null);
      assert.equal(a.command('MULTI'), 'OK');
      assert.equal(a.command('INCR', 'n'), 'QUEUED');
      assert.equal(b.command('INCR', 'n'), 1, 'the other session is not in the transaction');
      assert.deepEqual(a.command('EXEC'), [1]);
    } finally {
      a.close();
      b.close();
    }
  });
});
