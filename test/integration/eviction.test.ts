// maxmemory with a real client: a cache workload writing five times the limit keeps being
// served, used_memory stays under maxmemory (within a small margin), keys are evicted, the most
// recently written keys survive under allkeys-lru.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startCairnProcess, type CairnServer } from '../helpers/cairn-server.js';

const MAXMEMORY = 20 * 1024 * 1024;
const VALUE = 'v'.repeat(1000);

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m !== null, `INFO has ${name}`);
  return Number(m[1]);
}

describe('maxmemory eviction over TCP (allkeys-lru)', () => {
  let server: CairnServer;
  let client: Redis;

  before(async () => {
    server = await startCairnProcess({ args: ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no', '--save', ''] });
    client = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });

  after(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('writes 5x maxmemory, keeps serving, stays under the limit and evicts', async () => {
    const total = Math.ceil((5 * MAXMEMORY) / VALUE.length);
    let peakUsed = 0;
    let peakHeap = 0;
    for (let start = 0; start < total; start += 1000) {
      const pipeline = client.pipeline();
      for (let i = start; i < Math.min(total, start + 1000); i++) pipeline.set(`cache:${i}`, VALUE);
      const results = (await pipeline.exec())!;
      for (const [err, reply] of results) {
        assert.equal(err, null);
        assert.equal(reply, 'OK');
      }
      const info = await client.info('memory');
      peakUsed = Math.max(peakUsed, infoField(info, 'used_memory'));
      peakHeap = Math.max(peakHeap, infoField(info, 'used_memory_heap'));
    }
    const info = await client.info();
    const used = infoField(info, 'used_memory');
    const evicted = infoField(info, 'evicted_keys');
    const keys = await client.dbsize();
    // One command may overshoot by the key it adds before the next eviction pass: 1%.
    assert.ok(used <= MAXMEMORY, `used_memory ${used} <= maxmemory ${MAXMEMORY}`);
    assert.ok(peakUsed <= MAXMEMORY * 1.01, `peak used_memory ${peakUsed}`);
    assert.ok(evicted > 0 && evicted + keys === total, `evicted ${evicted} + keys ${keys} = written ${total}`);
    assert.equal(await client.get(`cache:${total - 1}`), VALUE, 'the last key written survives');
    assert.equal(await client.exists('cache:0'), 0, 'the first key written is gone');
    // heapUsed is reported, not asserted: without a forced GC it includes the garbage of the
    // pipelines (request buffers, argv arrays), which V8 collects when it sees fit.
    console.log(`# eviction: written=${total} keys=${keys} evicted=${evicted} used_memory=${used} (${((used / MAXMEMORY) * 100).toFixed(1)}% of maxmemory), peak used_memory=${peakUsed}, peak heapUsed=${peakHeap}`);
  });

  it('noeviction refuses writes with OOM and keeps reads working', async () => {
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    await client.config('SET', 'maxmemory', '1mb'); // below what is stored now
    await assert.rejects(client.set('more', VALUE), (e: Error) => e.message === "OOM command not allowed when used memory > 'maxmemory'.");
    const keys = await client.dbsize();
    assert.ok(keys > 0);
    assert.deepEqual(await client.config('GET', 'maxmemory'), ['maxmemory', '1048576']);
    await client.config('SET', 'maxmemory', '0');
    assert.equal(await client.set('more', VALUE), 'OK');
  });
});
