// Long-double emulation (INCRBYFLOAT arithmetic): vectors recorded from a real Redis 7.0.15
// on x86-64, plus properties checked against a live redis-server when one is on PATH.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import fc from 'fast-check';
import {
  addLongDouble,
  formatLongDoubleHuman,
  incrByFloat,
  isFiniteLongDouble,
  parseLongDouble,
  type IncrByFloatResult,
  type LongDouble,
} from '../../src/core/long-double.js';

const NOT_FLOAT = 'ERR value is not a valid float';
const NAN_OR_INF = 'ERR increment would produce NaN or Infinity';

/** What Redis replies for INCRBYFLOAT, from our result. */
function asReply(r: IncrByFloatResult): string {
  if ('ok' in r) return r.ok;
  return r.error === 'not-float' ? NOT_FLOAT : NAN_OR_INF;
}

// [stored value, increment, Redis 7.0.15 reply] — each obtained with SET k <value> then
// INCRBYFLOAT k <increment> against redis-server 7.0.15 (x86-64, glibc).
const VECTORS: ReadonlyArray<readonly [string, string, string]> = [
  ['0', '0.1', '0.1'],
  ['0.1', '0.1', '0.2'],
  ['0.2', '0.1', '0.3'],
  ['10.5', '0.1', '10.6'],
  ['1e10', '0.1', '10000000000.09999999962747097'],
  ['3.0e3', '2.0e2', '3200'],
  ['5.0e3', '2.0e-2', '5000.02000000000000002'],
  ['1.1', '2.2', '3.3'],
  ['-1.1', '-2.2', '-3.3'],
  ['0.3', '-0.1', '0.2'],
  ['0.1', '0.2', '0.3'],
  ['1.5', '0', '1.5'],
  ['1e20', '1', '100000000000000000000'],
  ['1e30', '1e-30', '1000000000000000000024696061952'],
  ['1e18', '0.5', '1000000000000000000.5'],
  ['123456789.123456789', '0.000000001', '123456789.12345678999554366'],
  ['0', '0.123456789012345678901234567890', '0.12345678901234568'],
  ['0', '-123456789012345678901234567890e-10', '-12345678901234567890'],
  // 64-bit significand: integers beyond 2^53 stay exact up to 2^64.
  ['9007199254740993', '0', '9007199254740993'],
  ['18446744073709551615', '0', '18446744073709551615'],
  ['18446744073709551617', '0', '18446744073709551616'],
  // Rounding at the 17th decimal, ties to even (2^-18 = 0.000003814697265625 exactly).
  ['0', '0.000003814697265625', '0.00000381469726562'],
  ['1e-17', '5e-18', '0.00000000000000002'],
  ['0', '0.000000000000000015', '0.00000000000000002'],
  ['0', '0.000000000000000025', '0.00000000000000002'],
  ['1', '-1e-18', '1'],
  ['-1', '1e-18', '-1'],
  ['-5e-1', '1e-30', '-0.5'],
  // Negative zero and tiny negatives print as "0" (ld2string turns "-0" into "0").
  ['-0', '-0', '0'],
  ['0', '-1e-20', '0'],
  ['0', '1e-20', '0'],
  ['-0.5', '0.5', '0'],
  ['3', '-3', '0'],
  ['0', '-0.5', '-0.5'],
  // Syntax accepted by strtold.
  ['0', '0x1p3', '8'],
  ['0', '0x1.8p1', '3'],
  ['0', '.5', '0.5'],
  ['0', '5.', '5'],
  ['0', '+1', '1'],
  ['+.1e+1', '-1E-1', '0.9'],
  ['0', '0e99999999999', '0'],
  ['0', '0x1.0000000000000001p0', '1'],
  ['0', '0x1.00000000000000018p0', '1'],
  // Syntax rejected by string2ld.
  ['0', '  1', NOT_FLOAT],
  ['0', '\t1', NOT_FLOAT],
  ['0', '\v1', NOT_FLOAT],
  ['0', '1 ', NOT_FLOAT],
  ['0', '', NOT_FLOAT],
  ['', '1', NOT_FLOAT],
  ['1\0', '1', NOT_FLOAT],
  ['0', '0x', NOT_FLOAT],
  ['0', '0x.p1', NOT_FLOAT],
  ['1', '0x1p', NOT_FLOAT],
  ['1', '1e', NOT_FLOAT],
  ['0', '1e+', NOT_FLOAT],
  ['0', '.', NOT_FLOAT],
  ['1', '-', NOT_FLOAT],
  ['0', '++1', NOT_FLOAT],
  ['0', '1_0', NOT_FLOAT],
  ['1', '1,5', NOT_FLOAT],
  ['1', '1.2.3', NOT_FLOAT],
  ['0', 'infin', NOT_FLOAT],
  ['1', 'nan', NOT_FLOAT],
  ['1', '-nan', NOT_FLOAT],
  ['1', 'NaN', NOT_FLOAT],
  ['0', 'nan(1)', NOT_FLOAT],
  // Overflow and underflow while parsing.
  ['0', '1e5000', NOT_FLOAT],
  ['1e5000', '1', NOT_FLOAT],
  ['0', '1e99999999999', NOT_FLOAT],
  ['0', '1.18973149535723176509e4932', NOT_FLOAT], // above LDBL_MAX + half an ulp
  ['0', '1e-5000', NOT_FLOAT],
  ['0', '1e-99999999999', NOT_FLOAT],
  ['0', '1.8e-4951', NOT_FLOAT], // below half the smallest subnormal: rounds to 0
  ['0', '0x1p-16446', NOT_FLOAT], // exactly half the smallest subnormal: tie to 0
  // Subnormals are kept (tiny but nonzero).
  ['0', '1.9e-4951', '0'],
  ['0', '1e-4940', '0'],
  ['0', '0x1p-16445', '0'],
  ['0', '0x1.8p-16446', '0'],
  ['0x1p-16445', '0x1p-16445', '0'],
  ['0x1p-16382', '-0x1p-16445', '0'],
  ['1e-4950', '0x1p-16445', '0'],
  // Infinite operands parse, then the result check fails.
  ['0', 'inf', NAN_OR_INF],
  ['0', 'INFINITY', NAN_OR_INF],
  ['1', 'Infinity', NAN_OR_INF],
  ['inf', '1', NAN_OR_INF],
  ['0', '-inf', NAN_OR_INF],
  ['-inf', '+inf', NAN_OR_INF],
  // Overflow in the addition.
  ['1e4932', '1e4932', NAN_OR_INF],
  ['0x1.fffffffffffffffep16383', '0x1p16320', NAN_OR_INF],
];

describe('long double: vectors from Redis 7.0.15', () => {
  for (const [value, incr, expected] of VECTORS) {
    test(`${JSON.stringify(value)} + ${JSON.stringify(incr)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(asReply(incrByFloat(value, incr)), expected);
    });
  }

  test('INCRBYFLOAT k 0.1 three times on a missing key', () => {
    let cur: string | null = null;
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = incrByFloat(cur, '0.1');
      assert.ok('ok' in r);
      cur = r.ok;
      seen.push(r.ok);
    }
    assert.deepEqual(seen, ['0.1', '0.2', '0.3']);
  });

  test('1e4000 prints its whole integer part (4000 digits)', () => {
    const r = incrByFloat('0', '1e4000');
    assert.ok('ok' in r);
    assert.equal(r.ok.length, 4000);
    assert.ok(r.ok.startsWith('9999999999999999999965463873099623784932'));
    assert.ok(r.ok.endsWith('1956972190272729951206648276349901340672'));
  });

  test('LDBL_MAX prints as its exact 4933-digit integer', () => {
    for (const s of ['1.18973149535723176502e4932', '0x1.fffffffffffffffep16383']) {
      const r = incrByFloat('0', s);
      assert.ok('ok' in r);
      assert.equal(r.ok, ((2n ** 64n - 1n) << 16320n).toString());
      assert.equal(r.ok.length, 4933);
      assert.ok(r.ok.startsWith('118973149535723176502126385303097020516906332229462420044032'));
      assert.ok(r.ok.endsWith('6604419552086811989770240'));
    }
  });

  test('2^16383 plus and minus', () => {
    let r = incrByFloat('0', '0x1p16383');
    assert.ok('ok' in r);
    assert.equal(r.ok.length, 4932);
    r = incrByFloat(r.ok, '-0x1p16383');
    assert.deepEqual(r, { ok: '0' });
  });

  test('string length limit: 5119 bytes parse, 5120 do not', () => {
    assert.deepEqual(incrByFloat('0'.repeat(5118) + '1', '1'), { ok: '2' });
    assert.deepEqual(incrByFloat('0'.repeat(5119) + '1', '1'), { error: 'not-float' });
  });
});

describe('long double: primitives', () => {
  const p = (s: string): LongDouble => {
    const v = parseLongDouble(s);
    assert.ok(v !== null, s);
    return v;
  };

  test('zeros and signs', () => {
    assert.deepEqual(p('-0'), { kind: 'zero', neg: true });
    assert.deepEqual(p('0'), { kind: 'zero', neg: false });
    assert.deepEqual(addLongDouble(p('-0'), p('-0')), { kind: 'zero', neg: true });
    assert.deepEqual(addLongDouble(p('-0'), p('0')), { kind: 'zero', neg: false });
    assert.deepEqual(addLongDouble(p('1.5'), p('-1.5')), { kind: 'zero', neg: false });
    assert.equal(formatLongDoubleHuman(p('-0')), '0');
  });

  test('canonical representation', () => {
    assert.deepEqual(p('8'), { kind: 'finite', neg: false, mant: 1n, exp: 3 });
    assert.deepEqual(p('-0x3p-2'), { kind: 'finite', neg: true, mant: 3n, exp: -2 });
    assert.deepEqual(p('0x1p-16445'), { kind: 'finite', neg: false, mant: 1n, exp: -16445 });
    // 0.1 rounded to 64 bits: 0xCCCCCCCCCCCCCCCD * 2^-67.
    assert.deepEqual(p('0.1'), { kind: 'finite', neg: false, mant: 0xCCCCCCCCCCCCCCCDn, exp: -67 });
  });

  test('special values', () => {
    const inf = p('inf');
    const ninf = p('-Infinity');
    assert.equal(isFiniteLongDouble(inf), false);
    assert.equal(isFiniteLongDouble(p('1')), true);
    assert.equal(isFiniteLongDouble(p('0')), true);
    assert.deepEqual(addLongDouble(inf, ninf), { kind: 'nan' });
    assert.equal(isFiniteLongDouble(addLongDouble(inf, ninf)), false);
    assert.equal(formatLongDoubleHuman(inf), 'inf');
    assert.equal(formatLongDoubleHuman(ninf), '-inf');
    assert.equal(parseLongDouble('nan'), null);
  });

  test('addition is commutative and printing is stable (fast-check)', () => {
    const dec = decimalArb(30);
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        const x = parseLongDouble(a);
        const y = parseLongDouble(b);
        if (x === null || y === null) return;
        assert.deepEqual(addLongDouble(x, y), addLongDouble(y, x));
        // Adding zero changes nothing; the printed text parses back within 17 decimals.
        assert.deepEqual(addLongDouble(x, parseLongDouble('0') as LongDouble), x.kind === 'zero' ? { kind: 'zero', neg: false } : x);
        const printed = formatLongDoubleHuman(x);
        const again = parseLongDouble(printed);
        assert.ok(again !== null, printed);
        assert.equal(formatLongDoubleHuman(again), printed);
      }),
      { numRuns: 500 },
    );
  });
});

/** Random decimal strings: sign, digits, optional fraction and exponent within ±maxExp. */
function decimalArb(maxExp: number): fc.Arbitrary<string> {
  const digits = (min: number, max: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
  return fc
    .record({
      sign: fc.constantFrom('', '-', '+'),
      int: digits(0, 22),
      frac: fc.option(digits(0, 22), { nil: undefined }),
      exp: fc.option(fc.integer({ min: -maxExp, max: maxExp }), { nil: undefined }),
      e: fc.constantFrom('e', 'E'),
    })
    .map(({ sign, int, frac, exp, e }) => {
      let body = int;
      if (frac !== undefined) body += '.' + frac;
      if (body === '' || body === '.') body = '0' + (frac !== undefined ? '.' + frac : '');
      if (exp !== undefined) body += e + (exp >= 0 && exp % 2 === 0 ? '+' : '') + String(exp);
      return sign + body;
    });
}

/** Harder inputs: extreme exponents, hex floats, infinities, near-misses of the grammar. */
function edgeArb(): fc.Arbitrary<string> {
  const hexDigits = fc
    .array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 1, maxLength: 20 })
    .map((d) => d.join(''));
  return fc.oneof(
    decimalArb(30),
    fc.tuple(fc.constantFrom('', '-'), fc.integer({ min: 1, max: 99999 }), fc.integer({ min: -4970, max: 4940 }))
      .map(([s, m, e]) => `${s}${m}e${e}`),
    fc.tuple(fc.constantFrom('', '-'), hexDigits, fc.option(hexDigits, { nil: undefined }), fc.integer({ min: -16500, max: 16400 }))
      .map(([s, i, f, e]) => `${s}0x${i}${f === undefined ? '' : '.' + f}p${e}`),
    fc.constantFrom('inf', '-inf', 'Infinity', 'nan', ' 1', '1 ', '', '0x', '1e', '.', '-', '+.5', '5.', '0e0', '-0'),
    fc.tuple(decimalArb(10), fc.constantFrom('x', ' ', '.', 'e', '_')).map(([d, junk]) => d + junk),
  );
}

// ---- Live comparison against redis-server -------------------------------------------------

const REDIS_AVAILABLE = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const SKIP_LIVE = REDIS_AVAILABLE ? false : 'redis-server not found on PATH: live comparison skipped';

/** A minimal RESP2 client over node:net: one connection, pipelined, replies in order. */
class RespClient {
  private buf = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (v: string | null) => void; reject: (e: Error) => void }> = [];

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    sock.on('error', (e) => this.failAll(e));
    sock.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(new RespClient(sock));
      });
      sock.once('error', reject);
    });
  }

  /** Sends one command; resolves with the bulk/simple/integer text, or "ERR ..." for an error reply. */
  command(...args: string[]): Promise<string | null> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
    for (const a of args) {
      const b = Buffer.from(a, 'latin1');
      parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(Buffer.concat(parts));
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  private drain(): void {
    for (;;) {
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      const type = String.fromCharCode(this.buf[0] as number);
      const line = this.buf.toString('latin1', 1, nl);
      let value: string | null;
      let consumed: number;
      if (type === '+' || type === '-' || type === ':') {
        value = line;
        consumed = nl + 2;
      } else if (type === '$') {
        const n = Number(line);
        if (n < 0) {
          value = null;
          consumed = nl + 2;
        } else {
          if (this.buf.length < nl + 2 + n + 2) return;
          value = this.buf.toString('latin1', nl + 2, nl + 2 + n);
          consumed = nl + 2 + n + 2;
        }
      } else {
        this.failAll(new Error(`unexpected RESP type ${JSON.stringify(type)}`));
        return;
      }
      this.buf = this.buf.subarray(consumed);
      const w = this.waiting.shift();
      if (w) w.resolve(value);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startRedis(): Promise<{ proc: ChildProcess; client: RespClient }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    let exited = false;
    proc.once('exit', () => { exited = true; });
    for (let i = 0; i < 100 && !exited; i++) {
      try {
        const client = await RespClient.connect(port);
        if ((await client.command('PING')) === 'PONG') return { proc, client };
        client.close();
      } catch (e) {
        lastError = e;
      }
      await sleep(50);
    }
    if (!exited && proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
  }
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

describe('long double: live comparison with redis-server', { skip: SKIP_LIVE }, () => {
  let proc: ChildProcess | undefined;
  let client: RespClient | undefined;

  before(async () => {
    ({ proc, client } = await startRedis());
  });

  after(() => {
    client?.close();
    if (proc?.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, 'SIGTERM');
  });

  async function redisIncr(value: string, incr: string): Promise<string | null> {
    const c = client as RespClient;
    const [, reply] = await Promise.all([c.command('SET', 'ld:k', value), c.command('INCRBYFLOAT', 'ld:k', incr)]);
    return reply;
  }

  test('recorded vectors still hold on this redis-server', async () => {
    for (const [value, incr, expected] of VECTORS) {
      assert.equal(await redisIncr(value, incr), expected, `${JSON.stringify(value)} + ${JSON.stringify(incr)}`);
    }
  });

  test('300 random decimal pairs (exponents within ±30) match INCRBYFLOAT', async () => {
    await fc.assert(
      fc.asyncProperty(decimalArb(30), decimalArb(30), async (a, b) => {
        assert.equal(asReply(incrByFloat(a, b)), await redisIncr(a, b), `${a} + ${b}`);
      }),
      { numRuns: 300 },
    );
  });

  test('200 edge-case pairs (extreme exponents, hex, inf, bad syntax) match INCRBYFLOAT', async () => {
    await fc.assert(
      fc.asyncProperty(edgeArb(), edgeArb(), async (a, b) => {
        assert.equal(asReply(incrByFloat(a, b)), await redisIncr(a, b), `${a} + ${b}`);
      }),
      { numRuns: 200 },
    );
  });

  test('chains of increments stay in step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(decimalArb(8), { minLength: 1, maxLength: 10 }), async (incrs) => {
        const c = client as RespClient;
        await c.command('DEL', 'ld:chain');
        let ours: string | null = null;
        for (const incr of incrs) {
          const theirs = await c.command('INCRBYFLOAT', 'ld:chain', incr);
          const r = incrByFloat(ours, incr);
          assert.equal(asReply(r), theirs, `${String(ours)} + ${incr}`);
          if ('ok' in r) ours = r.ok;
        }
      }),
      { numRuns: 50 },
    );
  });
});
