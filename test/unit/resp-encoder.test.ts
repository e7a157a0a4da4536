// Reply encoding: every ReplyKind in RESP2 and RESP3, and the ReplyBuffer contract.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../../src/core/reply.js';
import { ReplyBuffer, encode, formatDouble, type RespVersion } from '../../src/protocols/resp/encoder.js';

const wire = (r: R.Reply, resp: RespVersion): string => encode(r, resp).toString('latin1');

/** Asserts the encoding of r in RESP2 and RESP3. */
function expectWire(r: R.Reply, resp2: string, resp3: string = resp2): void {
  assert.equal(wire(r, 2), resp2, 'RESP2');
  assert.equal(wire(r, 3), resp3, 'RESP3');
}

describe('encode: scalar kinds', () => {
  test('Simple', () => {
    expectWire(R.OK, '+OK\r\n');
    expectWire(R.PONG, '+PONG\r\n');
    expectWire(R.QUEUED, '+QUEUED\r\n');
    expectWire(R.simple('Background saving started'), '+Background saving started\r\n');
  });

  test('Simple: CR and LF become spaces so the line cannot end early', () => {
    expectWire(R.simple('a\r\nb'), '+a  b\r\n');
  });

  test('Error: whole text after "-", CR and LF become spaces', () => {
    expectWire(R.errorReply('ERR syntax error'), '-ERR syntax error\r\n');
    expectWire(R.errorReply("ERR Protocol error: expected '$', got '\r'"), "-ERR Protocol error: expected '$', got ' '\r\n");
    expectWire(R.errorReply('ERR a\nb\r\nc'), '-ERR a b  c\r\n');
  });

  test('Int: small table, negatives, large numbers, bigint', () => {
    expectWire(R.ZERO, ':0\r\n');
    expectWire(R.ONE, ':1\r\n');
    expectWire(R.MINUS_ONE, ':-1\r\n');
    expectWire(R.MINUS_TWO, ':-2\r\n');
    expectWire(R.int(9999), ':9999\r\n');
    expectWire(R.int(10000), ':10000\r\n');
    expectWire(R.int(123456789), ':123456789\r\n');
    expectWire(R.int(Number.MAX_SAFE_INTEGER), ':9007199254740991\r\n');
    expectWire(R.int(-Number.MAX_SAFE_INTEGER), ':-9007199254740991\r\n');
    expectWire(R.int(9223372036854775807n), ':9223372036854775807\r\n');
    expectWire(R.int(-9223372036854775808n), ':-9223372036854775808\r\n');
    expectWire(R.int(5n), ':5\r\n');
  });

  test('Int: every small integer matches String(n)', () => {
    for (let n = 0; n < 10050; n++) assert.equal(wire(R.int(n), 2), `:${n}\r\n`);
  });

  test('Bulk: length is bytes (one per latin1 char), payload binary safe', () => {
    expectWire(R.bulk('hello'), '$5\r\nhello\r\n');
    expectWire(R.bulk(''), '$0\r\n\r\n');
    expectWire(R.bulk('a\r\nb\0\xff'), '$6\r\na\r\nb\0\xff\r\n');
    const bytes = encode(R.bulk('\xe9\x80'), 2);
    assert.deepEqual([...bytes.subarray(4, 6)], [0xe9, 0x80]);
  });

  test('Bulk: a large value', () => {
    const value = 'x'.repeat(1_000_000);
    assert.equal(wire(R.bulk(value), 2), `$1000000\r\n${value}\r\n`);
  });

  test('Nil and NilArray', () => {
    expectWire(R.NIL, '$-1\r\n', '_\r\n');
    expectWire(R.NIL_ARRAY, '*-1\r\n', '_\r\n');
    expectWire(R.bulkOrNil(null), '$-1\r\n', '_\r\n');
  });

  test('Double: RESP3 ",repr", RESP2 bulk of the same repr', () => {
    expectWire(R.double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n');
    expectWire(R.double(3), '$1\r\n3\r\n', ',3\r\n');
    expectWire(R.double(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n');
    expectWire(R.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n');
    expectWire(R.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n');
    expectWire(R.double(NaN), '$3\r\nnan\r\n', ',nan\r\n');
  });

  test('formatDouble: %.17g as redis-server 7.0 prints doubles, round-trippable', () => {
    assert.equal(formatDouble(0), '0');
    assert.equal(formatDouble(-0), '-0');
    assert.equal(formatDouble(-2.5), '-2.5');
    assert.equal(formatDouble(1e21), '1e+21');
    assert.equal(formatDouble(1.5e-7), '1.4999999999999999e-07');
    assert.equal(formatDouble(169317699813429.625), '169317699813429.62'); // an exact tie rounds to even
    assert.equal(formatDouble(123456789012), '123456789012');
    for (const n of [0.1 + 0.2, Math.PI, 1e300, 5e-324, -1.7976931348623157e308]) {
      assert.equal(Number(formatDouble(n)), n, String(n));
    }
  });

  test('Bool: RESP3 #t/#f, RESP2 :1/:0', () => {
    expectWire(R.bool(true), ':1\r\n', '#t\r\n');
    expectWire(R.bool(false), ':0\r\n', '#f\r\n');
  });

  test('Verbatim: RESP3 "=len txt:text" (len counts the txt: prefix), RESP2 bulk', () => {
    expectWire(R.verbatim('hello'), '$5\r\nhello\r\n', '=9\r\ntxt:hello\r\n');
    expectWire(R.verbatim('a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n');
    expectWire(R.verbatim(''), '$0\r\n\r\n', '=4\r\ntxt:\r\n');
  });

  test('BigNum: RESP3 "(digits", RESP2 bulk', () => {
    expectWire(R.bignum('3492890328409238509324850943850943825024385'), '$43\r\n3492890328409238509324850943850943825024385\r\n', '(3492890328409238509324850943850943825024385\r\n');
  });
});

describe('encode: aggregate kinds', () => {
  test('Array: count then items, nested', () => {
    expectWire(R.EMPTY_ARRAY, '*0\r\n');
    expectWire(R.bulks(['a', 'bc']), '*2\r\n$1\r\na\r\n$2\r\nbc\r\n');
    expectWire(R.array([R.int(1), R.array([R.NIL, R.OK])]), '*2\r\n:1\r\n*2\r\n$-1\r\n+OK\r\n', '*2\r\n:1\r\n*2\r\n_\r\n+OK\r\n');
  });

  test('Map: RESP3 counts pairs, RESP2 sends the flat key/value array', () => {
    const m = R.mapOf([['a', R.int(1)], ['b', R.double(2.5)]]);
    expectWire(m, '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$3\r\n2.5\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n,2.5\r\n');
    expectWire(R.map([]), '*0\r\n', '%0\r\n');
  });

  test('Set: RESP3 ~n, RESP2 *n', () => {
    expectWire(R.set([R.bulk('x'), R.bulk('y')]), '*2\r\n$1\r\nx\r\n$1\r\ny\r\n', '~2\r\n$1\r\nx\r\n$1\r\ny\r\n');
  });

  test('Push: RESP3 >n, RESP2 *n', () => {
    const message = R.push([R.bulk('message'), R.bulk('ch'), R.bulk('hi')]);
    expectWire(message, '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
  });

  test('aggregates hold every kind', () => {
    const all = R.array([
      R.OK, R.errorReply('ERR x'), R.int(-7), R.bulk('b'), R.NIL, R.NIL_ARRAY, R.EMPTY_ARRAY, R.map([R.bulk('k'), R.bool(true)]),
      R.set([]), R.double(-0.5), R.bool(false), R.verbatim('v'), R.push([]), R.bignum('12'),
    ]);
    assert.equal(
      wire(all, 2),
      '*14\r\n+OK\r\n-ERR x\r\n:-7\r\n$1\r\nb\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n$1\r\nk\r\n:1\r\n*0\r\n$4\r\n-0.5\r\n:0\r\n$1\r\nv\r\n*0\r\n$2\r\n12\r\n',
    );
    assert.equal(
      wire(all, 3),
      '*14\r\n+OK\r\n-ERR x\r\n:-7\r\n$1\r\nb\r\n_\r\n_\r\n*0\r\n%1\r\n$1\r\nk\r\n#t\r\n~0\r\n,-0.5\r\n#f\r\n=5\r\ntxt:v\r\n>0\r\n(12\r\n',
    );
  });
});

describe('ReplyBuffer', () => {
  test('accumulates many replies; take() returns them and empties the buffer', () => {
    const out = new ReplyBuffer();
    out.write(R.OK, 2);
    out.write(R.int(42), 2);
    out.write(R.bulk('v'), 2);
    assert.equal(out.length, 5 + 5 + 7);
    assert.equal(out.take().toString('latin1'), '+OK\r\n:42\r\n$1\r\nv\r\n');
    assert.equal(out.length, 0);
    assert.equal(out.take().length, 0);
  });

  test('bytes already taken are never overwritten by later writes', () => {
    const out = new ReplyBuffer();
    out.write(R.bulk('first'), 2);
    const first = out.take();
    const snapshot = Buffer.from(first);
    for (let i = 0; i < 100; i++) out.write(R.bulk(`reply ${i}`), 2);
    const rest = out.take();
    assert.ok(first.equals(snapshot));
    assert.ok(rest.toString('latin1').startsWith('$7\r\nreply 0\r\n'));
    assert.ok(rest.toString('latin1').endsWith('$8\r\nreply 99\r\n'));
  });

  test('grows across many writes and keeps them in order', () => {
    const out = new ReplyBuffer();
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      out.write(R.int(i * 7919), 3);
      expected += `:${i * 7919}\r\n`;
    }
    assert.equal(out.take().toString('latin1'), expected);
  });

  test('a huge reply is taken whole, and the buffer is usable afterwards', () => {
    const out = new ReplyBuffer();
    out.write(R.bulk('y'.repeat(3_000_000)), 2);
    assert.equal(out.take().length, 3_000_000 + 12);
    out.write(R.PONG, 2);
    assert.equal(out.take().toString('latin1'), '+PONG\r\n');
  });

  test('writeRaw appends pre-encoded bytes', () => {
    const out = new ReplyBuffer();
    out.write(R.ONE, 2);
    out.writeRaw(Buffer.from('+MONITOR LINE\r\n'));
    assert.equal(out.take().toString('latin1'), ':1\r\n+MONITOR LINE\r\n');
  });

  test('an unknown reply kind is a programming error', () => {
    assert.throws(() => encode({ k: 99 as R.ReplyKind, v: null }, 2), /unknown reply kind/);
  });
});
