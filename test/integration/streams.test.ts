// Stream commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// then real clients on separate connections: a consumer group shared by three workers where one
// dies and another takes over its pending entries with XAUTOCLAIM, and a blocked XREAD woken by
// an XADD from another client. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server); XREAD's "+" id (7.4) runs against Cairn only.
// XREAD answers [[stream, entries], ...] in RESP2 and a map {stream: entries} in RESP3.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { asMap, bounded, closeIoredis, closeNodeRedis, describeEachDriver, expectError, HOST, ORACLE_MODE, sleep, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

type Entry = [string, string[]];

/** An XREAD / XREADGROUP reply in either shape as { stream: entries }. */
function byStream(reply: unknown): Record<string, Entry[]> {
  assert.ok(reply !== null && typeof reply === 'object', `expected streams, got ${JSON.stringify(reply)}`);
  if (!Array.isArray(reply)) return reply as Record<string, Entry[]>;
  const out: Record<string, Entry[]> = {};
  for (const [name, entries] of reply as Array<[string, Entry[]]>) out[name] = entries;
  return out;
}

describeEachDriver('streams', {}, ({ client, connect, kind }) => {
  it('XADD with explicit and generated ids, and its id errors', async () => {
    const c = client();
    assert.equal(await c.call('XADD', 's', '1-1', 'a', '1'), '1-1');
    await expectError(c.call('XADD', 's', '1-1', 'b', '2'), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
    await expectError(c.call('XADD', 'other', '0-0', 'b', '2'), 'ERR The ID specified in XADD must be greater than 0-0');
    await expectError(c.call('XADD', 's', 'x', 'b', '2'), 'ERR Invalid stream ID specified as stream command argument');
    await expectError(c.call('XADD', 's', '*', 'odd'), "ERR wrong number of arguments for 'xadd' command");
    assert.equal(await c.call('XADD', 's', '1-*', 'b', '2'), '1-2');
    assert.equal(await c.call('XADD', 's', '5', 'c', '3'), '5-0');
    const generated = (await c.call('XADD', 's', '*', 'd', '4')) as string;
    assert.match(generated, /^\d+-\d+$/);
    assert.equal(await c.call('XLEN', 's'), 4);
    assert.equal(await c.call('XLEN', 'nokey'), 0);
    assert.equal(await c.call('XADD', 'nokey', 'NOMKSTREAM', '*', 'a', '1'), null);
    assert.equal(await c.call('EXISTS', 'nokey'), 0);
    assert.equal(await c.call('SET', 'str', 'v'), 'OK');
    await expectError(c.call('XADD', 'str', '*', 'a', '1'), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('XRANGE and XREVRANGE: entries are [id, [field, value, ...]] in both protocols', async () => {
    const c = client();
    assert.equal(await c.call('XADD', 's', '1-1', 'a', '1'), '1-1');
    assert.equal(await c.call('XADD', 's', '1-2', 'b', '2', 'c', '3'), '1-2');
    assert.equal(await c.call('XADD', 's', '5-0', 'x', 'y'), '5-0');
    assert.deepEqual(await c.call('XRANGE', 's', '-', '+', 'COUNT', '2'), [['1-1', ['a', '1']], ['1-2', ['b', '2', 'c', '3']]]);
    assert.deepEqual(await c.call('XRANGE', 's', '(1-1', '+'), [['1-2', ['b', '2', 'c', '3']], ['5-0', ['x', 'y']]]);
    assert.deepEqual(await c.call('XRANGE', 's', '1', '1'), [['1-1', ['a', '1']], ['1-2', ['b', '2', 'c', '3']]], 'an id without sequence covers all');
    assert.deepEqual(await c.call('XREVRANGE', 's', '+', '-', 'COUNT', '1'), [['5-0', ['x', 'y']]]);
    assert.deepEqual(await c.call('XRANGE', 's', '6', '+'), []);
    assert.deepEqual(await c.call('XRANGE', 'nokey', '-', '+'), []);
    await expectError(c.call('XRANGE', 's', 'x', '+'), 'ERR Invalid stream ID specified as stream command argument');
    await expectError(c.call('XRANGE', 's', '-', '+', 'COUNT'), 'ERR syntax error');
  });

  it('XDEL, XTRIM, XADD MAXLEN, XSETID', async () => {
    const c = client();
    for (let i = 1; i <= 5; i++) assert.equal(await c.call('XADD', 's', `${i}-0`, 'n', String(i)), `${i}-0`);
    assert.equal(await c.call('XDEL', 's', '2-0', '9-0'), 1);
    assert.equal(await c.call('XTRIM', 's', 'MAXLEN', '3'), 1);
    assert.deepEqual(((await c.call('XRANGE', 's', '-', '+')) as Entry[]).map(([id]) => id), ['3-0', '4-0', '5-0']);
    assert.equal(await c.call('XTRIM', 's', 'MINID', '4'), 1);
    assert.equal(await c.call('XADD', 's', 'MAXLEN', '1', '6-0', 'n', '6'), '6-0');
    assert.equal(await c.call('XLEN', 's'), 1);
    await expectError(c.call('XSETID', 's', '1-0'), 'ERR The ID specified in XSETID is smaller than the target stream top item');
    assert.equal(await c.call('XSETID', 's', '10-0'), 'OK');
    await expectError(c.call('XADD', 's', '9-0', 'n', '9'), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
    await expectError(c.call('XTRIM', 's', 'MAXLEN', '-1'), "ERR The MAXLEN argument must be >= 0.");
  });

  it('XREAD without blocking; the reply shape differs by protocol', async () => {
    const c = client();
    assert.equal(await c.call('XADD', 'a', '1-0', 'f', 'v'), '1-0');
    assert.equal(await c.call('XADD', 'a', '2-0', 'f', 'w'), '2-0');
    assert.equal(await c.call('XADD', 'b', '3-0', 'g', 'x'), '3-0');
    const reply = await c.call('XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0');
    if (kind.resp === 3) assert.ok(!Array.isArray(reply), 'RESP3 answers a map');
    else assert.ok(Array.isArray(reply));
    assert.deepEqual(byStream(reply), { a: [['1-0', ['f', 'v']]], b: [['3-0', ['g', 'x']]] });
    assert.deepEqual(byStream(await c.call('XREAD', 'STREAMS', 'a', 'b', '1-0', '3-0')), { a: [['2-0', ['f', 'w']]] });
    assert.equal(await c.call('XREAD', 'STREAMS', 'a', '2-0'), null);
    assert.equal(await bounded(c.call('XREAD', 'BLOCK', '50', 'STREAMS', 'a', '$'), 5000, 'XREAD BLOCK'), null);
    await expectError(c.call('XREAD', 'STREAMS', 'a', 'b', '0'), "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
    await expectError(c.call('XREAD', 'STREAMS', 'a', '>'), "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
  });

  it('XREAD with the + id reads the last entry (Redis 7.4)', { skip: ORACLE_MODE && 'redis-server 7.0 has no XREAD +' }, async () => {
    const c = client();
    assert.equal(await c.call('XADD', 's', '1-0', 'f', 'v'), '1-0');
    assert.equal(await c.call('XADD', 's', '2-0', 'f', 'w'), '2-0');
    assert.deepEqual(byStream(await c.call('XREAD', 'STREAMS', 's', '+')), { s: [['2-0', ['f', 'w']]] });
  });

  it('a blocked XREAD on one connection is woken by an XADD on another', { skip: !kind.network && 'the embedded session answers blocking commands at once' }, async () => {
    const reader = await connect();
    assert.equal(await client().call('XADD', 's', '1-0', 'old', 'x'), '1-0');
    const pending = reader.call('XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$');
    await sleep(30);
    assert.equal(await client().call('XADD', 's', '2-0', 'new', 'y'), '2-0');
    assert.deepEqual(byStream(await bounded(pending, 5000, 'XREAD BLOCK')), { s: [['2-0', ['new', 'y']]] });
  });

  it('consumer groups: XGROUP CREATE, XREADGROUP, XPENDING, XACK, XCLAIM, XAUTOCLAIM', async () => {
    const c = client();
    await expectError(
      c.call('XGROUP', 'CREATE', 's', 'g', '0'),
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
    await expectError(c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'), "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
    for (let i = 1; i <= 4; i++) assert.equal(await c.call('XADD', 's', `${i}-0`, 'n', String(i)), `${i}-0`);
    assert.equal(await c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'OK');
    await expectError(c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'BUSYGROUP Consumer Group name already exists');
    assert.deepEqual(byStream(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>')), {
      s: [['1-0', ['n', '1']], ['2-0', ['n', '2']]],
    });
    assert.deepEqual(await c.call('XPENDING', 's', 'g'), [2, '1-0', '2-0', [['alice', '2']]]);
    const detail = (await c.call('XPENDING', 's', 'g', '-', '+', '10', 'alice')) as Array<[string, string, number, number]>;
    assert.deepEqual(detail.map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), [['1-0', 'alice', 1], ['2-0', 'alice', 1]]);
    assert.deepEqual(byStream(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')), {
      s: [['1-0', ['n', '1']], ['2-0', ['n', '2']]],
    }, 'id 0 re-reads the own pending entries');
    assert.deepEqual(await c.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '0-0', 'COUNT', '1'), ['2-0', [['1-0', ['n', '1']]], []]);
    assert.deepEqual(await c.call('XCLAIM', 's', 'g', 'carol', '0', '2-0', 'JUSTID'), ['2-0']);
    assert.deepEqual(await c.call('XCLAIM', 's', 'g', 'carol', '3600000', '2-0'), [], 'not idle long enough');
    assert.equal(await c.call('XACK', 's', 'g', '1-0', '9-0'), 1);
    assert.deepEqual(await c.call('XPENDING', 's', 'g'), [1, '2-0', '2-0', [['carol', '1']]]);
    await expectError(c.call('XAUTOCLAIM', 's', 'nog', 'bob', '0', '0-0'), "NOGROUP No such key 's' or consumer group 'nog'");
    assert.equal(await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'dave'), 1);
    assert.equal(await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'dave'), 0);
    assert.equal(await c.call('XGROUP', 'DELCONSUMER', 's', 'g', 'carol'), 1, 'answers how many pending entries were dropped');
    assert.equal(await c.call('XGROUP', 'SETID', 's', 'g', '$'), 'OK');
    assert.equal(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'), null);
    assert.equal(await c.call('XGROUP', 'DESTROY', 's', 'g'), 1);
    assert.equal(await c.call('XGROUP', 'DESTROY', 's', 'g'), 0);
  });

  it('XINFO STREAM, GROUPS and CONSUMERS are maps (flat arrays in RESP2)', async () => {
    const c = client();
    assert.equal(await c.call('XADD', 's', '1-1', 'a', '1'), '1-1');
    assert.equal(await c.call('XADD', 's', '5-1', 'x', 'y'), '5-1');
    assert.equal(await c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'OK');
    assert.ok(byStream(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'))['s']);
    const info = asMap(await c.call('XINFO', 'STREAM', 's'));
    assert.deepEqual(Object.keys(info), [
      'length', 'radix-tree-keys', 'radix-tree-nodes', 'last-generated-id', 'max-deleted-entry-id',
      'entries-added', 'recorded-first-entry-id', 'groups', 'first-entry', 'last-entry',
    ]);
    assert.equal(info['length'], 2);
    assert.equal(info['last-generated-id'], '5-1');
    assert.equal(info['max-deleted-entry-id'], '0-0');
    assert.equal(info['entries-added'], 2);
    assert.equal(info['recorded-first-entry-id'], '1-1');
    assert.equal(info['groups'], 1);
    assert.deepEqual(info['first-entry'], ['1-1', ['a', '1']]);
    assert.deepEqual(info['last-entry'], ['5-1', ['x', 'y']]);
    const groups = (await c.call('XINFO', 'GROUPS', 's')) as unknown[];
    assert.equal(groups.length, 1);
    assert.deepEqual(asMap(groups[0]), { name: 'g', consumers: 1, pending: 1, 'last-delivered-id': '1-1', 'entries-read': 1, lag: 1 });
    const consumers = ((await c.call('XINFO', 'CONSUMERS', 's', 'g')) as unknown[]).map(asMap);
    assert.equal(consumers.length, 1);
    assert.equal(consumers[0]!['name'], 'alice');
    assert.equal(consumers[0]!['pending'], 1);
    assert.equal(typeof consumers[0]!['idle'], 'number');
    await expectError(c.call('XINFO', 'STREAM', 'nokey'), 'ERR no such key');
    await expectError(c.call('XINFO', 'CONSUMERS', 's', 'nog'), "NOGROUP No such consumer group 'nog' for key name 's'");
  });
});

describe('a consumer group shared by workers on separate connections', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const ioClients: Redis[] = [];
  const nodeClients: Array<ReturnType<typeof createClient>> = [];

  const io = (protocol: 2 | 3 = 2): Redis => {
    const r = new Redis({ host: HOST, port: target.port, protocol, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    ioClients.push(r);
    return r;
  };
  const nodeRedis = async (resp: 2 | 3 = 2): Promise<ReturnType<typeof createClient>> => {
    const c = createClient({ socket: { host: HOST, port: target.port, reconnectStrategy: false }, ...(resp === 3 ? { RESP: 3 as const } : {}) });
    c.on('error', () => undefined);
    nodeClients.push(c);
    await c.connect();
    return c;
  };

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

  it('three workers share the work; one dies and XAUTOCLAIM hands its entries to another', async () => {
    const producer = await nodeRedis();
    const worker1 = io();
    const worker2 = await nodeRedis(3);
    const worker3 = io(3);
    await producer.del('jobs');
    assert.equal(await producer.xGroupCreate('jobs', 'workers', '$', { MKSTREAM: true }), 'OK');
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await producer.xAdd('jobs', '*', { job: String(i) }));

    // Each worker takes two jobs through its own library's API.
    const read1 = (await worker1.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 2, 'STREAMS', 'jobs', '>')) as Array<[string, Array<[string, string[]]>]>;
    assert.deepEqual(read1[0]![1].map(([id, fields]) => [id, fields]), [[ids[0], ['job', '1']], [ids[1], ['job', '2']]]);
    const read2 = await worker2.xReadGroup('workers', 'w2', { key: 'jobs', id: '>' }, { COUNT: 2 });
    assert.ok(read2 !== null);
    assert.deepEqual(normalizeNodeStreams(read2), { jobs: [[ids[2], { job: '3' }], [ids[3], { job: '4' }]] });
    const read3 = normalizeReadgroup(await worker3.xreadgroup('GROUP', 'workers', 'w3', 'COUNT', 2, 'STREAMS', 'jobs', '>'));
    assert.deepEqual(read3.map(([id]) => id), [ids[4], ids[5]]);

    // Workers 1 and 3 finish; worker 2 dies with its jobs unacknowledged.
    assert.equal(await worker1.xack('jobs', 'workers', ids[0]!, ids[1]!), 2);
    assert.equal(await worker3.xack('jobs', 'workers', ids[4]!, ids[5]!), 2);
    worker2.destroy();
    const pending = await producer.xPending('jobs', 'workers');
    assert.equal(pending.pending, 2);
    assert.deepEqual(pending.consumers?.map((c) => ({ ...c })), [{ name: 'w2', deliveriesCounter: 2 }]);

    // A threshold no entry has reached claims nothing; with 0 worker 3 takes over both.
    const none = (await worker3.xautoclaim('jobs', 'workers', 'w3', 3_600_000, '0-0')) as unknown[];
    assert.deepEqual(none.slice(0, 2), ['0-0', []]);
    const claimed = (await worker3.xautoclaim('jobs', 'workers', 'w3', 0, '0-0', 'COUNT', 10)) as [string, Array<[string, string[]]>, string[]];
    assert.equal(claimed[0], '0-0', 'the whole pending list was scanned');
    assert.deepEqual(claimed[1], [[ids[2], ['job', '3']], [ids[3], ['job', '4']]]);
    assert.deepEqual(claimed[2], []);
    const detail = await producer.xPendingRange('jobs', 'workers', '-', '+', 10);
    assert.deepEqual(detail.map((p) => [p.id, p.consumer, p.deliveriesCounter]), [[ids[2], 'w3', 2], [ids[3], 'w3', 2]]);
    assert.equal(await worker3.xack('jobs', 'workers', ids[2]!, ids[3]!), 2);
    assert.equal((await producer.xPending('jobs', 'workers')).pending, 0);
    const consumers = await producer.xInfoConsumers('jobs', 'workers');
    assert.deepEqual(consumers.map((c) => [c.name, c.pending]).sort(), [['w1', 0], ['w2', 0], ['w3', 0]]);
  });

  it('a blocked XREAD (ioredis) is woken by an XADD from node-redis', async () => {
    const reader = io();
    const writer = await nodeRedis();
    await writer.del('events');
    const pending = reader.xread('BLOCK', 5000, 'STREAMS', 'events', '$');
    await sleep(30);
    const id = await writer.xAdd('events', '*', { kind: 'hello' });
    assert.deepEqual(await bounded(pending, 5000, 'XREAD BLOCK'), [['events', [[id, ['kind', 'hello']]]]]);
  });

  it('a blocked XREADGROUP (node-redis, RESP3) is woken by an XADD from ioredis', async () => {
    const reader = await nodeRedis(3);
    const writer = io();
    await writer.del('tasks');
    assert.equal(await writer.xgroup('CREATE', 'tasks', 'g', '$', 'MKSTREAM'), 'OK');
    const pending = reader.xReadGroup('g', 'c1', { key: 'tasks', id: '>' }, { BLOCK: 5000 });
    await sleep(30);
    const id = await writer.xadd('tasks', '*', 'n', '1');
    const reply = normalizeNodeStreams(await bounded(pending, 5000, 'XREADGROUP BLOCK'));
    assert.deepEqual(reply, { tasks: [[id, { n: '1' }]] });
  });
});

/** ioredis XREADGROUP reply (RESP2 array or RESP3 map) for one stream as its entries. */
function normalizeReadgroup(reply: unknown): Array<[string, string[]]> {
  if (Array.isArray(reply)) return (reply[0] as [string, Array<[string, string[]]>])[1];
  if (reply instanceof Map) return [...reply.values()][0] as Array<[string, string[]]>;
  return Object.values(reply as Record<string, Array<[string, string[]]>>)[0]!;
}

/** node-redis XREAD/XREADGROUP reply (RESP2 list of {name, messages} or RESP3 map) as { stream: [[id, fields]] }. */
function normalizeNodeStreams(reply: unknown): Record<string, Array<[string, Record<string, string>]>> {
  const out: Record<string, Array<[string, Record<string, string>]>> = {};
  const messagesOf = (messages: Array<{ id: string; message: Record<string, string> }>): Array<[string, Record<string, string>]> =>
    messages.map((m) => [m.id, { ...m.message }]);
  if (Array.isArray(reply)) {
    for (const s of reply as Array<{ name: string; messages: Array<{ id: string; message: Record<string, string> }> }>) out[s.name] = messagesOf(s.messages);
    return out;
  }
  const entries = reply instanceof Map ? [...reply.entries()] : Object.entries(reply as object);
  for (const [name, messages] of entries) {
    const list = messages as Array<unknown>;
    out[String(name)] = list.map((m) => {
      if (Array.isArray(m)) {
        const [id, fields] = m as [string, string[]];
        const obj: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) obj[fields[i]!] = fields[i + 1]!;
        return [id, obj];
      }
      const mm = m as { id: string; message: Record<string, string> };
      return [mm.id, { ...mm.message }];
    });
  }
  return out;
}
