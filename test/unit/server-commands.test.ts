// Server-level commands on the in-process engine: INFO, CONFIG, COMMAND, TIME, LASTSAVE, SLOWLOG,
// LATENCY, MEMORY, DEBUG, MONITOR, SHUTDOWN. Byte-exact expectations (RESP encodings, HELP texts,
// error texts) were recorded from redis-server 7.0.15.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPTIONS } from '../../src/server/config.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { ReplyKind, NO_REPLY } from '../../src/core/reply.js';
import { ReplyBuffer } from '../../src/protocols/resp/encoder.js';
import { decodeReply } from '../../src/server/decode.js';
import { aclCategories } from '../../src/core/commands/registry.js';
import { parseConfigText } from '../../src/server/config.js';
import { rewriteConfigText } from '../../src/server/config-rewrite.js';
import { bytesToHuman, formatFixed } from '../../src/server/info.js';
import { LatencyMonitor } from '../../src/server/latency.js';
import type { ShutdownRequest } from '../../src/server/engine.js';

/** The bytes a RESP2 (or RESP3) client would receive for a command run on the default session. */
function wire(t: TestEngine, resp: 2 | 3, ...args: string[]): string {
  const out = new ReplyBuffer();
  out.write(t.raw(...args), resp);
  return out.take().toString('latin1');
}

/** INFO text as { section: { field: value } }. */
function parseInfo(text: unknown): Record<string, Record<string, string>> {
  assert.equal(typeof text, 'string');
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | null = null;
  for (const line of (text as string).split('\r\n')) {
    if (line === '') continue;
    if (line.startsWith('# ')) {
      section = {};
      out[line.slice(2).toLowerCase()] = section;
      continue;
    }
    assert.ok(section !== null, `line outside a section: ${line}`);
    const colon = line.indexOf(':');
    section[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

/** A decoded reply as a RESP2 client sees it: maps as flat arrays, sets as arrays. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()].flatMap(([k, v]) => [plain(k), plain(v)]);
  if (value instanceof Set) return [...value].map(plain);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** t.run with maps and sets flattened (CONFIG GET, COMMAND INFO, COMMAND DOCS). */
function run2(t: TestEngine, ...args: string[]): unknown {
  return plain(t.run(...args));
}

function debugEngine(): TestEngine {
  const t = testEngine({ config: { 'enable-debug-command': 'yes' } });
  // DEBUG SLEEP moves the manual clock instead of blocking the test.
  t.engine.hooks.sleep = (ms) => t.clock.advance(ms);
  return t;
}

describe('INFO', () => {
  test('default sections in Redis order, CRLF lines, verbatim in RESP3 and bulk in RESP2', () => {
    const t = testEngine();
    const raw = t.raw('INFO');
    assert.equal(raw.k, ReplyKind.Verbatim);
    const text = raw.v as string;
    const headers = text.split('\r\n').filter((l) => l.startsWith('# '));
    assert.deepEqual(headers, ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace']);
    assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
    assert.match(wire(t, 3, 'INFO', 'cluster'), /^=\d+\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n$/);
    assert.equal(wire(t, 2, 'INFO', 'keyspace'), '$12\r\n# Keyspace\r\n\r\n', 'an empty section is its header');
    assert.equal(wire(t, 2, 'INFO', 'nosuchsection'), '$0\r\n\r\n');
  });

  test('sections are printed in Redis order whatever the argument order; all and everything add commandstats', () => {
    const t = testEngine();
    const text = t.run('INFO', 'KEYSPACE', 'cluster') as string;
    assert.equal(text, '# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n');
    assert.ok('commandstats' in parseInfo(t.run('INFO', 'all')));
    assert.ok('commandstats' in parseInfo(t.run('INFO', 'everything')));
    assert.ok(!('commandstats' in parseInfo(t.run('INFO'))));
    assert.deepEqual(Object.keys(parseInfo(t.run('INFO', 'default', 'commandstats'))).length, 12);
  });

  test('server, clients, persistence, replication and cluster fields', () => {
    const t = testEngine();
    t.session();
    t.clock.advance(90_000);
    assert.equal(t.run('SET', 'k', 'v'), 'OK');
    const info = parseInfo(t.run('INFO'));
    assert.equal(info.server!['redis_version'], '7.0.15');
    assert.equal(info.server!['cairn_version'], '0.1.0');
    assert.equal(info.server!['redis_mode'], 'standalone');
    assert.equal(info.server!['uptime_in_seconds'], '90');
    assert.equal(info.server!['uptime_in_days'], '0');
    assert.equal(info.server!['hz'], '10');
    assert.equal(info.server!['server_time_usec'], String(t.clock.nowMicros()));
    assert.equal(info.server!['run_id'], '0'.repeat(40));
    assert.equal(info.clients!['connected_clients'], '2');
    assert.equal(info.clients!['maxclients'], '10000');
    assert.equal(info.persistence!['loading'], '0');
    assert.equal(info.persistence!['rdb_changes_since_last_save'], '1');
    assert.equal(info.persistence!['rdb_last_save_time'], String(t.engine.lastSaveUnix));
    assert.equal(info.persistence!['aof_enabled'], '0');
    assert.equal(info.replication!['role'], 'master');
    assert.equal(info.replication!['connected_slaves'], '0');
    assert.equal(info.replication!['master_repl_offset'], '0');
    assert.equal(info.cluster!['cluster_enabled'], '0');
    assert.equal(info.memory!['maxmemory'], '0');
    assert.equal(info.memory!['maxmemory_policy'], 'noeviction');
  });

  test('memory and cpu come from the shell hooks, zeros without them', () => {
    const t = testEngine();
    let info = parseInfo(t.run('INFO', 'memory', 'cpu'));
    assert.equal(info.memory!['used_memory'], '0');
    assert.equal(info.memory!['used_memory_human'], '0B');
    assert.equal(info.cpu!['used_cpu_user'], '0.000000');
    t.engine.hooks.memory = () => ({ heapUsed: 1_237_304, rss: 12_435_456 });
    t.engine.hooks.cpu = () => ({ user: 33_128, system: 1_082_799 });
    info = parseInfo(t.run('INFO', 'memory', 'cpu'));
    // used_memory is the accounted estimate (empty key space, no baseline); the heap is reported beside it.
    assert.equal(info.memory!['used_memory'], '0');
    assert.equal(info.memory!['used_memory_heap'], '1237304');
    assert.equal(info.memory!['used_memory_rss_human'], '11.86M');
    assert.equal(info.cpu!['used_cpu_user'], '0.033128');
    assert.equal(info.cpu!['used_cpu_sys'], '1.082799');
    assert.equal(info.cpu!['used_cpu_sys_children'], '0.000000');
  });

  test('stats count commands, connections, hits, misses, errors; instantaneous rates come from cron', () => {
    const t = testEngine();
    t.run('GET', 'missing');
    t.run('SET', 'k', 'v');
    t.run('GET', 'k');
    t.run('NOSUCHCOMMAND');
    let stats = parseInfo(t.run('INFO', 'stats')).stats!;
    assert.equal(stats['total_commands_processed'], '3');
    assert.equal(stats['total_connections_received'], '1');
    assert.equal(stats['keyspace_hits'], '1');
    assert.equal(stats['keyspace_misses'], '1');
    assert.equal(stats['total_error_replies'], '1');
    assert.equal(stats['instantaneous_ops_per_sec'], '0');
    t.engine.cron();
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 10; j++) t.run('PING');
      t.clock.advance(100);
      t.engine.cron();
    }
    stats = parseInfo(t.run('INFO', 'stats')).stats!;
    assert.equal(stats['instantaneous_ops_per_sec'], '100', '10 commands every 100 ms');
    assert.equal(t.run('CONFIG', 'RESETSTAT'), 'OK');
    stats = parseInfo(t.run('INFO', 'stats')).stats!;
    assert.equal(stats['total_commands_processed'], '1', 'only the INFO after the reset');
    assert.equal(stats['instantaneous_ops_per_sec'], '0');
    assert.equal(stats['keyspace_hits'], '0');
    assert.equal(stats['total_error_replies'], '0');
  });

  test('commandstats, errorstats and keyspace lines', () => {
    const t = testEngine();
    t.run('SET', 'a', '1');
    t.run('SET', 'b', '2', 'PX', '5000');
    t.run('CLIENT', 'ID');
    t.run('GET');
    t.run('INCR', 'x', 'y');
    t.run('SET', 'a', 'x', 'NOPE');
    t.run('NOSUCH');
    const text = t.run('INFO', 'commandstats', 'errorstats', 'keyspace') as string;
    const lines = text.split('\r\n');
    assert.ok(lines.includes('cmdstat_set:calls=3,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1'), text);
    assert.ok(lines.includes('cmdstat_client|id:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0'));
    assert.ok(lines.includes('cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0'));
    assert.ok(lines.includes('errorstat_ERR:count=4'));
    assert.ok(lines.includes('db0:keys=2,expires=1,avg_ttl=5000'));
    const sections = lines.filter((l) => l.startsWith('# '));
    assert.deepEqual(sections, ['# Commandstats', '# Errorstats', '# Keyspace']);
  });

  test('number formatting matches C printf (ties round to even) and bytesToHuman', () => {
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(3 / 40, 2), '0.07', '0.075 is stored below the tie');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(3.43, 2), '3.43');
    assert.equal(bytesToHuman(1023), '1023B');
    assert.equal(bytesToHuman(1024), '1.00K');
    assert.equal(bytesToHuman(32768), '32.00K');
    assert.equal(bytesToHuman(25_276_502_016), '23.54G');
  });
});

describe('CONFIG GET', () => {
  test('glob patterns, several at once, each option once; exact names shown as typed', () => {
    const t = testEngine();
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'maxclients'), ['maxclients', '10000']);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'MAXCLIENTS'), ['MAXCLIENTS', '10000']);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'MAXCLIENT?'), ['maxclients', '10000']);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'maxclients', 'maxc*', 'timeout'), ['maxclients', '10000', 'timeout', '0']);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'slowlog*'), ['slowlog-log-slower-than', '10000', 'slowlog-max-len', '128']);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'nosuch'), []);
    // Every option once, and its aliases too (lua-time-limit for busy-reply-threshold), as Redis 7.
    const aliases = OPTIONS.reduce((n, o) => n + (o.aliases?.length ?? 0), 0);
    assert.equal((run2(t, 'CONFIG', 'GET', '*') as string[]).length, 2 * (t.engine.config.entries().length + aliases));
    assert.equal(wire(t, 3, 'CONFIG', 'GET', 'maxclients'), '%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    assert.equal(wire(t, 2, 'CONFIG', 'GET', 'maxclients'), '*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    assert.deepEqual(run2(t, 'CONFIG', 'GET'), { error: "ERR wrong number of arguments for 'config|get' command" });
  });
});

describe('CONFIG SET', () => {
  const failed = (name: string, why: string) => ({ error: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}` });

  test('sets several options at once', () => {
    const t = testEngine();
    assert.equal(t.run('CONFIG', 'SET', 'maxclients', '500', 'timeout', '30', 'loglevel', 'WARNING'), 'OK');
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'maxclients', 'timeout', 'loglevel'), ['maxclients', '500', 'timeout', '30', 'loglevel', 'warning']);
    assert.equal(t.run('CONFIG', 'SET', 'proto-max-bulk-len', '2mb'), 'OK');
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'proto-max-bulk-len'), ['proto-max-bulk-len', '2097152']);
  });

  test('Redis 7.0 error texts', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CONFIG', 'SET', 'nosuch', '1'), { error: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'" });
    assert.deepEqual(t.run('CONFIG', 'SET', 'maxclients', 'abc'), failed('maxclients', "argument couldn't be parsed into an integer"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'MAXCLIENTS', 'abc'), failed('maxclients', "argument couldn't be parsed into an integer"), 'the canonical name for bad values');
    assert.deepEqual(t.run('CONFIG', 'SET', 'maxclients', '0'), failed('maxclients', 'argument must be between 1 and 4294967295 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', '-1'), failed('timeout', 'argument must be between 0 and 2147483647 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', '05'), failed('timeout', "argument couldn't be parsed into an integer"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', '+5'), failed('timeout', "argument couldn't be parsed into an integer"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'slowlog-log-slower-than', '-5'), failed('slowlog-log-slower-than', 'argument must be between -1 and 9223372036854775807 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'latency-monitor-threshold', '-1'), failed('latency-monitor-threshold', 'argument must be between 0 and 9223372036854775807 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'proto-max-bulk-len', '1x'), failed('proto-max-bulk-len', 'argument must be a memory value'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'proto-max-bulk-len', '100'), failed('proto-max-bulk-len', 'argument must be between 1048576 and 9223372036854775807 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'hz', '-1'), failed('hz', 'argument must be between 0 and 2147483647 inclusive'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'active-expire-enabled', 'maybe'), failed('active-expire-enabled', "argument must be 'yes' or 'no'"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'port', '1234'), failed('port', "can't set immutable config"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'MAXCLIENTS', '5', 'MAXCLIENTS', '6'), failed('MAXCLIENTS', 'duplicate parameter'));
    assert.deepEqual(t.run('CONFIG', 'SET', 'maxclients', '10', 'timeout'), { error: 'ERR syntax error' });
    assert.deepEqual(t.run('CONFIG', 'SET', 'maxclients'), { error: "ERR wrong number of arguments for 'config|set' command" });
  });

  test('the first problem wins: unknown names, immutable options, then values in order', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', '5', 'nosuch', '1'), { error: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'" });
    assert.deepEqual(t.run('CONFIG', 'SET', 'port', '1', 'nosuch', '1'), failed('port', "can't set immutable config"));
    assert.deepEqual(t.run('CONFIG', 'SET', 'nosuch', '1', 'port', '1'), { error: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'" });
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', 'x', 'maxclients', '0'), failed('timeout', "argument couldn't be parsed into an integer"));
  });

  test('all or nothing', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CONFIG', 'SET', 'timeout', '30', 'maxclients', 'abc'), failed('maxclients', "argument couldn't be parsed into an integer"));
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'timeout'), ['timeout', '0'], 'the valid pair was not applied');
  });

  test('hz is clamped to 1..500 as Redis does; active-expire-enabled reaches the engine', () => {
    const t = testEngine();
    assert.equal(t.run('CONFIG', 'SET', 'hz', '1000'), 'OK');
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'hz'), ['hz', '500']);
    assert.equal(t.run('CONFIG', 'SET', 'hz', '0'), 'OK');
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'hz'), ['hz', '1']);
    assert.equal(t.run('CONFIG', 'SET', 'active-expire-enabled', 'no'), 'OK');
    assert.equal(t.engine.activeExpireEnabled, false);
  });
});

describe('CONFIG REWRITE, RESETSTAT, HELP', () => {
  test('without a config file', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CONFIG', 'REWRITE'), { error: 'ERR The server is running without a config file' });
  });

  test('rewrites known options in place, appends changed ones, keeps comments, comments out unknown lines', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-config-rewrite-'));
    try {
      const file = path.join(dir, 'cairn.conf');
      writeFileSync(
        file,
        ['# my settings', 'port 6379', '', '', 'timeout 10', 'Timeout 20', 'frobnicate yes', '# end', ''].join('\n'),
      );
      const t = testEngine();
      t.engine.config.file = file;
      assert.equal(t.run('CONFIG', 'SET', 'timeout', '30', 'requirepass', 'se cret', 'proto-max-bulk-len', '2mb'), 'OK');
      assert.equal(t.run('CONFIG', 'REWRITE'), 'OK');
      const text = readFileSync(file, 'latin1');
      assert.equal(
        text,
        [
          '# my settings',
          'port 6379',
          '',
          'timeout 30',
          '',
          '# ??? frobnicate yes',
          '# end',
          '# Generated by CONFIG REWRITE',
          'requirepass "se cret"',
          'proto-max-bulk-len 2mb',
          '',
        ].join('\n'),
      );
      // The rewritten file loads back to the same values.
      const parsed = parseConfigText(text);
      assert.ok('directives' in parsed);
      const loaded = new Map(parsed.directives.map(([name, args]) => [name, args.join(' ')]));
      assert.equal(loaded.get('timeout'), '30');
      assert.equal(loaded.get('requirepass'), 'se cret');
      // A second rewrite changes nothing.
      assert.equal(t.run('CONFIG', 'REWRITE'), 'OK');
      assert.equal(readFileSync(file, 'latin1'), text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is created; an unwritable path is an error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-config-rewrite-'));
    try {
      const t = testEngine();
      t.engine.config.file = path.join(dir, 'new.conf');
      assert.equal(t.run('CONFIG', 'SET', 'maxclients', '77'), 'OK');
      assert.equal(t.run('CONFIG', 'REWRITE'), 'OK');
      assert.equal(readFileSync(t.engine.config.file, 'latin1'), '# Generated by CONFIG REWRITE\nmaxclients 77\n');
      t.engine.config.file = path.join(dir, 'no-such-dir', 'x.conf');
      assert.deepEqual(t.run('CONFIG', 'REWRITE'), { error: 'ERR Rewriting config file: No such file or directory' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rewriteConfigText keeps an existing signature and the bind list unquoted', () => {
    const t = testEngine({ config: { bind: '127.0.0.1 ::1' } });
    const text = rewriteConfigText('# Generated by CONFIG REWRITE\nbind 0.0.0.0\n', t.engine.config);
    assert.equal(text, '# Generated by CONFIG REWRITE\nbind 127.0.0.1 ::1\n');
  });

  test('HELP is Redis 7.0 byte for byte', () => {
    const t = testEngine();
    assert.equal(
      wire(t, 2, 'CONFIG', 'HELP'),
      '*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n+    Return parameters matching the glob-like <pattern> and their values.\r\n+SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n+REWRITE\r\n+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n',
    );
    assert.deepEqual(t.run('CONFIG', 'foo'), { error: "ERR unknown subcommand 'foo'. Try CONFIG HELP." });
  });
});

describe('COMMAND', () => {
  test('bare COMMAND describes every command; COUNT counts them', () => {
    const t = testEngine();
    const all = run2(t, 'COMMAND') as unknown[][];
    assert.equal(all.length, t.run('COMMAND', 'COUNT'));
    assert.equal(all.length, t.engine.commands.size);
    assert.ok(all.some((c) => c[0] === 'client'));
    assert.deepEqual(t.run('COMMAND', 'COUNT', 'x'), { error: "ERR wrong number of arguments for 'command|count' command" });
    assert.deepEqual(t.run('COMMAND', 'foo'), { error: "ERR unknown subcommand 'foo'. Try COMMAND HELP." });
  });

  test('INFO of a subcommand is Redis 7.0 byte for byte (RESP2 and RESP3)', () => {
    const t = testEngine();
    assert.equal(
      wire(t, 2, 'COMMAND', 'INFO', 'config|get'),
      '*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n',
    );
    assert.equal(
      wire(t, 3, 'COMMAND', 'INFO', 'CONFIG|GET'),
      '*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~0\r\n~0\r\n~0\r\n',
    );
  });

  test('INFO of a keyed command carries a key spec equivalent to its range', () => {
    const t = testEngine();
    assert.equal(
      wire(t, 3, 'COMMAND', 'INFO', 'get'),
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n',
    );
    const [mset] = run2(t, 'COMMAND', 'INFO', 'mset') as unknown[][];
    const spec = mset![8] as unknown[];
    const findKeys = (spec[0] as unknown[])[5] as unknown[];
    assert.deepEqual(findKeys[3], ['lastkey', -1, 'keystep', 2, 'limit', 0]);
  });

  test('INFO of containers lists subcommands; unknown names are nil; no names means all', () => {
    const t = testEngine();
    const [client, missing] = run2(t, 'COMMAND', 'INFO', 'client', 'nosuch') as [unknown[], unknown];
    assert.equal(missing, null);
    assert.deepEqual(client.slice(0, 7), ['client', -2, [], 0, 0, 0, ['@slow']]);
    const subs = client[9] as unknown[][];
    assert.ok(subs.some((s) => s[0] === 'client|list'));
    const list = subs.find((s) => s[0] === 'client|list')!;
    assert.deepEqual(list.slice(1, 7), [-2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous', '@connection']]);
    assert.equal((run2(t, 'COMMAND', 'INFO') as unknown[]).length, t.engine.commands.size);
    assert.deepEqual(run2(t, 'COMMAND', 'INFO', 'config|nosuch', 'a|b|c'), [null, null]);
  });

  test('DOCS: summary, since, group, complexity, subcommands; a map in RESP3', () => {
    const t = testEngine();
    const docs = t.raw('COMMAND', 'DOCS', 'config', 'nosuch');
    assert.equal(docs.k, ReplyKind.Map);
    const decoded = decodeReply(docs, false) as Map<string, Map<string, unknown>>;
    assert.deepEqual([...decoded.keys()], ['config']);
    const config = decoded.get('config')!;
    assert.equal(config.get('since'), '2.0.0');
    assert.equal(config.get('group'), 'server');
    const subs = config.get('subcommands') as Map<string, Map<string, unknown>>;
    assert.deepEqual([...subs.keys()].sort(), ['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set']);
    assert.equal(subs.get('config|rewrite')!.get('since'), '2.8.0');
    assert.deepEqual(run2(t, 'COMMAND', 'DOCS', 'nosuch'), []);
    assert.equal((run2(t, 'COMMAND', 'DOCS') as unknown[]).length, 2 * t.engine.commands.size);
    assert.match(wire(t, 3, 'COMMAND', 'DOCS', 'get'), /^%1\r\n\$3\r\nget\r\n%4\r\n\$7\r\nsummary\r\n/);
  });

  test('LIST with and without filters', () => {
    const t = testEngine();
    const all = t.run('COMMAND', 'LIST') as string[];
    assert.ok(all.includes('get') && all.includes('client|list') && all.includes('command|docs'));
    assert.deepEqual(t.run('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'), ['config', 'config|get', 'config|set', 'config|rewrite', 'config|resetstat', 'config|help']);
    assert.deepEqual(t.run('COMMAND', 'LIST', 'filterby', 'pattern', 'CONFIG|G*'), ['config|get']);
    const connection = t.run('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection') as string[];
    assert.ok(connection.includes('command') && connection.includes('client|id') && !connection.includes('client') && !connection.includes('get'));
    assert.deepEqual(t.run('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'), []);
    assert.deepEqual(t.run('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'), []);
    for (const args of [['foo'], ['FILTERBY'], ['FILTERBY', 'foo', 'x'], ['FILTERBY', 'PATTERN', 'a', 'b']]) {
      assert.deepEqual(t.run('COMMAND', 'LIST', ...args), { error: 'ERR syntax error' }, args.join(' '));
    }
  });

  test('GETKEYS and GETKEYSANDFLAGS with Redis 7.0 error texts', () => {
    const t = testEngine();
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'SET', 'a', 'b'), ['a']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'mset', 'a', '1', 'c', '2'), ['a', 'c']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'memory', 'usage', 'k'), ['k']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'foo', 'a'), { error: 'ERR Invalid command specified' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'config', 'nosuch'), { error: 'ERR Invalid command specified' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'ping', 'x'), { error: 'ERR The command has no key arguments' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'config', 'get'), { error: 'ERR The command has no key arguments' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'set', 'a'), { error: 'ERR Invalid number of arguments specified for command' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'get', 'a', 'b'), { error: 'ERR Invalid number of arguments specified for command' });
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'get'), { error: "ERR wrong number of arguments for 'command|getkeys' command" });
    assert.deepEqual(run2(t, 'COMMAND', 'GETKEYSANDFLAGS', 'get', 'a'), [['a', ['RO', 'access']]]);
    assert.deepEqual(run2(t, 'COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'), [['a', ['RW', 'access', 'update']]]);
  });

  test('HELP is Redis 7.0 byte for byte', () => {
    const t = testEngine();
    assert.equal(
      wire(t, 2, 'COMMAND', 'HELP'),
      '*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n+    Return details about all Redis commands.\r\n+COUNT\r\n+    Return the total number of commands in this Redis server.\r\n+LIST\r\n+    Return a list of all commands in this Redis server.\r\n+INFO [<command-name> ...]\r\n+    Return details about multiple Redis commands.\r\n+    If no command names are given, documentation details for all\r\n+    commands are returned.\r\n+DOCS [<command-name> ...]\r\n+    Return documentation details about multiple Redis commands.\r\n+    If no command names are given, documentation details for all\r\n+    commands are returned.\r\n+GETKEYS <full-command>\r\n+    Return the keys from a full Redis command.\r\n+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n',
    );
  });
});

describe('TIME and LASTSAVE', () => {
  test('TIME is [seconds, microseconds] from the clock; LASTSAVE the engine time', () => {
    const t = testEngine();
    t.clock.advance(1234);
    assert.deepEqual(t.run('TIME'), ['1700000001', '234000']);
    assert.equal(t.run('LASTSAVE'), 1_700_000_000);
    t.engine.lastSaveUnix = 1_800_000_000;
    assert.equal(t.run('LASTSAVE'), 1_800_000_000);
    assert.deepEqual(t.run('TIME', 'x'), { error: "ERR wrong number of arguments for 'time' command" });
  });
});

describe('SLOWLOG', () => {
  test('GET, LEN, RESET and the entry shape', () => {
    const t = testEngine({ config: { 'slowlog-log-slower-than': '0' } });
    t.session().command('CLIENT', 'SETNAME', 'worker');
    t.run('SET', 'k', 'v');
    t.run('GET', 'k');
    assert.equal(t.run('SLOWLOG', 'LEN'), 3);
    const entries = t.run('SLOWLOG', 'GET') as unknown[][];
    assert.equal(entries.length, 4, 'the LEN before was logged once it ran');
    assert.deepEqual(entries[0]![3], ['SLOWLOG', 'LEN']);
    assert.deepEqual(entries[1], [2, 1_700_000_000, 0, ['GET', 'k'], 'embedded', '']);
    assert.deepEqual(entries[3], [0, 1_700_000_000, 0, ['CLIENT', 'SETNAME', 'worker'], 'embedded', 'worker']);
    assert.equal((t.run('SLOWLOG', 'GET', '1') as unknown[]).length, 1);
    assert.equal((t.run('SLOWLOG', 'GET', '-1') as unknown[]).length, 6);
    assert.equal((t.run('SLOWLOG', 'GET', '0') as unknown[]).length, 0);
    assert.equal(t.run('SLOWLOG', 'RESET'), 'OK');
    assert.equal(t.run('SLOWLOG', 'LEN'), 1, 'the RESET itself is logged after it ran');
  });

  test('defaults to 10 entries; error texts', () => {
    const t = testEngine({ config: { 'slowlog-log-slower-than': '0' } });
    for (let i = 0; i < 15; i++) t.run('PING');
    assert.equal((t.run('SLOWLOG', 'GET') as unknown[]).length, 10);
    assert.deepEqual(t.run('SLOWLOG', 'GET', '-2'), { error: 'ERR count should be greater than or equal to -1' });
    assert.deepEqual(t.run('SLOWLOG', 'GET', 'abc'), { error: 'ERR count should be greater than or equal to -1' });
    assert.deepEqual(t.run('SLOWLOG', 'GET', '1', '2'), { error: "ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP." });
    assert.deepEqual(t.run('SLOWLOG', 'LEN', 'x'), { error: "ERR wrong number of arguments for 'slowlog|len' command" });
  });

  test('HELP is Redis 7.0 byte for byte', () => {
    const t = testEngine();
    assert.equal(
      wire(t, 2, 'SLOWLOG', 'HELP'),
      '*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n',
    );
  });
});

describe('LATENCY', () => {
  test('nothing is recorded while latency-monitor-threshold is 0', () => {
    const t = debugEngine();
    assert.equal(t.run('DEBUG', 'SLEEP', '0.5'), 'OK');
    assert.deepEqual(t.run('LATENCY', 'LATEST'), []);
  });

  test('slow commands become command events: LATEST, HISTORY, RESET', () => {
    const t = debugEngine();
    assert.equal(t.run('CONFIG', 'SET', 'latency-monitor-threshold', '100'), 'OK');
    assert.equal(t.run('DEBUG', 'SLEEP', '0.25'), 'OK');
    const secondsAfterFirst = Math.floor(t.clock.nowMs() / 1000);
    assert.equal(t.run('DEBUG', 'SLEEP', '0.05'), 'OK', 'below the threshold');
    t.clock.advance(2000);
    assert.equal(t.run('DEBUG', 'SLEEP', '0.2'), 'OK');
    const now = Math.floor(t.clock.nowMs() / 1000);
    assert.deepEqual(t.run('LATENCY', 'LATEST'), [['command', now, 200, 250]]);
    assert.deepEqual(t.run('LATENCY', 'HISTORY', 'command'), [
      [secondsAfterFirst, 250],
      [now, 200],
    ]);
    assert.deepEqual(t.run('LATENCY', 'HISTORY', 'nosuch'), []);
    assert.equal(t.run('LATENCY', 'RESET', 'nosuch'), 0);
    assert.equal(t.run('LATENCY', 'RESET', 'command', 'command'), 1);
    assert.deepEqual(t.run('LATENCY', 'LATEST'), []);
    assert.deepEqual(t.run('LATENCY', 'HISTORY'), { error: "ERR wrong number of arguments for 'latency|history' command" });
  });

  test('the monitor keeps one sample per second (the largest) and a bounded history', () => {
    const m = new LatencyMonitor();
    m.recordIfSlow('x', 5, 10, 100);
    assert.equal(m.eventCount, 0);
    m.recordIfSlow('x', 10, 10, 100);
    m.recordIfSlow('x', 30, 10, 100);
    m.recordIfSlow('x', 20, 10, 100);
    assert.deepEqual(m.history('x'), [{ unixSeconds: 100, ms: 30 }]);
    for (let s = 101; s < 400; s++) m.record('x', 1, s);
    assert.equal(m.history('x').length, 160);
    assert.deepEqual(m.latest(), [{ event: 'x', latest: { unixSeconds: 399, ms: 1 }, maxMs: 30 }]);
    assert.equal(m.reset(), 1);
  });

  test('fast commands are fast-command events', () => {
    const t = testEngine({ config: { 'latency-monitor-threshold': '1' } });
    const clock = t.clock;
    const originalMicros = clock.monotonicMicros.bind(clock);
    let extra = 0;
    clock.monotonicMicros = () => originalMicros() + extra;
    const get = t.engine.commands.get('get')!;
    const handler = get.handler!;
    (get as { handler: typeof handler }).handler = (ctx, argv) => {
      extra += 5000;
      return handler(ctx, argv);
    };
    try {
      t.run('GET', 'k');
    } finally {
      (get as { handler: typeof handler }).handler = handler;
    }
    assert.deepEqual((t.run('LATENCY', 'LATEST') as unknown[][]).map((e) => [e[0], e[2]]), [['fast-command', 5]]);
  });

  test('HELP lists what Cairn serves', () => {
    const t = testEngine();
    const lines = t.run('LATENCY', 'HELP') as string[];
    assert.equal(lines[0], 'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.ok(lines.includes('LATEST') && lines.includes('HISTORY <event>') && lines.includes('RESET [<event> ...]'));
  });
});

describe('MEMORY', () => {
  test('USAGE estimates grow with the value; nil for missing keys', () => {
    const t = testEngine();
    t.run('SET', 'small', 'v');
    t.run('SET', 'big', 'x'.repeat(1000));
    const small = t.run('MEMORY', 'USAGE', 'small') as number;
    const big = t.run('MEMORY', 'USAGE', 'big') as number;
    assert.ok(small > 0 && big >= small + 990, `${small} ${big}`);
    assert.equal(t.run('MEMORY', 'USAGE', 'nosuch'), null);
    assert.equal(t.run('MEMORY', 'USAGE', 'big', 'SAMPLES', '0'), big);
    assert.equal(t.run('MEMORY', 'USAGE', 'big', 'samples', '3'), big);
  });

  test('USAGE does not count as a read', () => {
    const t = testEngine();
    t.run('SET', 'k', 'v');
    t.run('MEMORY', 'USAGE', 'k');
    t.run('MEMORY', 'USAGE', 'nosuch');
    assert.equal(t.engine.ks.stats.keyspaceHits, 0);
    assert.equal(t.engine.ks.stats.keyspaceMisses, 0);
  });

  test('USAGE error texts', () => {
    const t = testEngine();
    assert.deepEqual(t.run('MEMORY', 'USAGE'), { error: "ERR wrong number of arguments for 'memory|usage' command" });
    assert.deepEqual(t.run('MEMORY', 'USAGE', 'k', 'SAMPLES'), { error: 'ERR syntax error' });
    assert.deepEqual(t.run('MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(t.run('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'), { error: 'ERR syntax error' });
    assert.deepEqual(t.run('MEMORY', 'USAGE', 'k', 'foo', '1'), { error: 'ERR syntax error' });
  });

  test('DOCTOR reports in text; HELP', () => {
    const t = testEngine();
    const raw = t.raw('MEMORY', 'DOCTOR');
    assert.equal(raw.k, ReplyKind.Verbatim);
    assert.match(raw.v as string, /not available/);
    t.engine.hooks.memory = () => ({ heapUsed: 1024, rss: 4096 });
    assert.match(t.run('MEMORY', 'DOCTOR') as string, /empty or uses very little memory/);
    t.engine.hooks.memory = () => ({ heapUsed: 50 * 1024 * 1024, rss: 60 * 1024 * 1024 });
    assert.equal(t.run('MEMORY', 'DOCTOR'), 'No memory issue found in this instance.\n');
    t.engine.hooks.memory = () => ({ heapUsed: 50 * 1024 * 1024, rss: 500 * 1024 * 1024 });
    assert.match(t.run('MEMORY', 'DOCTOR') as string, /High RSS/);
    const help = t.run('MEMORY', 'HELP') as string[];
    assert.equal(help[0], 'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.ok(help.includes('USAGE <key> [SAMPLES <count>]') && help.includes('DOCTOR'));
    assert.ok(help.includes('STATS'));
  });
});

describe('DEBUG', () => {
  const NOT_ALLOWED =
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

  test('refused unless enable-debug-command allows it, as in Redis 7', () => {
    assert.deepEqual(testEngine().run('DEBUG', 'SLEEP', '0'), { error: NOT_ALLOWED });
    assert.deepEqual(testEngine().run('DEBUG', 'HELP'), { error: NOT_ALLOWED });
    assert.equal(testEngine({ config: { 'enable-debug-command': 'local' } }).run('DEBUG', 'SLEEP', '0'), 'OK', 'an embedded session is local');
    const t = testEngine();
    assert.deepEqual(t.run('CONFIG', 'SET', 'enable-debug-command', 'yes'), {
      error: "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config",
    });
  });

  test('SLEEP takes fractional seconds like strtod and is capped', () => {
    const t = debugEngine();
    const start = t.clock.nowMs();
    assert.equal(t.run('DEBUG', 'SLEEP', '0.25'), 'OK');
    assert.equal(t.clock.nowMs() - start, 250);
    for (const junk of ['abc', '-1', '']) assert.equal(t.run('DEBUG', 'SLEEP', junk), 'OK', junk);
    assert.equal(t.clock.nowMs() - start, 250, 'nothing slept for junk or negative values');
    assert.equal(t.run('DEBUG', 'SLEEP', '1.5xyz'), 'OK');
    assert.equal(t.clock.nowMs() - start, 1750);
    assert.equal(t.run('DEBUG', 'SLEEP', '1e9'), 'OK');
    assert.equal(t.clock.nowMs() - start, 1750 + 60_000, 'capped at limits.debugSleepSecondsMax');
  });

  test('SLEEP without a hook blocks the event loop for real', () => {
    const t = testEngine({ config: { 'enable-debug-command': 'yes' } });
    const started = performance.now();
    assert.equal(t.run('DEBUG', 'SLEEP', '0.05'), 'OK');
    assert.ok(performance.now() - started >= 45);
  });

  test('OBJECT describes the value with what OBJECT reports', () => {
    const t = debugEngine();
    t.run('SET', 'k', 'v');
    t.run('SET', 'n', '123');
    t.run('SET', 'long', 'x'.repeat(100));
    t.clock.advance(7000);
    const lru = Math.floor(1_700_000_000_000 / 1000) & 0xffffff;
    assert.match(t.run('DEBUG', 'OBJECT', 'k') as string, new RegExp(`^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:2 lru:${lru} lru_seconds_idle:7$`));
    assert.match(t.run('DEBUG', 'OBJECT', 'n') as string, / refcount:2147483647 encoding:int /);
    assert.match(t.run('DEBUG', 'OBJECT', 'long') as string, / encoding:raw serializedlength:101 /);
    assert.equal(t.raw('DEBUG', 'OBJECT', 'k').k, ReplyKind.Simple);
    assert.deepEqual(t.run('DEBUG', 'OBJECT', 'nosuch'), { error: 'ERR no such key' });
    assert.equal(t.engine.ks.stats.keyspaceHits, 0, 'not a read');
  });

  test('SET-ACTIVE-EXPIRE toggles active expiry with atoi semantics', () => {
    const t = debugEngine();
    assert.equal(t.run('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
    assert.equal(t.engine.activeExpireEnabled, false);
    assert.equal(t.run('DEBUG', 'set-active-expire', '1'), 'OK');
    assert.equal(t.engine.activeExpireEnabled, true);
    assert.equal(t.run('DEBUG', 'SET-ACTIVE-EXPIRE', 'abc'), 'OK');
    assert.equal(t.engine.activeExpireEnabled, false);
    assert.equal(t.run('DEBUG', 'SET-ACTIVE-EXPIRE', '2'), 'OK');
    assert.equal(t.engine.activeExpireEnabled, true);
    assert.deepEqual(run2(t, 'CONFIG', 'GET', 'active-expire-enabled'), ['active-expire-enabled', 'yes']);
  });

  test('unknown subcommands and wrong counts; HELP', () => {
    const t = debugEngine();
    for (const args of [['foo'], ['sleep'], ['SLEEP', '0', '1'], ['object'], ['set-active-expire']]) {
      assert.deepEqual(t.run('DEBUG', ...args), { error: `ERR unknown subcommand or wrong number of arguments for '${args[0]}'. Try DEBUG HELP.` });
    }
    assert.deepEqual(t.run('DEBUG'), { error: "ERR wrong number of arguments for 'debug' command" });
    const help = t.run('DEBUG', 'HELP') as string[];
    assert.equal(help[0], 'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.ok(help.includes('SLEEP <seconds>') && help.includes('OBJECT <key>') && help.includes('SET-ACTIVE-EXPIRE <0|1>'));
  });
});

describe('MONITOR', () => {
  test('a monitor receives the commands of other clients', () => {
    const t = testEngine();
    const monitor = t.session();
    assert.equal(monitor.command('MONITOR'), 'OK');
    assert.ok(t.engine.monitors.has(monitor.session));
    assert.equal(monitor.raw(['MONITOR']), NO_REPLY, 'a second MONITOR is ignored without a reply');
    t.run('SET', 'k', 'v');
    const lines = monitor.takePushed().map((r) => r.v as string);
    assert.deepEqual(lines, ['1700000000.000000 [0 embedded] "SET" "k" "v"']);
    assert.match(t.run('CLIENT', 'LIST', 'ID', String(monitor.session.id)) as string, / flags=O /);
  });
});

describe('SHUTDOWN', () => {
  test('embedded mode has no shutdown hook', () => {
    const t = testEngine();
    assert.deepEqual(t.run('SHUTDOWN'), { error: 'ERR SHUTDOWN is not available in embedded mode: close the embedded instance instead' });
  });

  test('options reach the hook; success replies nothing; a refusal is an error', () => {
    const t = testEngine();
    const requests: ShutdownRequest[] = [];
    let refusal: string | null = null;
    t.engine.hooks.shutdown = (r) => {
      requests.push(r);
      return refusal;
    };
    assert.equal(t.raw('SHUTDOWN'), NO_REPLY);
    assert.equal(t.raw('SHUTDOWN', 'nosave', 'NOW'), NO_REPLY);
    assert.equal(t.raw('SHUTDOWN', 'SAVE', 'FORCE'), NO_REPLY);
    assert.deepEqual(requests, [
      { save: null, now: false, force: false },
      { save: false, now: true, force: false },
      { save: true, now: false, force: true },
    ]);
    refusal = 'Check logs.';
    assert.deepEqual(t.run('SHUTDOWN'), { error: 'ERR Errors trying to SHUTDOWN. Check logs.' });
  });

  test('syntax errors, ABORT, and no SHUTDOWN inside MULTI', () => {
    const t = testEngine();
    t.engine.hooks.shutdown = () => null;
    for (const args of [['foo'], ['SAVE', 'NOSAVE'], ['ABORT', 'NOW']]) {
      assert.deepEqual(t.run('SHUTDOWN', ...args), { error: 'ERR syntax error' }, args.join(' '));
    }
    assert.deepEqual(t.run('SHUTDOWN', 'ABORT'), { error: 'ERR No shutdown in progress.' });
    assert.equal(t.run('MULTI'), 'OK');
    assert.deepEqual(t.run('SHUTDOWN'), { error: 'ERR Command not allowed inside a transaction' });
    assert.deepEqual(t.run('EXEC'), { error: 'EXECABORT Transaction discarded because of previous errors.' });
  });
});

describe('declarations', () => {
  // [arity, flags as COMMAND INFO shows them, ACL categories], from redis-server 7.0.15.
  const EXPECTED: Record<string, [number, string[], string[]]> = {
    info: [-1, ['loading', 'stale'], ['@slow', '@dangerous']],
    config: [-2, [], ['@slow']],
    'config|get': [-3, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'config|set': [-4, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'config|rewrite': [2, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'config|resetstat': [2, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'config|help': [2, ['loading', 'stale'], ['@slow']],
    command: [-1, ['loading', 'stale'], ['@slow', '@connection']],
    'command|count': [2, ['loading', 'stale'], ['@slow', '@connection']],
    'command|info': [-2, ['loading', 'stale'], ['@slow', '@connection']],
    'command|docs': [-2, ['loading', 'stale'], ['@slow', '@connection']],
    'command|list': [-2, ['loading', 'stale'], ['@slow', '@connection']],
    'command|getkeys': [-4, ['loading', 'stale'], ['@slow', '@connection']],
    'command|getkeysandflags': [-4, ['loading', 'stale'], ['@slow', '@connection']],
    'command|help': [2, ['loading', 'stale'], ['@slow', '@connection']],
    time: [1, ['loading', 'stale', 'fast'], ['@fast']],
    lastsave: [1, ['loading', 'stale', 'fast'], ['@admin', '@fast', '@dangerous']],
    slowlog: [-2, [], ['@slow']],
    'slowlog|get': [-2, ['admin', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'slowlog|len': [2, ['admin', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'slowlog|reset': [2, ['admin', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'slowlog|help': [2, ['loading', 'stale'], ['@slow']],
    latency: [-2, [], ['@slow']],
    'latency|latest': [2, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'latency|history': [3, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'latency|reset': [-2, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    'latency|help': [2, ['loading', 'stale'], ['@slow']],
    memory: [-2, [], ['@slow']],
    'memory|usage': [-3, ['readonly'], ['@read', '@slow']],
    'memory|doctor': [2, [], ['@slow']],
    'memory|stats': [2, [], ['@slow']],
    'memory|help': [2, ['loading', 'stale'], ['@slow']],
    debug: [-2, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    monitor: [1, ['admin', 'noscript', 'loading', 'stale'], ['@admin', '@slow', '@dangerous']],
    shutdown: [-1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], ['@admin', '@slow', '@dangerous']],
  };

  test('COMMAND INFO shows Redis 7.0 arity, flags and categories for every server command', () => {
    const t = testEngine();
    for (const [name, [arity, flags, acl]] of Object.entries(EXPECTED)) {
      const [info] = run2(t, 'COMMAND', 'INFO', name) as [unknown[]];
      assert.ok(info !== null, name);
      assert.deepEqual(info.slice(0, 3), [name, arity, flags], name);
      assert.deepEqual(info[6], acl, name);
    }
    const [usage] = run2(t, 'COMMAND', 'INFO', 'memory|usage') as [unknown[]];
    assert.deepEqual(usage.slice(3, 6), [2, 2, 1]);
  });

  test('every server command and subcommand is covered above', () => {
    const t = testEngine();
    for (const name of ['info', 'config', 'command', 'time', 'lastsave', 'slowlog', 'latency', 'memory', 'debug', 'monitor', 'shutdown']) {
      const spec = t.engine.commands.get(name)!;
      assert.ok(name in EXPECTED, name);
      for (const sub of spec.subcommands ?? []) assert.ok(`${name}|${sub.name}` in EXPECTED, `${name}|${sub.name}`);
      assert.ok(aclCategories(spec).length > 0);
    }
  });
});
