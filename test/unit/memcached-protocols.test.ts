// The memcached protocol layer without sockets: framing of the text protocol at every split
// point, binary requests and responses, and fuzzing with random bytes (fixed fast-check seeds):
// nothing may throw, whatever arrives and however it is cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemcachedGate } from '../../src/server/memcached-gate.js';
import type { MemcachedBackend } from '../../src/protocols/memcached/backend.js';
import { BinaryParser, BinarySession, Op } from '../../src/protocols/memcached/binary.js';
import { TextParser } from '../../src/protocols/memcached/text-parser.js';
import { TextSession } from '../../src/protocols/memcached/text-session.js';
import { statsSection } from '../../src/io/memcached-stats.js';
import { murmur3 } from '../../src/core/memcached/prefix-stats.js';
import { testEngine } from '../helpers/engine.js';

function backend(): MemcachedBackend {
  const gate = new MemcachedGate(testEngine().engine);
  return {
    run: (kind, key, fn) => gate.run(kind, key, fn),
    stats: (section) => statsSection(section, { gate, port: 0, bind: '', verbosity: 0, connections: () => [] }),
    statsReset: () => gate.executor.resetStats(),
    get verbosity() { return gate.verbosity; },
    set verbosity(v: number) { gate.verbosity = v; },
  };
}

/** Feeds the chunks to a text connection and returns everything it answered. */
function text(chunks: Buffer[], b = backend()): { out: string; closed: boolean } {
  const parser = new TextParser();
  let out = '';
  const session = new TextSession(b, parser, (s) => (out += s));
  let closed = false;
  for (const c of chunks) {
    if (closed) break;
    parser.feed(c);
    for (let f = parser.next(); f !== null && !closed; f = parser.next()) closed = session.handle(f) === 'close';
  }
  return { out, closed };
}

function binary(chunks: Buffer[], b = backend()): { out: Buffer; closed: boolean } {
  const parser = new BinaryParser();
  const parts: Buffer[] = [];
  const session = new BinarySession(b, (x) => parts.push(x));
  let closed = false;
  for (const c of chunks) {
    if (closed) break;
    parser.feed(c);
    for (let f = parser.next(); f !== null && !closed; f = parser.next()) closed = session.handle(f) === 'close';
  }
  return { out: Buffer.concat(parts), closed };
}

const SCRIPT = 'set a 5 0 3\r\nx\r\n\r\nget a b\r\nappend a 0 0 2 noreply\r\nyz\r\nmg a v f s k\r\nincr n 1\r\nms n 2 T0\r\n10\r\nma n v D5\r\nbogus\r\nmn\r\n';
const EXPECTED = 'STORED\r\nVALUE a 5 3\r\nx\r\n\r\nEND\r\nVA 5 f5 s5 ka\r\nx\r\nyz\r\nNOT_FOUND\r\nHD\r\nVA 2\r\n15\r\nERROR\r\nMN\r\n';

test('text framing: the same answers whatever the split points', () => {
  const bytes = Buffer.from(SCRIPT, 'latin1');
  assert.equal(text([bytes]).out, EXPECTED);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.equal(text([bytes.subarray(0, cut), bytes.subarray(cut)]).out, EXPECTED, `cut at ${cut}`);
  }
  assert.equal(text([...bytes].map((b) => Buffer.from([b]))).out, EXPECTED, 'one byte at a time');
});

test('text framing: 4 KB values spanning reads, cut into pieces of every size', () => {
  const value = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7) % 256)).join('');
  const script = `set a 0 0 4096\r\n${value}\r\nset b 5 0 4096\r\n${value}\r\nget a b\r\nset c 0 0 4096\r\n${value}xy`;
  const expected = `STORED\r\nSTORED\r\nVALUE a 0 4096\r\n${value}\r\nVALUE b 5 4096\r\n${value}\r\nEND\r\nCLIENT_ERROR bad data chunk\r\n`;
  const bytes = Buffer.from(script, 'latin1');
  for (const size of [1, 2, 3, 100, 1000, 1460, 4095, 4096, 4097, 4113, 8192, 65536]) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
    assert.equal(text(chunks).out, expected, `pieces of ${size} bytes`);
  }
});

test('text: too large is answered and its data swallowed; a bad data chunk is refused', () => {
  const big = 'a'.repeat(1024 * 1024);
  const r = text([Buffer.from(`set k 0 0 ${big.length}\r\n${big}\r\nget k\r\nset k 0 0 1\r\nxy\r\n`, 'latin1')]);
  // As memcached: exactly 1 + 2 bytes are taken as the block ("xy\r"), the "\n" left is an empty line.
  assert.equal(r.out, 'SERVER_ERROR object too large for cache\r\nEND\r\nCLIENT_ERROR bad data chunk\r\nERROR\r\n');
});

test('text: a long line without a newline closes the connection', () => {
  assert.equal(text([Buffer.alloc(3000, 0x61)]).closed, true);
  assert.equal(text([Buffer.from('get ' + 'k '.repeat(2000))]).closed, false, 'a multi-get may be long');
  assert.equal(text([Buffer.from('quit\r\nversion\r\n')]).out, '');
});

function request(opcode: number, key: string, value = "", extras: Buffer = Buffer.alloc(0), cas = 0n, opaque = 7): Buffer {
  const h = Buffer.alloc(24);
  h[0] = 0x80;
  h[1] = opcode;
  h.writeUInt16BE(key.length, 2);
  h[4] = extras.length;
  h.writeUInt32BE(extras.length + key.length + value.length, 8);
  h.writeUInt32BE(opaque, 12);
  h.writeBigUInt64BE(cas, 16);
  return Buffer.concat([h, extras, Buffer.from(key, 'latin1'), Buffer.from(value, 'latin1')]);
}

function setExtras(flags: number, exptime: number): Buffer {
  const e = Buffer.alloc(8);
  e.writeUInt32BE(flags, 0);
  e.writeInt32BE(exptime, 4);
  return e;
}

/** Parses concatenated binary responses into [opcode, status, key, value, flags]. */
function responses(out: Buffer): Array<[number, number, string, string, number | null]> {
  const list: Array<[number, number, string, string, number | null]> = [];
  for (let p = 0; p < out.length;) {
    assert.equal(out[p], 0x81);
    const keyLength = out.readUInt16BE(p + 2);
    const extrasLength = out[p + 4]!;
    const body = out.readUInt32BE(p + 8);
    const extras = out.subarray(p + 24, p + 24 + extrasLength);
    const key = out.toString('latin1', p + 24 + extrasLength, p + 24 + extrasLength + keyLength);
    const value = out.toString('latin1', p + 24 + extrasLength + keyLength, p + 24 + body);
    list.push([out[p + 1]!, out.readUInt16BE(p + 6), key, value, extrasLength === 4 ? extras.readUInt32BE(0) : null]);
    p += 24 + body;
  }
  return list;
}

test('binary: set, getk, prepend, append, quiet misses, incr with initial, noop', () => {
  const incrExtras = Buffer.alloc(20);
  incrExtras.writeBigUInt64BE(5n, 0);
  incrExtras.writeBigUInt64BE(100n, 8);
  incrExtras.writeUInt32BE(0, 16);
  const input = Buffer.concat([
    request(Op.SET, 'k', 'b', setExtras(9, 0)),
    request(Op.PREPEND, 'k', 'a'),
    request(Op.APPEND, 'k', 'c'),
    request(Op.GETK, 'k'),
    request(Op.GETQ, 'missing'),
    request(Op.INCREMENT, 'n', '', incrExtras),
    request(Op.INCREMENT, 'n', '', incrExtras),
    request(Op.NOOP, ''),
  ]);
  const out = responses(binary([input]).out);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(105n, 0);
  assert.deepEqual(out.map(([op, status, key, value, flags]) => [op, status, key, op === Op.INCREMENT ? value.length : value, flags]), [
    [Op.SET, 0, '', '', null],
    [Op.PREPEND, 0, '', '', null],
    [Op.APPEND, 0, '', '', null],
    [Op.GETK, 0, 'k', 'abc', 9],
    [Op.INCREMENT, 0, '', 8, null],
    [Op.INCREMENT, 0, '', 8, null],
    [Op.NOOP, 0, '', '', null],
  ]);
  assert.equal(out[5]![3], counter.toString('latin1'));
  assert.equal(binary([Buffer.from([0x42, 0, 0, 0])]).closed, false, 'waits for a whole header');
  assert.equal(binary([Buffer.alloc(24, 0x42)]).closed, true, 'a bad magic byte closes');
});

test('fuzz: random bytes, cut anywhere, never throw (text and binary)', () => {
  const words = ['set k 0 0 1\r\n', 'get k\r\n', 'mg k v c t\r\n', 'ms k 2 I C1\r\n', 'ma k N0 J1\r\n', 'md k I\r\n', 'gat -1 k\r\n', 'x\r\n', '\r\n', ' ', 'noreply', '\x80', 'cas k 0 0 1 1\r\n'];
  const chunkList = fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...words).map((w) => Buffer.from(w, 'latin1'))), { maxLength: 40 });
  fc.assert(
    fc.property(chunkList, fc.array(fc.nat(40), { maxLength: 4 }), (parts, cuts) => {
      const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
      const pieces: Buffer[] = [];
      let at = 0;
      for (const c of cuts) {
        const end = Math.min(all.length, at + c);
        pieces.push(all.subarray(at, end));
        at = end;
      }
      pieces.push(all.subarray(at));
      text(pieces);
      binary([Buffer.from([0x80]), ...pieces]);
    }),
    { seed: 42, numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.array(fc.record({ op: fc.nat(0x30), key: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }), extras: fc.uint8Array({ maxLength: 24 }) }), { maxLength: 20 }), (reqs) => {
      binary([Buffer.concat(reqs.map((r) => request(r.op, r.key, r.value, Buffer.from(r.extras))))]);
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('stats detail: per-prefix counts of gets, hits, sets and deletes, listed in memcached order', () => {
  assert.equal(murmur3(''), 0);
  assert.equal(murmur3('hello'), 0x248bfa47);
  const b = backend();
  const r = text([Buffer.from(
    'stats detail dump\r\nstats detail on\r\nset a:b 0 0 1\r\nx\r\nget a:b a:c nodelim\r\ndelete a:b\r\n' +
    'set :x 0 0 1\r\nx\r\nset b:x:y 0 0 1\r\nx\r\ngat 0 b:x:y\r\nincr b:x:y 1\r\nmg b:x:y v\r\nset d:1 0 0 1\r\nx\r\nset d:1 0 0 1\r\nxy\r\n' +
    'delete zz:1\r\nstats detail dump\r\nstats detail\r\nstats detail off\r\nget a:b\r\nstats detail dump\r\nstats reset\r\nstats detail dump\r\n', 'latin1')], b);
  // The dump's order is memcached 1.6.18's own for these prefixes (its hash table of 256 buckets).
  const dump = 'PREFIX  get 0 hit 0 set 1 del 0\r\nPREFIX b get 1 hit 1 set 1 del 0\r\nPREFIX zz get 0 hit 0 set 0 del 1\r\n' +
    'PREFIX d get 0 hit 0 set 2 del 0\r\nPREFIX a get 2 hit 1 set 1 del 1\r\nEND\r\n';
  assert.equal(r.out,
    'END\r\nOK\r\nSTORED\r\nVALUE a:b 0 1\r\nx\r\nEND\r\nDELETED\r\nSTORED\r\nSTORED\r\nVALUE b:x:y 0 1\r\nx\r\nEND\r\n' +
    'CLIENT_ERROR cannot increment or decrement non-numeric value\r\nVA 1\r\nx\r\nSTORED\r\nCLIENT_ERROR bad data chunk\r\nERROR\r\nNOT_FOUND\r\n' +
    dump + 'CLIENT_ERROR usage: stats detail on|off|dump\r\nOK\r\nEND\r\n' + dump + 'RESET\r\nEND\r\n');
});
