// Seeded random command sequences for the strings/keys differential test.
//
// The same (seed, count) always yields the same sequence, so any mismatch replays from its
// seed. Arguments are latin1 strings (one char per byte), so binary keys and values are plain
// strings here and become exact bytes on the wire.
//
// What the generator avoids, and why (see docs/differences.md for the comparison rules):
// - Timing races. Relative TTLs are drawn without repetition from values 10 s apart (see
//   TtlPool), so EXPIRE ... GT/LT never compares two deadlines that could be equal on one server
//   and a millisecond apart on the other. Nothing expires during a run except keys given a
//   past absolute time or a non-positive TTL, which expire at once on both.
// - Huge allocations. SETRANGE offsets stay small unless they are meant to fail the size check.
// - Commands whose replies legitimately differ (SCAN cursors, DUMP payloads) are steps with
//   their own comparison rule, never compared byte for byte.
import type { Mode } from './normalize.js';

/** One unit of work, sent on connection 'a' (the main one) or 'b' (the one that breaks WATCHes). */
export type Step =
  | { op: 'cmd'; conn: Conn; cmd: string; argv: string[]; mode: Mode }
  /** SCAN from `cursor` with `options`; from cursor 0, iterated to the end on each side. */
  | { op: 'scan'; conn: Conn; cmd: 'SCAN'; cursor: string; options: string[] }
  /** DUMP `source` on each side, then RESTORE `target` with that side's own payload. */
  | { op: 'dump-restore'; conn: Conn; cmd: 'RESTORE'; source: string; target: string; ttl: string; options: string[] }
  // The steps below come from the collections generator (collections.ts); see runner.ts.
  /**
   * A random pick (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): the collection is read first on
   * each side, then the pick is checked by its properties. After SPOP the subject is brought back
   * in line with the reference (see docs/differences.md).
   */
  | {
      op: 'pick';
      conn: Conn;
      cmd: PickCommand;
      argv: string[];
      key: string;
      count: number | null;
      withValues: boolean;
      /**
       * When set, the count is the collection's size minus this (at least 1), computed by the
       * runner from the read before the pick, and written into argv[2]: SPOP's strategies depend
       * on how many members remain, which the generator cannot know.
       */
      countBelowSize?: number;
    }
  /** HSCAN, SSCAN or ZSCAN of `key` from `cursor`; from cursor 0, iterated to the end on each side. */
  | { op: 'kscan'; conn: Conn; cmd: 'HSCAN' | 'SSCAN' | 'ZSCAN'; key: string; cursor: string; options: string[] }
  /**
   * Blocking across connections: each waiter (a fresh connection) sends its command and is seen
   * blocked before the next one; then connection a sends `pushes`; every reply is compared.
   */
  | { op: 'block'; conn: Conn; cmd: string; waiters: string[][]; pushes: string[][] }
  /**
   * A lexicographic range command (ZLEXCOUNT, ZRANGEBYLEX, ...) on `key`: sent only when the
   * sorted set's members all have the same score (or it is missing, or not a sorted set). Redis
   * leaves the result open otherwise, and two redis-servers disagree.
   */
  | { op: 'lex'; conn: Conn; cmd: string; argv: string[]; key: string }
  /** A subscriber connection and connection a take turns; the subscriber's whole transcript is compared. */
  | { op: 'pubsub'; conn: Conn; cmd: 'PUBSUB-SCENARIO'; actions: PubsubAction[] };

export type PickCommand = 'SPOP' | 'SRANDMEMBER' | 'HRANDFIELD' | 'ZRANDMEMBER';

/** One turn of a pub/sub scenario: `sub` commands are written without waiting for replies. */
export interface PubsubAction {
  who: 'sub' | 'a';
  argv: string[];
  /** How connection a's reply is compared (default exact). */
  mode?: Mode;
}

export type Conn = 'a' | 'b';

/**
 * Commands Cairn does not serve yet, left out of the generated sequences while they land.
 * Must be empty in the final version: the differential test fails otherwise.
 */
export const NOT_YET_IN_CAIRN: ReadonlySet<string> = new Set<string>([]);

/** Every command the generator covers (harness.test checks each appears often). */
export const COVERED_COMMANDS = [
  'SET', 'GET', 'GETEX', 'GETDEL', 'GETSET', 'MGET', 'MSET', 'MSETNX', 'SETNX', 'SETEX', 'PSETEX',
  'APPEND', 'STRLEN', 'GETRANGE', 'SETRANGE', 'INCR', 'DECR', 'INCRBY', 'DECRBY', 'INCRBYFLOAT',
  'LCS', 'SUBSTR', 'DEL', 'UNLINK', 'EXISTS', 'TYPE', 'RENAME', 'RENAMENX', 'COPY', 'MOVE', 'KEYS',
  'SCAN', 'RANDOMKEY', 'TOUCH', 'DBSIZE', 'FLUSHDB', 'SELECT', 'SWAPDB', 'OBJECT', 'EXPIRE',
  'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'PERSIST',
  'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'PING', 'ECHO', 'DUMP', 'RESTORE',
  // pseudo-commands: what the generator sends to exercise the admission checks
  'UNKNOWN-COMMAND', 'WRONG-ARITY',
] as const;

/** Redis 7 arities (COMMAND INFO): positive = exact argc, negative = at least -arity. */
export const ARITY: Record<string, number> = {
  SET: -3, GET: 2, GETEX: -2, GETDEL: 2, GETSET: 3, MGET: -2, MSET: -3, MSETNX: -3, SETNX: 3,
  SETEX: 4, PSETEX: 4, APPEND: 3, STRLEN: 2, GETRANGE: 4, SETRANGE: 4, INCR: 2, DECR: 2,
  INCRBY: 3, DECRBY: 3, INCRBYFLOAT: 3, LCS: -3, SUBSTR: 4, DEL: -2, UNLINK: -2, EXISTS: -2,
  TYPE: 2, RENAME: 3, RENAMENX: 3, COPY: -3, MOVE: 3, KEYS: 2, SCAN: -2, RANDOMKEY: 1,
  TOUCH: -2, DBSIZE: 1, FLUSHDB: -1, SELECT: 2, SWAPDB: 3, EXPIRE: -3, PEXPIRE: -3,
  EXPIREAT: -3, PEXPIREAT: -3, TTL: 2, PTTL: 2, EXPIRETIME: 2, PEXPIRETIME: 2, PERSIST: 2,
  MULTI: 1, EXEC: 1, DISCARD: 1, WATCH: -2, UNWATCH: 1, PING: -1, ECHO: 2, DUMP: 2, RESTORE: -4,
};

// ---------------------------------------------------------------------------------------------
// Seeded PRNG: mulberry32. Small, fast, and good enough to pick test cases.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.next(); // stir small seeds
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: a small key space so commands collide on the same keys, and values chosen to hit
// the parsing edges (i64 limits, non-canonical integers, floats, binary bytes, 44/45-byte
// embstr/raw boundary).

export const KEYS = ['a', 'b', 'c', 'num', '{t}1', '{t}2', '', 'bin\x00\xff\r\n', 'k:1', '\xc3\xbc'];

const INTEGERS = ['0', '1', '-1', '7', '42', '-5', '100', '1000000', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807', '4611686018427387904'];
const NOT_INTEGERS = ['', 'abc', '1.5', '+1', ' 1', '1 ', '01', '-0', '0x10', '1e3', '18446744073709551616', '9223372036854775808', '-9223372036854775809', '12a', '--1', '\x001'];
const FLOATS = ['0.1', '3.14', '-2.5', '1e10', '5.0e3', '0.0000001', '-0', '1.5', '10', '-1e-5', '1.7976931348623157e308', '3.0', '.5', '5.', '1E2', '0x1p3', '  1.5'];
const NOT_FLOATS = ['abc', '', 'nan', 'inf', '-inf', '1e400', '1.5x', '1,5', 'Infinity'];
const TEXT = ['hello', 'world', 'foo bar', 'x', '', 'abcdefghij', 'Hello\r\nWorld', '\x00\x01\x02', '\xff\xfe\xfd', '\xc3\xa9t\xc3\xa9', 'x'.repeat(44), 'y'.repeat(45), 'ohmytext', 'mynewtext'];
const PATTERNS = ['*', '?', 'a*', '*1', '{t}*', '[ab]', '[^a]*', '[a-c]', '\\*', 'k:*', '', '[', '[a-', '\\', 'a[', '**', '?*', 'n?m', '*\x00*', '[!a]*', 'b[a-z', '*\\', '\xc3*', '{*}*', 'A*', '[z-a]'];
const DBS = ['0', '1', '2', '3'];
const BAD_DBS = ['16', '-1', 'x', '1.5', '', '9999999999999999999', '15'];

// Absolute times: far future, recent past and far past; and ones that overflow.
const FUTURE_SECONDS = ['4102444800', '32503680000', '2524608000'];
const PAST_SECONDS = ['1', '1000000000', '0', '-1'];
const HUGE_TIMES = ['9223372036854775807', '9223372036854775', '-9223372036854775808', '9223372036854776'];

/**
 * Relative TTLs in seconds, never repeated within a sequence and 10 s apart: two deadlines set
 * by different commands differ by seconds on both servers, so GT/LT/NX/XX decisions can't
 * depend on which millisecond each server saw. 10 s is far more than a seed takes to run.
 */
class TtlPool {
  private readonly used = new Set<number>();
  constructor(private readonly rng: Rng) {}
  seconds(): number {
    for (;;) {
      const k = this.rng.int(10_000);
      if (!this.used.has(k)) {
        this.used.add(k);
        return 100 + 10 * k;
      }
    }
  }
  /** Milliseconds, with a sub-second part so PTTL/PEXPIRETIME show their precision. */
  millis(): number {
    return this.seconds() * 1000 + this.rng.int(1000);
  }
}

const EXACT: Mode = { kind: 'exact' };

/** EXEC's reply is compared item by item with the rules of the queued commands. */
function execMode(queued: Mode[]): Mode {
  return queued.every((m) => m.kind === 'exact') ? EXACT : { kind: 'exec', modes: [...queued] };
}

// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Commands (upper-case names from COVERED_COMMANDS) not to generate. */
  exclude?: ReadonlySet<string>;
}

type Emit = (cmd: string, argv: string[], mode?: Mode) => void;

export class Generator {
  readonly rng: Rng;
  private readonly ttl: TtlPool;
  private readonly steps: Step[] = [];
  private readonly exclude: ReadonlySet<string>;
  private inMulti = false;
  /** Comparison rules of the commands queued in the open MULTI, for EXEC's reply. */
  private queuedModes: Mode[] = [];

  constructor(options: GenerateOptions) {
    this.rng = new Rng(options.seed);
    this.ttl = new TtlPool(this.rng);
    this.exclude = options.exclude ?? new Set();
  }

  generate(count: number): Step[] {
    while (this.steps.length < count) {
      if (this.inMulti) {
        // a MULTI opened by a lone MULTI command: close it before long
        if (this.rng.chance(0.15)) this.emitter('a')('EXEC', ['EXEC']);
        else this.single('a', this.emitter('a'));
      } else if (this.rng.chance(0.04) && this.allowed('MULTI')) this.transaction();
      else if (this.rng.chance(0.05)) this.single('b', this.emitter('b'));
      else this.single('a', this.emitter('a'));
    }
    // Never end with a transaction open: its tail would compare nothing but QUEUED.
    if (this.inMulti) this.emitter('a')('DISCARD', ['DISCARD']);
    return this.steps;
  }

  private allowed(cmd: string): boolean {
    return !this.exclude.has(cmd) && !NOT_YET_IN_CAIRN.has(cmd);
  }

  pushStep(step: Step): void {
    this.steps.push(step);
  }

  /**
   * A function that appends a plain command on `conn`. For connection a it follows the MULTI
   * state as Redis does, so that EXEC's reply is compared with the rules of what was queued:
   * - MULTI opens a transaction (nested: an error, nothing changes);
   * - EXEC and DISCARD close it; EXEC with arguments too (EXECABORT discards it);
   * - unknown commands, wrong arity and WATCH are answered at once, not queued;
   * - anything else is queued.
   */
  private emitter(conn: Conn): Emit {
    return (cmd, argv, mode = EXACT) => {
      if (conn === 'a') {
        const bare = argv.length === 1;
        if (cmd === 'MULTI' && bare && !this.inMulti) {
          this.inMulti = true;
          this.queuedModes = [];
        } else if (cmd === 'EXEC' && this.inMulti) {
          if (bare) mode = execMode(this.queuedModes);
          this.inMulti = false;
        } else if (cmd === 'DISCARD' && bare && this.inMulti) {
          this.inMulti = false;
        } else if (this.inMulti && cmd !== 'MULTI' && cmd !== 'WATCH' && cmd !== 'WRONG-ARITY' && cmd !== 'UNKNOWN-COMMAND') {
          this.queuedModes.push(mode);
        }
      }
      this.steps.push({ op: 'cmd', conn, cmd, argv: [this.casing(argv[0]!), ...argv.slice(1)], mode });
    };
  }

  /** Command names in random letter case now and then: names are case-insensitive. */
  private casing(name: string): string {
    if (!this.rng.chance(0.1)) return name;
    return [...name].map((ch) => (this.rng.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase())).join('');
  }

  // --- vocabulary ------------------------------------------------------------------------------

  key(): string {
    return this.rng.pick(KEYS);
  }
  keys(min: number, max: number): string[] {
    const n = this.rng.between(min, max);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.key());
    return out;
  }
  value(): string {
    const r = this.rng.next();
    if (r < 0.35) return this.rng.pick(INTEGERS);
    if (r < 0.45) return this.rng.pick(NOT_INTEGERS);
    if (r < 0.55) return this.rng.pick(FLOATS);
    if (r < 0.85) return this.rng.pick(TEXT);
    return this.randomText(this.rng.between(0, 20));
  }
  randomText(length: number): string {
    const alphabet = this.rng.chance(0.5) ? 'ACGT' : 'abcxyz01 \x00\xff';
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.rng.int(alphabet.length)];
    return s;
  }
  integer(): string {
    return this.rng.chance(0.85) ? this.rng.pick(INTEGERS) : this.rng.pick(NOT_INTEGERS);
  }
  smallIndex(): string {
    if (this.rng.chance(0.1)) return this.rng.pick(['9223372036854775807', '-9223372036854775808', 'x', '', '1.0', '-0']);
    return String(this.rng.between(-60, 60));
  }
  float(): string {
    const r = this.rng.next();
    if (r < 0.45) return this.rng.pick(FLOATS);
    if (r < 0.8) return this.rng.pick(INTEGERS);
    return this.rng.pick(NOT_FLOATS);
  }
  db(): string {
    return this.rng.chance(0.85) ? this.rng.pick(DBS) : this.rng.pick(BAD_DBS);
  }
  /** A relative TTL in seconds; sometimes zero, negative or not a number. */
  relSeconds(): string {
    if (this.rng.chance(0.12)) return this.rng.pick(['0', '-1', '-100', 'abc', '', '1.5', ...HUGE_TIMES]);
    return String(this.ttl.seconds());
  }
  relMillis(): string {
    if (this.rng.chance(0.12)) return this.rng.pick(['0', '-1', '-100000', 'abc', '', '100.5', ...HUGE_TIMES]);
    return String(this.ttl.millis());
  }
  /** A relative TTL that is always valid (for the writes that break a WATCH). */
  validSeconds(): string {
    return String(this.ttl.seconds());
  }
  absSeconds(): string {
    const r = this.rng.next();
    if (r < 0.6) return this.rng.pick(FUTURE_SECONDS);
    if (r < 0.9) return this.rng.pick(PAST_SECONDS);
    return this.rng.pick([...HUGE_TIMES, 'abc', '1.5']);
  }
  absMillis(): string {
    const r = this.rng.next();
    if (r < 0.6) return this.rng.pick(FUTURE_SECONDS) + String(this.rng.between(100, 999));
    if (r < 0.9) return this.rng.pick(PAST_SECONDS);
    return this.rng.pick([...HUGE_TIMES, 'abc', '1.5']);
  }

  // --- sequence shapes -------------------------------------------------------------------------

  /**
   * WATCH (sometimes), a write from connection b (sometimes on a watched key), MULTI, a few
   * queued commands (sometimes one that fails to queue), then EXEC or DISCARD.
   */
  private transaction(): void {
    const a = this.emitter('a');
    const b = this.emitter('b');
    const watched: string[] = [];
    if (this.rng.chance(0.6)) {
      watched.push(...this.keys(1, 3));
      a('WATCH', ['WATCH', ...watched]);
      if (this.rng.chance(0.5)) {
        // Another client writes: to a watched key (breaks the transaction) or to another one.
        const target = this.rng.chance(0.7) ? this.rng.pick(watched) : this.key();
        const write = this.rng.pick<() => void>([
          () => b('SET', ['SET', target, this.value()]),
          () => b('DEL', ['DEL', target]),
          () => b('EXPIRE', ['EXPIRE', target, this.validSeconds()]),
          () => b('INCR', ['INCR', target]),
          () => b('FLUSHDB', ['FLUSHDB']),
          () => b('SWAPDB', ['SWAPDB', '0', this.rng.pick(['1', '2'])]),
          () => b('GET', ['GET', target]), // a read must not break the WATCH
          () => b('PERSIST', ['PERSIST', target]),
          () => b('RENAME', ['RENAME', target, this.key()]),
          () => b('APPEND', ['APPEND', target, 'x']),
        ]);
        write();
      }
      if (this.rng.chance(0.15)) a('UNWATCH', ['UNWATCH']);
    }
    a('MULTI', ['MULTI']);
    const n = this.rng.between(0, 6);
    for (let i = 0; i < n; i++) {
      const r = this.rng.next();
      if (r < 0.04 && this.allowed('UNKNOWN-COMMAND')) this.unknownCommand(a); // fails to queue: EXECABORT
      else if (r < 0.08 && this.allowed('WRONG-ARITY')) this.wrongArity(a); // likewise
      else if (r < 0.1) a('MULTI', ['MULTI']); // "MULTI calls can not be nested", not fatal
      else if (r < 0.12) a('WATCH', ['WATCH', this.key()]); // "WATCH inside MULTI is not allowed"
      else this.single('a', a);
    }
    const end = this.rng.next();
    if (end < 0.75) a('EXEC', ['EXEC']);
    else if (end < 0.92) a('DISCARD', ['DISCARD']);
    else a('EXEC', ['EXEC', 'extra']); // EXECABORT, and the transaction is gone
  }

  /**
   * One command of any kind. Inside MULTI (`queued`), only commands whose replies can be
   * compared from inside EXEC's array: no SCAN iteration, no DUMP/RESTORE round trip, no
   * transaction commands.
   */
  private single(conn: Conn, emit: Emit): void {
    const queued = conn === 'a' && this.inMulti;
    for (let tries = 0; tries < 100; tries++) {
      const [name, weight, make] = this.rng.pick(TABLE);
      if (!this.rng.chance(weight / MAX_WEIGHT)) continue;
      if (!this.allowed(name)) continue;
      if (queued && QUEUE_UNSAFE.has(name)) continue;
      if (conn === 'b' && B_UNSAFE.has(name)) continue;
      make(this, emit, conn);
      return;
    }
    emit('GET', ['GET', this.key()]);
  }

  // --- argument builders shared by the table ---------------------------------------------------

  setOptions(): string[] {
    const groups: string[][] = [];
    if (this.rng.chance(0.3)) groups.push([this.rng.pick(['NX', 'XX'])]);
    const t = this.rng.next();
    if (t < 0.15) groups.push(['EX', this.relSeconds()]);
    else if (t < 0.3) groups.push(['PX', this.relMillis()]);
    else if (t < 0.38) groups.push(['EXAT', this.absSeconds()]);
    else if (t < 0.46) groups.push(['PXAT', this.absMillis()]);
    else if (t < 0.56) groups.push(['KEEPTTL']);
    if (this.rng.chance(0.25)) groups.push(['GET']);
    if (this.rng.chance(0.08)) {
      // conflicting or broken options: syntax errors
      groups.push(this.rng.pick([['NX', 'XX'], ['EX', '10', 'PX', '10000'], ['KEEPTTL', 'EX', '100'], ['EX'], ['FOO'], ['PX', '100', 'PXAT', '1'], ['GET', 'GET'], ['NX', 'NX']]));
    }
    return this.rng.shuffle(groups).flat().map((w) => (this.rng.chance(0.2) ? w.toLowerCase() : w));
  }

  getexOptions(): string[] {
    const r = this.rng.next();
    if (r < 0.25) return [];
    if (r < 0.4) return ['EX', this.relSeconds()];
    if (r < 0.55) return ['PX', this.relMillis()];
    if (r < 0.63) return ['EXAT', this.absSeconds()];
    if (r < 0.71) return ['PXAT', this.absMillis()];
    if (r < 0.85) return ['PERSIST'];
    return this.rng.pick([['PERSIST', 'EX', '100'], ['EX'], ['EX', '100', 'PX', '100'], ['FOO'], ['PERSIST', 'PERSIST'], ['KEEPTTL'], ['NX']]);
  }

  expireOptions(): string[] {
    const r = this.rng.next();
    if (r < 0.5) return [];
    if (r < 0.9) return [this.rng.pick(['NX', 'XX', 'GT', 'LT'])];
    return this.rng.pick([['NX', 'XX'], ['GT', 'LT'], ['NX', 'GT'], ['XX', 'GT'], ['XX', 'LT'], ['FOO'], ['gt'], ['NX', 'NX']]);
  }

  lcsOptions(): string[] {
    const words: string[][] = [];
    if (this.rng.chance(0.3)) words.push(['LEN']);
    if (this.rng.chance(0.45)) words.push(['IDX']);
    if (this.rng.chance(0.3)) words.push(['MINMATCHLEN', this.rng.pick(['0', '1', '2', '3', '-1', 'x', '100'])]);
    if (this.rng.chance(0.3)) words.push(['WITHMATCHLEN']);
    if (this.rng.chance(0.05)) words.push([this.rng.pick(['FOO', 'MINMATCHLEN'])]);
    return this.rng.shuffle(words).flat();
  }

  unknownCommand(emit: Emit): void {
    // A NUL inside the name, not after it: redis-server finds "GET\0" as GET or not depending on
    // its per-process hash seed (the lookup hashes all 4 bytes, then compares up to the NUL).
    const name = this.rng.pick(['FOO', 'GETT', 'SETX', 'xyzzy', '', 'HGETX', 'GE\x00T', 'set ']);
    const args = this.rng.chance(0.5) ? [] : [this.key(), this.value()].slice(0, this.rng.between(1, 2));
    emit('UNKNOWN-COMMAND', [name, ...args]);
  }

  /** A command with a number of arguments its arity forbids. */
  wrongArity(emit: Emit): void {
    const candidates = Object.entries(ARITY).filter(([name, arity]) => arity !== -1 && this.allowed(name) && name !== 'EXEC');
    const [name, arity] = this.rng.pick(candidates);
    let argc: number;
    if (arity > 0) {
      const options = [arity - 1, arity + 1, arity + 2].filter((n) => n >= 1 && n !== arity);
      argc = this.rng.pick(options);
    } else {
      argc = this.rng.between(1, -arity - 1);
    }
    const argv = [name];
    for (let i = 1; i < argc; i++) argv.push(i === 1 ? this.key() : this.value());
    if ((name === 'MSET' || name === 'MSETNX') && this.rng.chance(0.5)) {
      // Past the minimum, an odd number of keys and values is refused by the command itself,
      // so inside MULTI it is queued and fails in EXEC's array: not an admission error.
      argv.push(this.key(), this.value(), this.key());
      emit(name, argv);
      return;
    }
    emit('WRONG-ARITY', argv);
  }
}

const TTL_TOLERANCE_S: Mode = { kind: 'tolerance', within: 1 };
const TTL_TOLERANCE_MS: Mode = { kind: 'tolerance', within: 1000 };

type Maker = (g: Generator, emit: Emit, conn: Conn) => void;

/**
 * Not generated inside MULTI: SCAN and RESTORE need steps of their own; transaction commands
 * come from transaction() and the lone-MULTI closer, so that the shapes stay readable.
 */
const QUEUE_UNSAFE = new Set(['SCAN', 'RESTORE', 'MULTI', 'EXEC', 'DISCARD', 'WATCH']);
/** Connection b stays a plain client: no transactions of its own. */
const B_UNSAFE = new Set(['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SCAN', 'RESTORE']);

/** [command, weight, maker]. Weights are relative frequencies. */
const TABLE: ReadonlyArray<readonly [string, number, Maker]> = [
  ['SET', 10, (g, e) => e('SET', ['SET', g.key(), g.value(), ...g.setOptions()])],
  ['GET', 6, (g, e) => e('GET', ['GET', g.key()])],
  ['GETEX', 4, (g, e) => e('GETEX', ['GETEX', g.key(), ...g.getexOptions()])],
  ['GETDEL', 2, (g, e) => e('GETDEL', ['GETDEL', g.key()])],
  ['GETSET', 2, (g, e) => e('GETSET', ['GETSET', g.key(), g.value()])],
  ['MGET', 3, (g, e) => e('MGET', ['MGET', ...g.keys(1, 5)])],
  ['MSET', 3, (g, e) => e('MSET', ['MSET', ...g.keys(1, 3).flatMap((k) => [k, g.value()])])],
  ['MSETNX', 2, (g, e) => e('MSETNX', ['MSETNX', ...g.keys(1, 3).flatMap((k) => [k, g.value()])])],
  ['SETNX', 2, (g, e) => e('SETNX', ['SETNX', g.key(), g.value()])],
  ['SETEX', 2, (g, e) => e('SETEX', ['SETEX', g.key(), g.relSeconds(), g.value()])],
  ['PSETEX', 2, (g, e) => e('PSETEX', ['PSETEX', g.key(), g.relMillis(), g.value()])],
  ['APPEND', 3, (g, e) => e('APPEND', ['APPEND', g.key(), g.value()])],
  ['STRLEN', 2, (g, e) => e('STRLEN', ['STRLEN', g.key()])],
  ['GETRANGE', 3, (g, e) => e('GETRANGE', ['GETRANGE', g.key(), g.smallIndex(), g.smallIndex()])],
  ['SUBSTR', 2, (g, e) => e('SUBSTR', ['SUBSTR', g.key(), g.smallIndex(), g.smallIndex()])],
  [
    'SETRANGE',
    3,
    (g, e) => {
      const r = g.rng.next();
      // Large offsets only where they must fail the size check (or write nothing): a valid
      // offset near 512 MB would make both servers allocate it.
      const offset =
        r < 0.8 ? String(g.rng.between(0, 60)) : g.rng.pick(['-1', 'x', '536870912', '536870913', '9223372036854775807', '']);
      const value = offset.length > 3 ? g.rng.pick(['x', '', 'abc']) : g.value();
      e('SETRANGE', ['SETRANGE', g.key(), offset, value]);
    },
  ],
  ['SETRANGE', 1, (g, e) => e('SETRANGE', ['SETRANGE', g.key(), '536870911', ''])],
  ['INCR', 4, (g, e) => e('INCR', ['INCR', g.key()])],
  ['DECR', 3, (g, e) => e('DECR', ['DECR', g.key()])],
  ['INCRBY', 3, (g, e) => e('INCRBY', ['INCRBY', g.key(), g.integer()])],
  ['DECRBY', 3, (g, e) => e('DECRBY', ['DECRBY', g.key(), g.integer()])],
  ['INCRBYFLOAT', 4, (g, e) => e('INCRBYFLOAT', ['INCRBYFLOAT', g.key(), g.float()])],
  ['LCS', 3, (g, e) => e('LCS', ['LCS', g.key(), g.key(), ...g.lcsOptions()])],
  ['DEL', 3, (g, e) => e('DEL', ['DEL', ...g.keys(1, 4)])],
  ['UNLINK', 2, (g, e) => e('UNLINK', ['UNLINK', ...g.keys(1, 4)])],
  ['EXISTS', 3, (g, e) => e('EXISTS', ['EXISTS', ...g.keys(1, 4)])],
  ['TYPE', 2, (g, e) => e('TYPE', ['TYPE', g.key()])],
  ['RENAME', 2, (g, e) => e('RENAME', ['RENAME', g.key(), g.key()])],
  ['RENAMENX', 2, (g, e) => e('RENAMENX', ['RENAMENX', g.key(), g.key()])],
  [
    'COPY',
    3,
    (g, e) => {
      const argv = ['COPY', g.key(), g.key()];
      const options: string[][] = [];
      if (g.rng.chance(0.4)) options.push(['DB', g.db()]);
      if (g.rng.chance(0.4)) options.push(['REPLACE']);
      if (g.rng.chance(0.05)) options.push(g.rng.pick([['DB'], ['FOO'], ['REPLACE', 'REPLACE'], ['DB', '1', 'DB', '2']]));
      e('COPY', [...argv, ...g.rng.shuffle(options).flat()]);
    },
  ],
  ['MOVE', 2, (g, e) => e('MOVE', ['MOVE', g.key(), g.db()])],
  ['KEYS', 2, (g, e) => e('KEYS', ['KEYS', g.rng.pick(PATTERNS)], { kind: 'sorted' })],
  [
    'SCAN',
    2,
    (g, e, conn) => {
      const options: string[][] = [];
      if (g.rng.chance(0.5)) options.push(['MATCH', g.rng.pick(PATTERNS)]);
      if (g.rng.chance(0.5)) options.push(['COUNT', g.rng.pick(['1', '2', '5', '10', '100', '0', '-1', 'x'])]);
      if (g.rng.chance(0.3)) options.push(['TYPE', g.rng.pick(['string', 'list', 'hash', 'none', 'STRING', 'foo'])]);
      if (g.rng.chance(0.04)) options.push(g.rng.pick([['MATCH'], ['FOO'], ['COUNT']]));
      const cursor = g.rng.chance(0.88) ? '0' : g.rng.pick(['abc', '-1', ' 1', '18446744073709551616', '18446744073709551615', '1.5', '', '7']);
      // Redis 7.0's SCAN TYPE none returns keys whose deadline has passed but that it has not
      // reclaimed yet (their type reads as "none"): a race with its active-expiry cycle.
      // Touching every key first reclaims them on both servers, as before DBSIZE.
      if (options.some((o) => o[0] === 'TYPE' && o[1]!.toLowerCase() === 'none')) e('EXISTS', ['EXISTS', ...KEYS]);
      g.pushStep({ op: 'scan', conn, cmd: 'SCAN', cursor, options: g.rng.shuffle(options).flat() });
    },
  ],
  ['RANDOMKEY', 2, (_g, e) => e('RANDOMKEY', ['RANDOMKEY'], { kind: 'presence' })],
  ['TOUCH', 2, (g, e) => e('TOUCH', ['TOUCH', ...g.keys(1, 4)])],
  [
    'DBSIZE',
    2,
    (_g, e) => {
      // Redis 7.0 counts a key set with a past EXAT/PXAT until it reclaims it (on access or in
      // its active-expiry cycle, ~100 ms later), so a bare DBSIZE would race that cycle. Touching
      // every key first (compared too) reclaims expired keys on both servers.
      e('EXISTS', ['EXISTS', ...KEYS]);
      e('DBSIZE', ['DBSIZE']);
    },
  ],
  ['FLUSHDB', 0.3, (g, e) => e('FLUSHDB', ['FLUSHDB', ...g.rng.pick([[], [], ['ASYNC'], ['SYNC'], ['sync'], ['FOO'], ['ASYNC', 'SYNC']])])],
  ['SELECT', 2, (g, e) => e('SELECT', ['SELECT', g.rng.chance(0.5) ? '0' : g.db()])],
  ['SWAPDB', 1, (g, e) => e('SWAPDB', ['SWAPDB', g.db(), g.db()])],
  [
    'OBJECT',
    3,
    (g, e) => {
      if (g.rng.chance(0.9)) e('OBJECT', ['OBJECT', g.rng.pick(['ENCODING', 'encoding']), g.key()]);
      else e('OBJECT', ['OBJECT', ...g.rng.pick([['FOO', g.key()], ['ENCODING'], ['ENCODING', g.key(), g.key()], ['']])]);
    },
  ],
  ['EXPIRE', 4, (g, e) => e('EXPIRE', ['EXPIRE', g.key(), g.relSeconds(), ...g.expireOptions()])],
  ['PEXPIRE', 3, (g, e) => e('PEXPIRE', ['PEXPIRE', g.key(), g.relMillis(), ...g.expireOptions()])],
  ['EXPIREAT', 3, (g, e) => e('EXPIREAT', ['EXPIREAT', g.key(), g.absSeconds(), ...g.expireOptions()])],
  ['PEXPIREAT', 3, (g, e) => e('PEXPIREAT', ['PEXPIREAT', g.key(), g.absMillis(), ...g.expireOptions()])],
  ['TTL', 4, (g, e) => e('TTL', ['TTL', g.key()], TTL_TOLERANCE_S)],
  ['PTTL', 3, (g, e) => e('PTTL', ['PTTL', g.key()], TTL_TOLERANCE_MS)],
  ['EXPIRETIME', 2, (g, e) => e('EXPIRETIME', ['EXPIRETIME', g.key()], TTL_TOLERANCE_S)],
  ['PEXPIRETIME', 2, (g, e) => e('PEXPIRETIME', ['PEXPIRETIME', g.key()], TTL_TOLERANCE_MS)],
  ['PERSIST', 3, (g, e) => e('PERSIST', ['PERSIST', g.key()])],
  ['MULTI', 0.3, (_g, e) => e('MULTI', ['MULTI'])], // then closed by the next EXEC/DISCARD in the flow
  ['EXEC', 0.4, (_g, e) => e('EXEC', ['EXEC'])], // outside MULTI: "EXEC without MULTI"
  ['DISCARD', 0.4, (_g, e) => e('DISCARD', ['DISCARD'])],
  ['WATCH', 0.5, (g, e) => e('WATCH', ['WATCH', ...g.keys(1, 3)])],
  ['UNWATCH', 0.5, (_g, e) => e('UNWATCH', ['UNWATCH'])],
  ['PING', 1, (g, e) => e('PING', g.rng.chance(0.5) ? ['PING'] : ['PING', g.value()])],
  ['ECHO', 1, (g, e) => e('ECHO', ['ECHO', g.value()])],
  ['DUMP', 1, (g, e) => e('DUMP', ['DUMP', g.key()], { kind: 'presence' })],
  [
    'RESTORE',
    2,
    (g, _e, conn) => {
      const options: string[][] = [];
      if (g.rng.chance(0.5)) options.push(['REPLACE']);
      let ttl: string;
      if (g.rng.chance(0.25)) {
        options.push(['ABSTTL']);
        ttl = g.rng.chance(0.3) ? '0' : g.absMillis();
      } else {
        ttl = g.rng.chance(0.5) ? '0' : g.relMillis();
      }
      if (g.rng.chance(0.15)) options.push(['IDLETIME', g.rng.pick(['0', '10', '-1', 'x', '1000000'])]);
      else if (g.rng.chance(0.15)) options.push(['FREQ', g.rng.pick(['0', '5', '255', '256', '-1', 'x'])]);
      if (g.rng.chance(0.04)) options.push(g.rng.pick([['FOO'], ['IDLETIME', '1', 'FREQ', '1'], ['IDLETIME']]));
      g.pushStep({
        op: 'dump-restore',
        conn,
        cmd: 'RESTORE',
        source: g.key(),
        target: g.key(),
        ttl,
        options: g.rng.shuffle(options).flat(),
      });
    },
  ],
  ['UNKNOWN-COMMAND', 1, (g, e) => g.unknownCommand(e)],
  ['WRONG-ARITY', 2, (g, e) => g.wrongArity(e)],
];

const MAX_WEIGHT = Math.max(...TABLE.map(([, w]) => w));

/** The sequence for one seed. */
export function generate(options: GenerateOptions): Step[] {
  return new Generator(options).generate(options.count);
}

/** The argv a plain step sends (for printing and replay). */
export function stepArgv(step: Step): string[] {
  switch (step.op) {
    case 'cmd':
      return step.argv;
    case 'scan':
      return ['SCAN', step.cursor, ...step.options];
    case 'dump-restore':
      return ['RESTORE', step.target, step.ttl, `<DUMP ${step.source}>`, ...step.options];
    case 'pick':
    case 'lex':
      return step.argv;
    case 'kscan':
      return [step.cmd, step.key, step.cursor, ...step.options];
    case 'block':
      return [...step.waiters.flatMap((w) => ['<waiter>', ...w]), ...step.pushes.flatMap((p) => ['<a>', ...p])];
    case 'pubsub':
      return step.actions.flatMap((x) => [`<${x.who}>`, ...x.argv]);
  }
}
