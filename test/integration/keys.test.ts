// Key space and database commands through every driver.
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError } from '../helpers/drivers.js';

const sorted = (v: unknown): string[] => [...(v as string[])].sort();

describeEachDriver('keys', {}, ({ client }) => {
  it('DEL, UNLINK, EXISTS count every key named, duplicates included', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3'), 'OK');
    assert.equal(await c.call('EXISTS', 'a', 'a', 'nope', 'b'), 3);
    assert.equal(await c.call('DEL', 'a', 'nope'), 1);
    assert.equal(await c.call('UNLINK', 'b', 'c', 'b'), 2);
    assert.equal(await c.call('EXISTS', 'a', 'b', 'c'), 0);
    assert.equal(await c.call('DEL', 'a'), 0);
  });

  it('TYPE', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'v'), 'OK');
    assert.equal(await c.call('TYPE', 's'), 'string');
    assert.equal(await c.call('TYPE', 'missing'), 'none');
  });

  it('RENAME and RENAMENX', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'src', 'v', 'EX', '100'), 'OK');
    assert.equal(await c.call('RENAME', 'src', 'dst'), 'OK');
    assert.equal(await c.call('GET', 'dst'), 'v');
    assert.equal(await c.call('EXISTS', 'src'), 0);
    assert.ok(((await c.call('TTL', 'dst')) as number) > 90, 'RENAME keeps the TTL');
    assert.equal(await c.call('RENAME', 'dst', 'dst'), 'OK');
    await expectError(c.call('RENAME', 'missing', 'x'), 'ERR no such key');
    await expectError(c.call('RENAMENX', 'missing', 'x'), 'ERR no such key');
    assert.equal(await c.call('SET', 'other', 'o'), 'OK');
    assert.equal(await c.call('RENAMENX', 'dst', 'other'), 0);
    assert.equal(await c.call('RENAMENX', 'dst', 'third'), 1);
    assert.equal(await c.call('GET', 'third'), 'v');
  });

  it('KEYS with glob patterns', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6'), 'OK');
    assert.deepEqual(sorted(await c.call('KEYS', 'h?llo')), ['h*llo', 'hallo', 'hello', 'hxllo']);
    assert.deepEqual(sorted(await c.call('KEYS', 'h*llo')), ['h*llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    assert.deepEqual(sorted(await c.call('KEYS', 'h[ae]llo')), ['hallo', 'hello']);
    assert.deepEqual(sorted(await c.call('KEYS', 'h[^e]llo')), ['h*llo', 'hallo', 'hxllo']);
    assert.deepEqual(sorted(await c.call('KEYS', 'h[a-b]llo')), ['hallo']);
    assert.deepEqual(sorted(await c.call('KEYS', 'h\\*llo')), ['h*llo']);
    assert.deepEqual(await c.call('KEYS', 'zzz*'), []);
    assert.equal(((await c.call('KEYS', '*')) as string[]).length, 6);
  });

  it('SCAN visits every key, with MATCH, COUNT and TYPE', async () => {
    const c = client();
    const all: string[] = [];
    for (let i = 0; i < 250; i++) all.push(`key:${i}`);
    const msetArgs = all.flatMap((k) => [k, 'v']);
    assert.equal(await c.call('MSET', ...msetArgs), 'OK');
    const seen = new Set<string>();
    let cursor = '0';
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const [next, keys] = (await c.call('SCAN', cursor, 'COUNT', '17')) as [string, string[]];
      for (const k of keys) seen.add(k);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.equal(cursor, '0', 'the scan finished');
    assert.deepEqual([...seen].sort(), [...all].sort());

    const matched = new Set<string>();
    cursor = '0';
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const [next, keys] = (await c.call('SCAN', cursor, 'MATCH', 'key:1?', 'COUNT', '1000')) as [string, string[]];
      for (const k of keys) matched.add(k);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.deepEqual([...matched].sort(), ['key:10', 'key:11', 'key:12', 'key:13', 'key:14', 'key:15', 'key:16', 'key:17', 'key:18', 'key:19']);

    const [, strings] = (await c.call('SCAN', '0', 'COUNT', '1000', 'TYPE', 'string')) as [string, string[]];
    assert.ok(strings.length > 0);
    const [, lists] = (await c.call('SCAN', '0', 'COUNT', '1000', 'TYPE', 'list')) as [string, string[]];
    assert.deepEqual(lists, []);
    await expectError(c.call('SCAN', 'notanumber'), 'ERR invalid cursor');
    await expectError(c.call('SCAN', '0', 'COUNT', '0'), 'ERR syntax error');
  });

  it('RANDOMKEY and DBSIZE', async () => {
    const c = client();
    assert.equal(await c.call('RANDOMKEY'), null);
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3'), 'OK');
    assert.equal(await c.call('DBSIZE'), 3);
    for (let i = 0; i < 10; i++) assert.ok(['a', 'b', 'c'].includes((await c.call('RANDOMKEY')) as string));
  });

  it('SELECT, MOVE and SWAPDB keep databases apart', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'zero'), 'OK');
    assert.equal(await c.call('MOVE', 'k', '1'), 1);
    assert.equal(await c.call('EXISTS', 'k'), 0);
    assert.equal(await c.call('SELECT', '1'), 'OK');
    assert.equal(await c.call('GET', 'k'), 'zero');
    assert.equal(await c.call('SET', 'k2', 'one'), 'OK');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(await c.call('SET', 'k2', 'mine'), 'OK');
    assert.equal(await c.call('MOVE', 'k2', '1'), 0, 'MOVE does not overwrite');
    assert.equal(await c.call('MOVE', 'missing', '1'), 0);
    await expectError(c.call('MOVE', 'k2', '0'), 'ERR source and destination objects are the same');
    await expectError(c.call('MOVE', 'k2', '99'), 'ERR DB index is out of range');
    assert.equal(await c.call('SWAPDB', '0', '1'), 'OK');
    assert.equal(await c.call('GET', 'k'), 'zero');
    assert.equal(await c.call('GET', 'k2'), 'one');
    assert.equal(await c.call('SELECT', '1'), 'OK');
    assert.equal(await c.call('GET', 'k2'), 'mine');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    await expectError(c.call('SWAPDB', '0', '16'), 'ERR DB index is out of range');
    await expectError(c.call('SWAPDB', 'a', '1'), 'ERR invalid first DB index');
    await expectError(c.call('SWAPDB', '0', 'b'), 'ERR invalid second DB index');
  });

  it('COPY', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'src', 'v', 'EX', '100'), 'OK');
    assert.equal(await c.call('COPY', 'src', 'dst'), 1);
    assert.equal(await c.call('GET', 'dst'), 'v');
    assert.ok(((await c.call('TTL', 'dst')) as number) > 90, 'COPY copies the TTL');
    assert.equal(await c.call('SET', 'src', 'v2'), 'OK');
    assert.equal(await c.call('GET', 'dst'), 'v', 'the copy is independent');
    assert.equal(await c.call('COPY', 'src', 'dst'), 0);
    assert.equal(await c.call('COPY', 'src', 'dst', 'REPLACE'), 1);
    assert.equal(await c.call('GET', 'dst'), 'v2');
    assert.equal(await c.call('COPY', 'missing', 'x'), 0);
    await expectError(c.call('COPY', 'src', 'src'), 'ERR source and destination objects are the same');
    assert.equal(await c.call('COPY', 'src', 'there', 'DB', '2'), 1);
    assert.equal(await c.call('SELECT', '2'), 'OK');
    assert.equal(await c.call('GET', 'there'), 'v2');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    await expectError(c.call('COPY', 'src', 'dst', 'BOGUS'), 'ERR syntax error');
  });

  it('FLUSHDB empties the selected database only; FLUSHALL all of them', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'zero', '0'), 'OK');
    assert.equal(await c.call('SELECT', '3'), 'OK');
    assert.equal(await c.call('SET', 'three', '3'), 'OK');
    assert.equal(await c.call('FLUSHDB'), 'OK');
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('SET', 'three', '3'), 'OK');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(await c.call('DBSIZE'), 1);
    assert.equal(await c.call('FLUSHALL', 'ASYNC'), 'OK');
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('SELECT', '3'), 'OK');
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(await c.call('FLUSHDB', 'SYNC'), 'OK');
    await expectError(c.call('FLUSHDB', 'LATER'), 'ERR syntax error');
  });

  it('TOUCH and OBJECT', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'int', '12345', 'short', 'hello', 'long', 'x'.repeat(50)), 'OK');
    assert.equal(await c.call('TOUCH', 'int', 'short', 'missing'), 2);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'int'), 'int');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'short'), 'embstr');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'long'), 'raw');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'missing'), null);
    assert.equal(await c.call('APPEND', 'short', '!'), 6);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'short'), 'raw', 'APPEND makes a raw string');
    const idle = (await c.call('OBJECT', 'IDLETIME', 'int')) as number;
    assert.ok(Number.isInteger(idle) && idle >= 0 && idle < 60);
    await expectError(c.call('OBJECT', 'NOSUCH', 'int'), "ERR unknown subcommand 'NOSUCH'. Try OBJECT HELP.");
  });
});
