// SHUTDOWN NOSAVE stops a server busy with a runaway script that wrote (the one way out Redis
// leaves), and plain SHUTDOWN is refused with -BUSY meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCairnIn } from '../helpers/cairn-process.js';
import { RespClient, show } from '../helpers/resp-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SHUTDOWN NOSAVE ends a server stuck in an unkillable script; SHUTDOWN alone is refused', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-busy-shutdown-'));
  const server = await startCairnIn(dir, ['--busy-reply-threshold', '100', '--appendonly', 'no', '--save', '']);
  const runner = await RespClient.connect(server.port, { timeoutMs: 30_000 });
  const other = await RespClient.connect(server.port);
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  try {
    void runner.send('EVAL', "redis.call('set', 'k', 'v') while true do end", '0').catch(() => undefined);
    let reply = '';
    for (let i = 0; i < 100 && !reply.startsWith('-BUSY'); i++) {
      await sleep(50);
      reply = show(await other.send('PING'));
    }
    assert.match(reply, /^-BUSY /);
    assert.match(show(await other.send('SCRIPT', 'KILL')), /^-UNKILLABLE /);
    assert.match(show(await other.send('SHUTDOWN')), /^-BUSY /);
    void other.send('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    const code = await Promise.race([exited, sleep(20_000).then(() => 'still running' as const)]);
    assert.equal(code, 0, 'the server exits cleanly on SHUTDOWN NOSAVE');
  } finally {
    runner.close();
    other.close();
    if (server.child.exitCode === null) await server.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
});
