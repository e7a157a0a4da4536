// memcached connections are clients of the server like RESP ones: INFO's connected_clients
// counts them, maxclients applies to them, and the `timeout` option closes them when idle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { McTextClient, startCairnMemcached } from '../helpers/memcached.js';

async function connectedClients(port: number): Promise<number> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    const info = await r.info('clients');
    return Number(/connected_clients:(\d+)/.exec(info)![1]);
  } finally {
    r.disconnect();
  }
}

/** Polls until `check` holds (at most `ms`), for effects of connections opening and closing. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('INFO clients counts memcached connections', async () => {
  const cairn = await startCairnMemcached();
  // The embedded handle's own session and the RESP client asking are counted too.
  const before = await connectedClients(cairn.respPort);
  const a = await McTextClient.connect(cairn.port);
  const b = await McTextClient.connect(cairn.port);
  try {
    assert.equal(await a.send('mn\r\n'), 'MN\r\n');
    assert.equal(await b.send('mn\r\n'), 'MN\r\n');
    assert.ok(await eventually(async () => (await connectedClients(cairn.respPort)) === before + 2), 'two memcached connections counted');
    a.close();
    assert.ok(await eventually(async () => (await connectedClients(cairn.respPort)) === before + 1), 'a closed one is no longer counted');
  } finally {
    b.close();
    await cairn.stop();
  }
});

test('maxclients applies to memcached connections', async () => {
  const cairn = await startCairnMemcached({ config: { maxclients: '1' } });
  const a = await McTextClient.connect(cairn.port);
  try {
    assert.equal(await a.send('set k 0 0 1\r\nv\r\n'), 'STORED\r\n');
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(cairn.port, '127.0.0.1');
      let got = '';
      s.on('data', (c) => (got += c.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => {});
    });
    assert.equal(refused, 'SERVER_ERROR Too many open connections\r\n');
  } finally {
    a.close();
    await cairn.stop();
  }
});

test('the timeout option closes an idle memcached connection, not a busy one', async () => {
  const cairn = await startCairnMemcached({ config: { timeout: '1' } });
  const idle = net.connect(cairn.port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
  idle.on('error', () => {});
  const busy = await McTextClient.connect(cairn.port);
  try {
    // The busy connection sends a command every 200 ms while the idle one says nothing.
    let idleClosed = false;
    void closed.then(() => (idleClosed = true));
    for (let i = 0; i < 100 && !idleClosed; i++) {
      assert.equal(await busy.send('version\r\n').then((r) => r.startsWith('VERSION ')), true, 'the busy connection stays open');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(idleClosed, true, 'the idle connection was closed within 20 s');
    assert.equal(await busy.send('mn\r\n'), 'MN\r\n');
  } finally {
    busy.close();
    idle.destroy();
    await cairn.stop();
  }
});
