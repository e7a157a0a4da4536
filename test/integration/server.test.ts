// Server commands (INFO, CONFIG, COMMAND, TIME, DBSIZE, CLIENT, SLOWLOG, MONITOR) through every driver.
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  asMap,
  closeIoredis,
  describeEachDriver,
  driverKinds,
  expectError,
  HOST,
  ORACLE_MODE,
  sleep,
  startTarget,
  SUITE_TIMEOUT_MS,
  type Target,
} from '../helpers/drivers.js';

/** INFO text as { section: { field: value } }, section names lower-cased. */
function parseInfo(text: unknown): Record<string, Record<string, string>> {
  assert.equal(typeof text, 'string', `INFO replies with text: ${JSON.stringify(text)}`);
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | null = null;
  for (const line of (text as string).split('\r\n')) {
    if (line === '') continue;
    if (line.startsWith('# ')) {
      current = {};
      sections[line.slice(2).toLowerCase()] = current;
      continue;
    }
    const colon = line.indexOf(':');
    assert.ok(current !== null && colon > 0, `INFO line outside a section or without a colon: ${JSON.stringify(line)}`);
    current[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return sections;
}

/** CLIENT LIST / CLIENT INFO line as { field: value }. */
function parseClientLine(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of line.trim().split(' ')) {
    const eq = pair.indexOf('=');
    assert.ok(eq > 0, `client field ${JSON.stringify(pair)}`);
    fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return fields;
}

describeEachDriver('server', {}, ({ kind, client, connect }) => {
  it('INFO has the standard sections and fields', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'a', '1'), 'OK');
    assert.equal(await c.call('SET', 'b', '2', 'EX', '1000'), 'OK');
    const info = parseInfo(await c.call('INFO'));
    for (const section of ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'keyspace']) {
      assert.ok(section in info, `INFO has a ${section} section (got ${Object.keys(info).join(', ')})`);
    }
    assert.match(info['server']!['redis_version']!, /^\d+\.\d+\.\d+$/);
    assert.match(info['server']!['uptime_in_seconds']!, /^\d+$/);
    assert.ok(Number(info['clients']!['connected_clients']) >= 1);
    assert.match(info['memory']!['used_memory']!, /^\d+$/);
    assert.match(info['stats']!['total_commands_processed']!, /^\d+$/);
    assert.equal(info['replication']!['role'], 'master');
    assert.match(info['keyspace']!['db0']!, /^keys=2,expires=1,avg_ttl=\d+$/);
  });

  it('INFO with section names returns just those sections', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'a', '1'), 'OK');
    assert.deepEqual(Object.keys(parseInfo(await c.call('INFO', 'keyspace'))), ['keyspace']);
    assert.deepEqual(Object.keys(parseInfo(await c.call('INFO', 'server', 'clients'))), ['server', 'clients']);
    assert.deepEqual(Object.keys(parseInfo(await c.call('INFO', 'nosuchsection'))), []);
    const all = parseInfo(await c.call('INFO', 'all'));
    assert.ok('commandstats' in all, 'INFO all includes commandstats');
    assert.match(all['commandstats']!['cmdstat_set']!, /^calls=\d+,usec=\d+,usec_per_call=[\d.]+,rejected_calls=\d+,failed_calls=\d+$/);
  });

  it('CONFIG GET and CONFIG SET round trip', async () => {
    const c = client();
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'maxclients')), { maxclients: '10000' });
    assert.equal(await c.call('CONFIG', 'SET', 'maxclients', '500'), 'OK');
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'maxclients')), { maxclients: '500' });
    assert.equal(await c.call('CONFIG', 'SET', 'timeout', '0', 'maxclients', '600'), 'OK');
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'maxclients', 'timeout')), { maxclients: '600', timeout: '0' });
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'slowlog*')), { 'slowlog-log-slower-than': '10000', 'slowlog-max-len': '128' });
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'nosuch')), {});
    await expectError(c.call('CONFIG', 'SET', 'nosuch', '1'), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    await expectError(
      c.call('CONFIG', 'SET', 'maxclients', 'abc'),
      "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
    );
    assert.deepEqual(asMap(await c.call('CONFIG', 'GET', 'maxclients')), { maxclients: '600' }, 'a refused CONFIG SET changes nothing');
    assert.equal(await c.call('CONFIG', 'SET', 'maxclients', '10000'), 'OK');
    assert.equal(await c.call('CONFIG', 'RESETSTAT'), 'OK');
  });

  it('COMMAND COUNT, COMMAND INFO, COMMAND GETKEYS', async () => {
    const c = client();
    const count = (await c.call('COMMAND', 'COUNT')) as number;
    assert.ok(Number.isInteger(count) && count > 0, `COMMAND COUNT ${count}`);
    const [get, missing] = (await c.call('COMMAND', 'INFO', 'get', 'nosuchcommand')) as [unknown[], unknown];
    assert.equal(missing, null);
    assert.equal(get.length, 10);
    assert.deepEqual(get.slice(0, 7), ['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast']]);
    assert.deepEqual(get[7], [], 'tips');
    const keySpecs = get[8] as unknown[];
    assert.equal(keySpecs.length, 1);
    const spec = asMap(keySpecs[0]);
    assert.deepEqual(spec['flags'], ['RO', 'access']);
    assert.deepEqual(asMap(spec['begin_search'])['type'], 'index');
    assert.deepEqual(asMap(asMap(spec['begin_search'])['spec']), { index: 1 });
    assert.deepEqual(asMap(spec['find_keys'])['type'], 'range');
    assert.deepEqual(asMap(asMap(spec['find_keys'])['spec']), { lastkey: 0, keystep: 1, limit: 0 });
    assert.deepEqual(get[9], [], 'subcommands');
    const [set] = (await c.call('COMMAND', 'INFO', 'SET')) as [unknown[]];
    assert.deepEqual(set.slice(0, 7), ['set', -3, ['write', 'denyoom'], 1, 1, 1, ['@write', '@string', '@slow']]);
    assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'SET', 'a', 'b'), ['a']);
    assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'), ['a', 'b']);
  });

  it('TIME and DBSIZE', async () => {
    const c = client();
    const [secs, micros] = (await c.call('TIME')) as [string, string];
    assert.match(secs, /^\d+$/);
    assert.match(micros, /^\d+$/);
    assert.ok(Number(micros) < 1_000_000);
    assert.ok(Math.abs(Number(secs) - Date.now() / 1000) < 60, 'TIME is the wall clock');
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3'), 'OK');
    assert.equal(await c.call('DBSIZE'), 3);
    assert.equal(await c.call('SELECT', '1'), 'OK');
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('SELECT', '0'), 'OK');
  });

  it('CLIENT SETNAME, GETNAME, ID, INFO, LIST', async () => {
    const c = client();
    assert.equal(await c.call('CLIENT', 'GETNAME'), null);
    assert.equal(await c.call('CLIENT', 'SETNAME', 'worker-1'), 'OK');
    assert.equal(await c.call('CLIENT', 'GETNAME'), 'worker-1');
    await expectError(c.call('CLIENT', 'SETNAME', 'has space'), 'ERR Client names cannot contain spaces, newlines or special characters.');
    await expectError(c.call('CLIENT', 'SETNAME', 'new\nline'), 'ERR Client names cannot contain spaces, newlines or special characters.');
    assert.equal(await c.call('CLIENT', 'GETNAME'), 'worker-1');
    const id = (await c.call('CLIENT', 'ID')) as number;
    assert.ok(Number.isInteger(id) && id > 0);

    const info = parseClientLine((await c.call('CLIENT', 'INFO')) as string);
    assert.equal(info['id'], String(id));
    assert.equal(info['name'], 'worker-1');
    assert.equal(info['db'], '0');
    assert.equal(info['cmd'], 'client|info');
    if (kind.network) assert.match(info['addr']!, /^127\.0\.0\.1:\d+$/);

    const other = await connect();
    assert.equal(await other.call('CLIENT', 'SETNAME', 'worker-2'), 'OK');
    const listText = (await c.call('CLIENT', 'LIST')) as string;
    assert.ok(listText.endsWith('\n'), 'CLIENT LIST ends each line with a newline');
    const list = listText.trim().split('\n').map(parseClientLine);
    assert.deepEqual(list.find((l) => l['id'] === String(id))?.['name'], 'worker-1');
    assert.ok(list.some((l) => l['name'] === 'worker-2'));
    const byId = ((await c.call('CLIENT', 'LIST', 'ID', String(id))) as string).trim().split('\n');
    assert.equal(byId.length, 1);
    assert.equal(parseClientLine(byId[0]!)['name'], 'worker-1');
    assert.equal(await c.call('CLIENT', 'SETNAME', ''), 'OK', 'an empty name clears it');
    assert.equal(await c.call('CLIENT', 'GETNAME'), null);
    await expectError(c.call('CLIENT', 'NOSUCH'), "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.");
    await other.close();
  });

  it('CLIENT SETINFO records the library name and version (as Redis 7.2, which node-redis v5 and ioredis 6 expect)', { skip: ORACLE_MODE && 'redis-server 7.0 has no CLIENT SETINFO' }, async () => {
    const c = client();
    if (kind.network) {
      // The libraries send CLIENT SETINFO themselves while connecting.
      const info = parseClientLine((await c.call('CLIENT', 'INFO')) as string);
      assert.equal(info['lib-name'], kind.name.startsWith('ioredis') ? 'ioredis' : 'node-redis');
      assert.match(info['lib-ver']!, /^\d+\.\d+\.\d+/);
    }
    assert.equal(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'my-lib'), 'OK');
    assert.equal(await c.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3'), 'OK');
    const info = parseClientLine((await c.call('CLIENT', 'INFO')) as string);
    assert.equal(info['lib-name'], 'my-lib');
    assert.equal(info['lib-ver'], '1.2.3');
    await expectError(c.call('CLIENT', 'SETINFO', 'lib-name', 'with space'), 'ERR lib-name cannot contain spaces, newlines or special characters.');
    await expectError(c.call('CLIENT', 'SETINFO', 'COLOR', 'red'), "ERR Unrecognized option 'COLOR'");
  });

  it('CLIENT KILL ID closes another connection', { skip: !kind.network && 'the embedded session is not a connection' }, async () => {
    const c = client();
    const victim = await connect();
    const victimId = (await victim.call('CLIENT', 'ID')) as number;
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', String(victimId)), 1);
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', String(victimId)), 0);
    await assert.rejects(victim.call('PING'));
    await victim.close();
  });

  it('SLOWLOG with slowlog-log-slower-than 0 records every command', async () => {
    const c = client();
    assert.equal(await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0'), 'OK');
    assert.equal(await c.call('SLOWLOG', 'RESET'), 'OK');
    assert.equal(await c.call('SET', 'slow-key', 'slow-value'), 'OK');
    assert.ok(((await c.call('SLOWLOG', 'LEN')) as number) >= 1);
    const entries = (await c.call('SLOWLOG', 'GET')) as unknown[][];
    const entry = entries.find((e) => JSON.stringify(e[3]) === JSON.stringify(['SET', 'slow-key', 'slow-value']));
    assert.ok(entry !== undefined, `an entry for SET: ${JSON.stringify(entries)}`);
    assert.equal(entry.length, 6);
    const [id, timestamp, micros, , addr, name] = entry;
    assert.ok(Number.isInteger(id) && Number.isInteger(micros) && (micros as number) >= 0);
    assert.ok(Math.abs((timestamp as number) - Date.now() / 1000) < 60);
    if (kind.network) assert.match(addr as string, /^127\.0\.0\.1:\d+$/);
    assert.equal(name, '');
    assert.equal(((await c.call('SLOWLOG', 'GET', '1')) as unknown[]).length, 1);
    assert.equal(await c.call('SLOWLOG', 'RESET'), 'OK');
    assert.equal(await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1'), 'OK');
    assert.equal(await c.call('SET', 'unlogged', 'v'), 'OK');
    assert.equal(await c.call('SLOWLOG', 'LEN'), 1, 'only the CONFIG SET that turned it off was logged');
    assert.equal(await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000'), 'OK');
  });
});

describe('MONITOR through ioredis', { skip: driverKinds((k) => k.network).length === 0, timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    await target.close();
  });

  it("a monitor sees another client's commands", async () => {
    const redis = new Redis({ host: HOST, port: target.port, retryStrategy: () => null });
    const writer = new Redis({ host: HOST, port: target.port, retryStrategy: () => null });
    redis.on('error', () => undefined);
    writer.on('error', () => undefined);
    const monitor = await redis.monitor();
    monitor.on('error', () => undefined);
    try {
      const seen: Array<{ time: string; args: string[]; source: string; database: string }> = [];
      monitor.on('monitor', (time: string, args: string[], source: string, database: string) => seen.push({ time, args, source, database }));
      await writer.set('monitored-key', 'monitored value');
      await writer.get('monitored-key');
      const deadline = Date.now() + 5000;
      while (seen.filter((s) => s.args[1] === 'monitored-key').length < 2 && Date.now() < deadline) await sleep(20);
      const ours = seen.filter((s) => s.args[1] === 'monitored-key');
      assert.deepEqual(
        ours.map((s) => s.args),
        [
          ['set', 'monitored-key', 'monitored value'],
          ['get', 'monitored-key'],
        ],
      );
      assert.match(ours[0]!.time, /^\d+\.\d{6}$/);
      assert.equal(ours[0]!.database, '0');
      assert.match(ours[0]!.source, /^127\.0\.0\.1:\d+$/);
    } finally {
      monitor.disconnect();
      await closeIoredis(writer);
      await closeIoredis(redis);
    }
  });
});
