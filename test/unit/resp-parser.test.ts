// RespParser: framing, limits and error texts as Redis 7 produces them
// (cases marked "Redis:" were checked against redis-server 7.0.15).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RespParser, isProtocolError, type ProtocolError, type RespParserOptions } from '../../src/protocols/resp/parser.js';

type Outcome = string[][] | { commands: string[][]; error: string };

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Every command the parser yields for input, fed in one go. */
function parse(input: string | Buffer, opts?: RespParserOptions): Outcome {
  const parser = new RespParser(opts);
  parser.feed(typeof input === 'string' ? bytes(input) : input);
  return drain(parser);
}

/** Pulls commands until the parser needs more bytes or fails. */
function drain(parser: RespParser, into: string[][] = []): Outcome {
  for (;;) {
    const result = parser.next();
    if (result === null) return into;
    if (isProtocolError(result)) return { commands: into, error: result.error };
    into.push(result);
  }
}

/** Feeds input in pieces of `size` bytes, draining after each one. */
function parseInPieces(input: string, size: number): Outcome {
  const parser = new RespParser();
  const all = bytes(input);
  const commands: string[][] = [];
  for (let at = 0; at < all.length; at += size) {
    parser.feed(all.subarray(at, at + size));
    const outcome = drain(parser, commands);
    if (!Array.isArray(outcome)) return outcome;
  }
  return commands;
}

function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

function errorOf(input: string, opts?: RespParserOptions): string {
  const outcome = parse(input, opts);
  assert.ok(!Array.isArray(outcome), `expected a protocol error, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

describe('RespParser: multibulk requests', () => {
  test('parses a RESP array of bulk strings', () => {
    assert.deepEqual(parse(resp('SET', 'key', 'value')), [['SET', 'key', 'value']]);
  });

  test('returns null until a command is complete, then the command', () => {
    const parser = new RespParser();
    assert.equal(parser.next(), null);
    parser.feed(bytes('*2\r\n$4\r\nECHO\r\n$5\r\nhel'));
    assert.equal(parser.next(), null);
    parser.feed(bytes('lo\r\n'));
    assert.deepEqual(parser.next(), ['ECHO', 'hello']);
    assert.equal(parser.next(), null);
  });

  test('arguments are binary safe: CR, LF, NUL and high bytes come back as latin1 chars', () => {
    const arg = 'a\r\nb\0\xff\x80\r\n';
    assert.deepEqual(parse(resp('SET', arg, '')), [['SET', arg, '']]);
  });

  test('empty bulk strings are arguments', () => {
    assert.deepEqual(parse('*3\r\n$0\r\n\r\n$1\r\nx\r\n$0\r\n\r\n'), [['', 'x', '']]);
  });

  test('*0 and negative counts produce no command (Redis: ignored)', () => {
    assert.deepEqual(parse('*0\r\n*-1\r\n*-10\r\n' + resp('PING')), [['PING']]);
    assert.deepEqual(parse('*0\r\n'), []);
    assert.deepEqual(parse('*-9223372036854775808\r\n'), []);
  });

  test('pipelines of any depth come out in order', () => {
    const commands = Array.from({ length: 500 }, (_, i) => ['SET', `k${i}`, `v${i}`]);
    assert.deepEqual(parse(commands.map((c) => resp(...c)).join('')), commands);
  });

  test('frames split at every byte boundary parse the same', () => {
    const input = resp('SET', 'a\r\nb', '') + '*0\r\n' + resp('GET', 'a') + 'PING\r\n' + resp('DEL', 'x', 'y');
    const expected = [['SET', 'a\r\nb', ''], ['GET', 'a'], ['PING'], ['DEL', 'x', 'y']];
    for (let size = 1; size <= input.length; size++) {
      assert.deepEqual(parseInPieces(input, size), expected, `piece size ${size}`);
    }
    for (let cut = 0; cut <= input.length; cut++) {
      const parser = new RespParser();
      parser.feed(bytes(input.slice(0, cut)));
      const got = drain(parser) as string[][];
      parser.feed(bytes(input.slice(cut)));
      assert.deepEqual(drain(parser, got), expected, `cut at ${cut}`);
    }
  });

  test('a big bulk arriving in many chunks is assembled once complete', () => {
    const value = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
    const frame = Buffer.concat([bytes(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${value.length}\r\n`), value, bytes('\r\n'), bytes(resp('GET', 'k'))]);
    const parser = new RespParser();
    const commands: string[][] = [];
    for (let at = 0; at < frame.length; at += 65536) {
      parser.feed(frame.subarray(at, at + 65536));
      drain(parser, commands);
    }
    assert.equal(commands.length, 2);
    assert.equal(commands[0]![2]!.length, value.length);
    assert.ok(Buffer.from(commands[0]![2]!, 'latin1').equals(value));
    assert.deepEqual(commands[1], ['GET', 'k']);
    assert.equal(parser.bufferedBytes(), 0);
  });

  test('the bytes after a bulk payload are skipped unchecked (Redis: same)', () => {
    assert.deepEqual(parse('*2\r\n$4\r\nECHO\r\n$3\r\nfooXY' + resp('PING')), [['ECHO', 'foo'], ['PING']]);
  });

  test('a header line ends at CR and the next byte is skipped unchecked (Redis: same)', () => {
    assert.deepEqual(parse('*1\rX$4\r\nPING\r\n'), [['PING']]);
  });

  test('a header waits for the byte after its CR', () => {
    const parser = new RespParser();
    parser.feed(bytes('*1\r'));
    assert.equal(parser.next(), null);
    parser.feed(bytes('\n$4\r'));
    assert.equal(parser.next(), null);
    parser.feed(bytes('\nPING\r\n'));
    assert.deepEqual(parser.next(), ['PING']);
  });

  test('multibulk count up to maxArgs is accepted', () => {
    assert.deepEqual(parse(resp('a', 'b', 'c'), { maxArgs: 3 }), [['a', 'b', 'c']]);
  });

  test('bulk length up to maxBulkBytes is accepted', () => {
    assert.deepEqual(parse(resp('abcd'), { maxBulkBytes: 4 }), [['abcd']]);
  });
});

describe('RespParser: inline requests', () => {
  test('splits on blanks; CRLF or bare LF ends the line', () => {
    assert.deepEqual(parse('PING\r\n'), [['PING']]);
    assert.deepEqual(parse('  SET   key \t value  \r\n'), [['SET', 'key', 'value']]);
    assert.deepEqual(parse('ECHO hi\nPING\n'), [['ECHO', 'hi'], ['PING']]);
  });

  test('empty and blank lines produce nothing', () => {
    assert.deepEqual(parse('\r\n\n   \r\n\t\nPING\r\n'), [['PING']]);
  });

  test('waits for the end of the line', () => {
    const parser = new RespParser();
    parser.feed(bytes('SET a'));
    assert.equal(parser.next(), null);
    parser.feed(bytes(' b\r'));
    assert.equal(parser.next(), null);
    parser.feed(bytes('\n'));
    assert.deepEqual(parser.next(), ['SET', 'a', 'b']);
  });

  test('double quotes: blanks kept, escapes \\n \\r \\t \\b \\a \\\\ \\" and \\xHH', () => {
    assert.deepEqual(parse('SET "a b" "\\n\\r\\t\\b\\a\\\\\\"\\x41\\xff\\x0a"\r\n'), [['SET', 'a b', '\n\r\t\b\x07\\"A\xff\n']]);
  });

  test('double quotes: other escapes stand for the char, a short \\x is a plain x (Redis: same)', () => {
    assert.deepEqual(parse('ECHO "a\\qb" "\\x4" "\\xZZ"\r\n'), [['ECHO', 'aqb', 'x4', 'xZZ']]);
  });

  test('double quotes: CR inside quotes is literal', () => {
    assert.deepEqual(parse('ECHO "a\rb"\r\n'), [['ECHO', 'a\rb']]);
  });

  test("single quotes: only \\' is an escape", () => {
    assert.deepEqual(parse("SET 'it\\'s' 'a\\nb' 'x \"y\"'\r\n"), [['SET', "it's", 'a\\nb', 'x "y"']]);
  });

  test('empty quotes make an empty argument', () => {
    assert.deepEqual(parse('SET k ""\r\n'), [['SET', 'k', '']]);
    assert.deepEqual(parse("SET k ''\r\n"), [['SET', 'k', '']]);
  });

  test('quotes may start mid-word (Redis: a"b c" is one argument "ab c")', () => {
    assert.deepEqual(parse('ECHO a"b c"\r\n'), [['ECHO', 'ab c']]);
  });

  test('vertical tab and form feed are skipped between words but kept inside them (Redis: same)', () => {
    assert.deepEqual(parse('ECHO \x0ba\x0bb c\x0c\r\n'), [['ECHO', 'a\x0bb', 'c\x0c']]);
  });

  test('a closing quote may be followed by any blank', () => {
    assert.deepEqual(parse('ECHO "x"\x0b\r\n'), [['ECHO', 'x']]);
  });

  test('NUL and high bytes are ordinary bytes (binary safe; Redis stalls on NUL)', () => {
    assert.deepEqual(parse('ECHO a\0b \xe9\r\n'), [['ECHO', 'a\0b', '\xe9']]);
  });

  test('a line longer than maxInlineBytes is accepted when its newline is already there (Redis: same)', () => {
    const long = 'x'.repeat(100_000);
    assert.deepEqual(parse(`ECHO ${long}\r\n`), [['ECHO', long]]);
  });

  test('inline and multibulk requests mix in one stream', () => {
    assert.deepEqual(parse('PING\r\n' + resp('GET', 'k') + 'ECHO "a b"\n'), [['PING'], ['GET', 'k'], ['ECHO', 'a b']]);
  });
});

describe('RespParser: protocol errors (exact Redis texts)', () => {
  test('invalid multibulk length: not a number, empty, +, leading zero, -0, spaces, overflow', () => {
    for (const header of ['*abc', '*', '*+1', '*01', '*-0', '*1 ', '* 1', '*1.5', '*99999999999999999999', '*9223372036854775808']) {
      assert.equal(errorOf(`${header}\r\n`), 'invalid multibulk length', header);
    }
  });

  test('invalid multibulk length: above maxArgs', () => {
    assert.equal(errorOf('*1048577\r\n'), 'invalid multibulk length');
    assert.equal(errorOf('*3000000000\r\n'), 'invalid multibulk length');
    assert.equal(errorOf(resp('a', 'b', 'c'), { maxArgs: 2 }), 'invalid multibulk length');
  });

  test("expected '$', got 'x'", () => {
    assert.equal(errorOf('*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n'), "expected '$', got 'f'");
    assert.equal(errorOf('*1\r\n:1\r\n'), "expected '$', got ':'");
    assert.equal(errorOf('*1\r\n\r\n'), "expected '$', got '\r'");
  });

  test('invalid bulk length: negative, not a number, leading zero, overflow', () => {
    for (const header of ['$-1', '$-10', '$abc', '$', '$04', '$+4', '$4 ', '$99999999999999999999']) {
      assert.equal(errorOf(`*1\r\n${header}\r\n`), 'invalid bulk length', header);
    }
  });

  test('invalid bulk length: above maxBulkBytes (proto-max-bulk-len)', () => {
    assert.equal(errorOf('*1\r\n$2000000000\r\n'), 'invalid bulk length');
    assert.equal(errorOf(resp('abcde'), { maxBulkBytes: 4 }), 'invalid bulk length');
  });

  test('unbalanced quotes in request', () => {
    for (const line of ['SET "foo bar', "SET 'foo", 'ECHO "a"b', "ECHO 'a'b", 'ECHO "a\\"', 'ECHO "\\']) {
      assert.equal(errorOf(`${line}\r\n`), 'unbalanced quotes in request', line);
    }
  });

  test('too big inline request: more than 64 KiB buffered without a newline', () => {
    const parser = new RespParser();
    parser.feed(bytes('x'.repeat(65536)));
    assert.equal(parser.next(), null, 'exactly 64 KiB is still tolerated');
    parser.feed(bytes('x'));
    assert.deepEqual(parser.next(), { error: 'too big inline request' });
  });

  test('too big mbulk count string', () => {
    assert.equal(errorOf('*' + '1'.repeat(70_000)), 'too big mbulk count string');
  });

  test('too big bulk count string', () => {
    assert.equal(errorOf('*1\r\n$' + '1'.repeat(70_000)), 'too big bulk count string');
  });

  test('the line limit follows maxInlineBytes', () => {
    assert.equal(errorOf('PING PING PING', { maxInlineBytes: 8 }), 'too big inline request');
    assert.deepEqual(parse('PING\r\n', { maxInlineBytes: 8 }), [['PING']]);
  });

  test('a line arriving a byte at a time is judged on the total buffered', () => {
    const parser = new RespParser({ maxInlineBytes: 100 });
    for (let i = 0; i < 100; i++) {
      parser.feed(bytes('a'));
      assert.equal(parser.next(), null);
    }
    parser.feed(bytes('a'));
    assert.deepEqual(parser.next(), { error: 'too big inline request' });
  });

  test('commands before the error are delivered first', () => {
    assert.deepEqual(parse(resp('PING') + 'ECHO ok\r\n*x\r\n' + resp('PING')), {
      commands: [['PING'], ['ECHO', 'ok']],
      error: 'invalid multibulk length',
    });
  });

  test('after an error the parser is dead: same error again, input dropped', () => {
    const parser = new RespParser();
    parser.feed(bytes('*x\r\n'));
    const first = parser.next() as ProtocolError;
    assert.deepEqual(first, { error: 'invalid multibulk length' });
    assert.equal(parser.isDead(), true);
    parser.feed(bytes(resp('PING')));
    assert.equal(parser.next(), first);
    assert.equal(parser.bufferedBytes(), 0);
  });

  test('unauthenticated clients get Redis tighter limits', () => {
    const parser = new RespParser();
    parser.setAuthenticated(false);
    parser.feed(bytes(resp(...Array.from({ length: 10 }, () => 'a'))));
    assert.equal((parser.next() as string[]).length, 10);
    parser.feed(bytes('*11\r\n'));
    assert.deepEqual(parser.next(), { error: 'unauthenticated multibulk length' });

    const bulky = new RespParser();
    bulky.setAuthenticated(false);
    bulky.feed(bytes('*1\r\n$16385\r\n'));
    assert.deepEqual(bulky.next(), { error: 'unauthenticated bulk length' });

    const later = new RespParser();
    later.setAuthenticated(false);
    later.setAuthenticated(true);
    later.feed(bytes('*1\r\n$16385\r\n' + 'x'.repeat(16385) + '\r\n'));
    assert.equal((later.next() as string[])[0]!.length, 16385);
  });
});

describe('RespParser: buffer accounting', () => {
  test('bufferedBytes counts unparsed input', () => {
    const parser = new RespParser();
    parser.feed(bytes(resp('PING') + '*2\r\n$3\r\nGET'));
    assert.equal(parser.bufferedBytes(), 14 + 11);
    assert.deepEqual(parser.next(), ['PING']);
    assert.equal(parser.bufferedBytes(), 11);
    assert.equal(parser.next(), null);
    // The header and count lines are consumed; the partial bulk stays buffered.
    assert.equal(parser.bufferedBytes(), 3);
    parser.feed(bytes('\r\n$1\r\nk\r\n'));
    assert.deepEqual(parser.next(), ['GET', 'k']);
    assert.equal(parser.bufferedBytes(), 0);
  });

  test('exceedsQueryBufferLimit counts buffered bytes plus arguments already read', () => {
    const parser = new RespParser({ maxQueryBufferBytes: 15 });
    parser.feed(bytes('*3\r\n$10\r\n0123456789\r\n$10\r\n01234'));
    assert.equal(parser.next(), null);
    assert.equal(parser.exceedsQueryBufferLimit(), false); // 10 read + 5 buffered
    parser.feed(bytes('5'));
    assert.equal(parser.exceedsQueryBufferLimit(), true);
  });

  test('isProtocolError tells errors from commands', () => {
    assert.equal(isProtocolError({ error: 'x' }), true);
    assert.equal(isProtocolError(['PING']), false);
    assert.equal(isProtocolError(null), false);
  });

  test('pending bytes outgrowing the recycled buffer are moved to a big enough one', () => {
    const parser = new RespParser();
    parser.feed(bytes('*1\r\n$4\r\nPI'));
    assert.equal(parser.next(), null);
    parser.feed(bytes('NG\r\n')); // copied into a buffer of the parser's own
    assert.deepEqual(parser.next(), ['PING']);
    parser.feed(bytes('*2\r\n$3\r\nSET\r\n$20000\r\n' + 'a'.repeat(100))); // parsed in place; own buffer set aside
    assert.equal(parser.next(), null);
    parser.feed(bytes('b'.repeat(19_900) + '\r\n')); // 20002 pending bytes: more than the set-aside buffer holds
    assert.deepEqual(parser.next(), ['SET', 'a'.repeat(100) + 'b'.repeat(19_900)]);
  });

  test('the caller chunk is not modified', () => {
    const chunk = bytes(resp('SET', 'k', 'v') + '*1\r\n$4\r\nPI');
    const copy = Buffer.from(chunk);
    const parser = new RespParser();
    parser.feed(chunk);
    drain(parser);
    parser.feed(bytes('NG\r\n'));
    assert.deepEqual(drain(parser), [['PING']]);
    assert.ok(chunk.equals(copy));
  });
});
