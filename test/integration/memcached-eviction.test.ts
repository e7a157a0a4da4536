// memcached as a cache on Cairn: with maxmemory and allkeys-lru every store succeeds and old
// items make room, as in memcached; with noeviction a store that does not fit gets memcached's
// out-of-memory line and nothing is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { McTextClient, startCairnMemcached } from '../helpers/memcached.js';

const ITEMS = 3000;
const VALUE = 'v'.repeat(1024);

async function fill(client: McTextClient): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i < ITEMS; i++) replies.push(await client.send(`set item:${i} 0 0 ${VALUE.length}\r\n${VALUE}\r\n`));
  return replies;
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m !== null, `INFO has ${name}`);
  return Number(m[1]);
}

test('allkeys-lru: every store succeeds and the oldest items are evicted', { timeout: 60_000 }, async () => {
  const server = await startCairnMemcached({ config: { maxmemory: '1mb', 'maxmemory-policy': 'allkeys-lru' } });
  const client = await McTextClient.connect(server.port);
  try {
    const replies = await fill(client);
    assert.deepEqual([...new Set(replies)], ['STORED\r\n']);
    const evicted = infoField(String(server.db.command('INFO', 'stats')), 'evicted_keys');
    const kept = Number(server.db.command('DBSIZE'));
    assert.ok(evicted > 0, 'items were evicted');
    assert.equal(kept + evicted, ITEMS, 'each item is either kept or counted as evicted');
    assert.equal(await client.send(`get item:${ITEMS - 1}\r\n`), `VALUE item:${ITEMS - 1} 0 ${VALUE.length}\r\n${VALUE}\r\nEND\r\n`, 'the newest item is there');
  } finally {
    client.close();
    await server.stop();
  }
});

test('noeviction: a store that does not fit is refused with memcached\'s out-of-memory line', { timeout: 60_000 }, async () => {
  const server = await startCairnMemcached({ config: { maxmemory: '1mb', 'maxmemory-policy': 'noeviction' } });
  const client = await McTextClient.connect(server.port);
  try {
    const replies = await fill(client);
    const stored = replies.filter((r) => r === 'STORED\r\n').length;
    assert.ok(stored > 0 && stored < ITEMS, `some stores fit and some did not (${stored} stored)`);
    assert.deepEqual([...new Set(replies.slice(stored))], ['SERVER_ERROR out of memory storing object\r\n']);
    assert.equal(Number(server.db.command('DBSIZE')), stored, 'nothing stored was lost');
    assert.equal(await client.send('get item:0\r\n'), `VALUE item:0 0 ${VALUE.length}\r\n${VALUE}\r\nEND\r\n`);
  } finally {
    client.close();
    await server.stop();
  }
});
