// libmemcached's command-line tools (Debian libmemcached-tools: memccp, memccat, memcrm,
// memcflush, memcstat, memctouch) against Cairn's memcached listener, in text and binary mode.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCairnMemcached, type CairnMemcached } from '../helpers/memcached.js';

let cairn: CairnMemcached;
let dir: string;

before(async () => {
  cairn = await startCairnMemcached();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-memc-'));
});

after(async () => {
  await cairn.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(tool: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, [`--servers=127.0.0.1:${cairn.port}`, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

for (const binary of [false, true]) {
  const mode = binary ? ['--binary'] : [];
  test(`memccp, memccat, memctouch, memcrm, memcflush (${binary ? 'binary' : 'text'} protocol)`, async () => {
    const file = path.join(dir, `greeting-${binary ? 'b' : 't'}.txt`);
    writeFileSync(file, 'hello from a file\n');
    const key = path.basename(file);
    assert.equal((await run('memccp', [...mode, '--flags=7', file])).code, 0);
    const cat = await run('memccat', [...mode, key]);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'hello from a file\n\n', 'memccat prints a newline after each value');
    assert.equal((cairn.db.command('MCMETA', key) as number[])[0], 7);
    assert.equal((await run('memctouch', [...mode, '--expire=300', key])).code, 0);
    const ttl = Number(cairn.db.command('TTL', key));
    assert.ok(ttl > 290 && ttl <= 300, `TTL ${ttl}`);
    assert.equal((await run('memcrm', [...mode, key])).code, 0);
    assert.equal(cairn.db.command('EXISTS', key), 0);
    assert.notEqual((await run('memccat', [...mode, key])).code, 0, 'a missing key is an error for memccat');
    cairn.db.command('SET', 'cli:x', 'v');
    assert.equal((await run('memcflush', [...mode])).code, 0);
    assert.equal(cairn.db.command('DBSIZE'), 0);
  });
}

test('memcstat reads the general statistics', async () => {
  const r = await run('memcstat', []);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /version: 1\.6\.18/);
  assert.match(r.stdout, /curr_connections: \d+/);
  assert.match(r.stdout, /cmd_get: \d+/);
});
