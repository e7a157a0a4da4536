// memcached clients as judges: memjs (binary protocol) and the `memcached` package (text
// protocol) against Cairn, and RESP on the same keys (values, TTLs, deletes, flags and CAS).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Memcached from 'memcached';
import { Redis } from 'ioredis';
import { McTextClient, startCairnMemcached, type CairnMemcached } from '../helpers/memcached.js';

const require = createRequire(import.meta.url);
// memjs ships no type declarations; the calls below are its documented promise API.
const memjs = require('memjs') as {
  Client: { create(servers: string, options?: Record<string, unknown>): any };
};

let cairn: CairnMemcached;
let redis: Redis;

before(async () => {
  cairn = await startCairnMemcached();
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

after(async () => {
  redis.disconnect();
  await cairn.stop();
});

function memjsClient(): any {
  return memjs.Client.create(`127.0.0.1:${cairn.port}`, { retries: 0, timeout: 5, logger: { log: () => {} } });
}

test('memjs (binary protocol): set, get, add, replace, append, prepend, incr, decr, delete, touch, flush, stats', async () => {
  const mc = memjsClient();
  try {
    assert.equal(await mc.set('mj:a', 'hello', { expires: 0 }), true);
    const got = await mc.get('mj:a');
    assert.equal(got.value.toString(), 'hello');
    assert.equal(got.flags.readUInt32BE(0), 0);
    assert.equal(await mc.add('mj:a', 'x'), false);
    assert.equal(await mc.add('mj:b', 'x'), true);
    assert.equal(await mc.replace('mj:none', 'x'), false);
    assert.equal(await mc.replace('mj:b', 'y'), true);
    assert.equal(await mc.append('mj:b', 'z'), true);
    // memjs 1.3.2's prepend() sends the APPEND opcode (0x0e), so it is not exercised here;
    // test/unit/memcached-protocols.test.ts covers the binary PREPEND opcode.
    assert.equal((await mc.get('mj:b')).value.toString(), 'yz');
    assert.equal((await mc.get('mj:none')).value, null);
    await mc.set('mj:n', '10');
    assert.deepEqual(await mc.increment('mj:n', 5, {}), { success: true, value: 15 });
    assert.deepEqual(await mc.decrement('mj:n', 20, {}), { success: true, value: 0 });
    const created = await mc.increment('mj:new', 1, { initial: 7 });
    assert.equal(created.value, 7);
    assert.equal(await mc.touch('mj:a', 100), true);
    assert.ok(Number(await redis.ttl('mj:a')) > 90);
    assert.equal(await mc.delete('mj:a'), true);
    assert.equal(await mc.delete('mj:a'), false);
    const stats = await new Promise<Record<string, string>>((resolve, reject) =>
      mc.stats((err: unknown, _server: string, s: Record<string, string>) => (err ? reject(err) : resolve(s))),
    );
    assert.equal(stats.version, '1.6.18');
    assert.ok(Number(stats.cmd_get) > 0);
    assert.deepEqual(Object.values(await mc.flush()), [true]);
    assert.equal((await mc.get('mj:b')).value, null);
  } finally {
    mc.close();
  }
});

test('memjs: a large value round-trips; one over item_size_max is refused', async () => {
  const mc = memjsClient();
  try {
    const big = Buffer.alloc(1024 * 1024 - 200, 0x61);
    assert.equal(await mc.set('mj:big', big), true);
    assert.equal((await mc.get('mj:big')).value.length, big.length);
    await assert.rejects(mc.set('mj:big', Buffer.alloc(1024 * 1024 + 10, 0x61)));
    assert.equal((await mc.get('mj:big')).value, null, 'a failed set removes the old value, as memcached');
  } finally {
    mc.close();
  }
});

function call<T>(fn: (cb: (err: unknown, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

test('the memcached package (text protocol): typed values via flags, gets/cas, incr/decr, getMulti, touch', async () => {
  const mc = new Memcached(`127.0.0.1:${cairn.port}`, { retries: 0, timeout: 5000, idle: 1000 });
  try {
    assert.equal(await call<boolean>((cb) => mc.set('mt:s', 'text', 0, cb)), true);
    assert.equal(await call<unknown>((cb) => mc.get('mt:s', cb)), 'text');
    await call((cb) => mc.set('mt:json', { a: [1, 2] }, 0, cb));
    assert.deepEqual(await call<unknown>((cb) => mc.get('mt:json', cb)), { a: [1, 2] });
    await call((cb) => mc.set('mt:num', 42, 0, cb));
    assert.equal(await call<unknown>((cb) => mc.get('mt:num', cb)), 42);
    const gets = await call<Record<string, unknown>>((cb) => mc.gets('mt:s', cb));
    assert.equal(gets['mt:s'], 'text');
    const cas = gets.cas as string;
    assert.equal(await call<boolean>((cb) => mc.cas('mt:s', 'new', cas, 0, cb)), true);
    assert.equal(await call<boolean>((cb) => mc.cas('mt:s', 'again', cas, 0, cb)), false);
    assert.equal(await call<unknown>((cb) => mc.get('mt:s', cb)), 'new');
    await call((cb) => mc.set('mt:c', '5', 0, cb));
    assert.equal(await call<unknown>((cb) => mc.incr('mt:c', 10, cb)), 15);
    assert.equal(await call<unknown>((cb) => mc.decr('mt:c', 100, cb)), 0);
    assert.equal(await call<unknown>((cb) => mc.incr('mt:missing', 1, cb)), false);
    const multi = await call<Record<string, unknown>>((cb) => mc.getMulti(['mt:s', 'mt:c', 'mt:missing'], cb));
    assert.deepEqual(multi, { 'mt:s': 'new', 'mt:c': '0' });
    assert.equal(await call<boolean>((cb) => mc.add('mt:s', 'x', 0, cb)).catch(() => false), false);
    assert.equal(await call<boolean>((cb) => mc.append('mt:s', '!', cb)), true);
    assert.equal(await call<boolean>((cb) => mc.prepend('mt:s', '¡', cb)), true);
    assert.equal(await call<boolean>((cb) => (mc as any).touch('mt:s', 50, cb)), true);
    assert.ok(Number(await redis.ttl('mt:s')) > 40);
    assert.equal(await call<boolean>((cb) => (mc as any).del('mt:s', cb)), true);
    assert.equal(await call<unknown>((cb) => mc.get('mt:s', cb)), undefined);
    const version = await call<Array<{ version: string }>>((cb) => mc.version(cb));
    assert.equal(version[0]!.version, '1.6.18');
  } finally {
    mc.end();
  }
});

test('cross-protocol: values, TTLs and deletes are one key space', async () => {
  const mc = await McTextClient.connect(cairn.port);
  try {
    await redis.set('x:resp', 'from resp');
    assert.equal(await mc.send('get x:resp\r\n'), 'VALUE x:resp 0 9\r\nfrom resp\r\nEND\r\n');
    assert.equal(await mc.send('set x:mc 0 100 7\r\nfrom mc\r\n'), 'STORED\r\n');
    assert.equal(await redis.get('x:mc'), 'from mc');
    const ttl = await redis.ttl('x:mc');
    assert.ok(ttl > 95 && ttl <= 100, `TTL ${ttl}`);
    await redis.expire('x:resp', 50);
    assert.match(await mc.send('mg x:resp t\r\n'), /^HD t(49|50)\r\n$/);
    await redis.persist('x:resp');
    assert.equal(await mc.send('mg x:resp t\r\n'), 'HD t-1\r\n');
    assert.equal(await mc.send('set x:neg 0 -1 1\r\nv\r\n'), 'STORED\r\n');
    assert.equal(await redis.exists('x:neg'), 0);
    await redis.del('x:mc');
    assert.equal(await mc.send('get x:mc\r\n'), 'END\r\n');
    assert.equal(await mc.send('incr x:n 1\r\nset x:n 0 0 1\r\n9\r\nincr x:n 1\r\n'), 'NOT_FOUND\r\nSTORED\r\n10\r\n');
    assert.equal(await redis.incr('x:n'), 11, 'the counter is a decimal string RESP can increment');
    await redis.rpush('x:list', 'a');
    assert.equal(await mc.send('get x:list\r\nadd x:list 0 0 1\r\nv\r\n'), 'END\r\nNOT_STORED\r\n');
  } finally {
    mc.close();
  }
});

test('cross-protocol: flags and CAS are kept with the item and dropped by any write', async () => {
  const mc = await McTextClient.connect(cairn.port);
  try {
    assert.equal(await mc.send('set f:k 123 0 1\r\nv\r\n'), 'STORED\r\n');
    const [flags, cas] = (await redis.call('MCMETA', 'f:k')) as [number, number];
    assert.equal(flags, 123);
    assert.equal(await mc.send('gets f:k\r\n'), `VALUE f:k 123 1 ${cas}\r\nv\r\nEND\r\n`);
    await redis.expire('f:k', 100);
    assert.equal(await mc.send('gets f:k\r\n'), `VALUE f:k 123 1 ${cas}\r\nv\r\nEND\r\n`, 'a TTL change keeps flags and CAS');
    await redis.append('f:k', 'w');
    const after = await mc.send('gets f:k\r\n');
    const m = /^VALUE f:k 0 2 (\d+)\r\nvw\r\nEND\r\n$/.exec(after);
    assert.ok(m !== null, after);
    assert.ok(BigInt(m[1]!) > BigInt(cas), 'a RESP write gives a new CAS');
    assert.equal(await mc.send(`cas f:k 0 0 1 ${cas}\r\nx\r\n`), 'EXISTS\r\n');
    assert.equal(await mc.send(`cas f:k 0 0 1 ${m[1]}\r\nx\r\n`), 'STORED\r\n');
    assert.equal(await redis.call('MCSETFLAGS', 'f:k', '9'), 1);
    assert.equal(await mc.send('get f:k\r\n'), 'VALUE f:k 9 1\r\nx\r\nEND\r\n');
    await redis.set('f:k', 'resp');
    assert.equal(await mc.send('get f:k\r\n'), 'VALUE f:k 0 4\r\nresp\r\nEND\r\n');
  } finally {
    mc.close();
  }
});

test('garbage closes only its own connection', async () => {
  const net = require('node:net') as typeof import('node:net');
  const b = await McTextClient.connect(cairn.port);
  for (const garbage of [Buffer.alloc(5000, 0x78), Buffer.from([0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, ...Array(12).fill(0)])]) {
    const a = net.connect(cairn.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => a.on('close', () => resolve()));
    a.on('error', () => {});
    a.write(garbage);
    assert.equal(await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 5000))]), 'closed');
  }
  try {
    assert.equal(await b.send('set g 0 0 1\r\nv\r\nget g\r\n'), 'STORED\r\nVALUE g 0 1\r\nv\r\nEND\r\n');
  } finally {
    b.close();
  }
});

test('pipelined commands split at every byte are answered in order', async () => {
  const mc = await McTextClient.connect(cairn.port);
  const raw = await new Promise<import('node:net').Socket>((resolve) => {
    const s = require('node:net').connect(cairn.port, '127.0.0.1', () => resolve(s));
  });
  try {
    const input = 'set p1 0 0 5\r\nab\r\nc\r\nget p1\r\nmg p1 v f\r\nincr p2 1\r\n';
    let got = '';
    raw.on('data', (c: Buffer) => (got += c.toString('latin1')));
    for (const ch of input) {
      raw.write(ch);
      await new Promise((r) => setImmediate(r));
    }
    const expected = 'STORED\r\nVALUE p1 0 5\r\nab\r\nc\r\nEND\r\nVA 5 f0\r\nab\r\nc\r\nNOT_FOUND\r\n';
    for (let i = 0; i < 100 && got.length < expected.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got, expected);
  } finally {
    raw.destroy();
    mc.close();
  }
});

test('flags survive a restart, through the log and through a snapshot', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-mc-'));
  try {
    let server = await startCairnMemcached({ dir, config: { appendonly: 'yes', appendfsync: 'always' } });
    let mc = await McTextClient.connect(server.port);
    assert.equal(await mc.send('set r:a 77 0 1\r\na\r\nset r:b 5 0 1\r\nb\r\nappend r:b 0 0 1\r\nc\r\nincr r:n 1\r\nset r:n 3 0 1\r\n1\r\nincr r:n 4\r\n'), 'STORED\r\nSTORED\r\nSTORED\r\nNOT_FOUND\r\nSTORED\r\n5\r\n');
    mc.close();
    await server.stop();
    server = await startCairnMemcached({ dir, config: { appendonly: 'yes' } });
    mc = await McTextClient.connect(server.port);
    assert.equal(await mc.send('get r:a r:b r:n\r\n'), 'VALUE r:a 77 1\r\na\r\nVALUE r:b 5 2\r\nbc\r\nVALUE r:n 3 1\r\n5\r\nEND\r\n');
    assert.equal(server.db.command('BGREWRITEAOF'), 'Background append only file rewriting started');
    for (let i = 0; i < 200 && String(server.db.command('INFO', 'persistence')).includes('aof_rewrite_in_progress:1'); i++) await new Promise((r) => setTimeout(r, 20));
    mc.close();
    await server.stop();
    server = await startCairnMemcached({ dir, config: { appendonly: 'yes' } });
    mc = await McTextClient.connect(server.port);
    assert.equal(await mc.send('get r:a r:b\r\n'), 'VALUE r:a 77 1\r\na\r\nVALUE r:b 5 2\r\nbc\r\nEND\r\n');
    mc.close();
    await server.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
