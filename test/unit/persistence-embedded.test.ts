// Embedded mode: nothing touches the disk unless open() is given a data folder; with one, the
// data set is loaded synchronously by open() and survives close() and a new open().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from '../../src/embedded.js';

test('without a dir, an embedded instance writes nothing and SAVE says persistence is off', async () => {
  const cwd = process.cwd();
  const before = existsSync(path.join(cwd, 'data')) ? readdirSync(path.join(cwd, 'data')).length : -1;
  const db = open({ seed: 1 });
  db.command('SET', 'k', 'v');
  assert.throws(() => db.command('SAVE'), /persistence is off/);
  assert.match(String(db.command('INFO', 'persistence')), /aof_enabled:0/);
  await db.close();
  const after = existsSync(path.join(cwd, 'data')) ? readdirSync(path.join(cwd, 'data')).length : -1;
  assert.equal(after, before);
});

test('with a dir, the data set survives close and reopen (log and snapshot)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-embedded-'));
  try {
    const db = open({ dir, config: { appendfsync: 'always' } });
    db.command('SET', 'greeting', 'hello');
    db.command('SADD', 'tags', 'a', 'b');
    await db.close();
    const again = open({ dir });
    assert.equal(again.command('GET', 'greeting'), 'hello');
    assert.deepEqual([...(again.command('SMEMBERS', 'tags') as Set<string>)].sort(), ['a', 'b']);
    assert.equal(again.command('SAVE'), 'OK');
    await again.close();
    assert.ok(existsSync(path.join(dir, 'dump.rdb')));
    assert.ok(existsSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')));
    const snapshotOnly = open({ dir, config: { appendonly: 'no' } });
    assert.equal(snapshotOnly.command('GET', 'greeting'), 'hello');
    await snapshotOnly.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
