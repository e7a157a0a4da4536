// The engine of the collections generator: a seeded walk over a table of command makers, with
// transactions, a second connection, and a vocabulary chosen to collide on a few keys per type.
// The makers themselves live in one module per type (gen-hashes.ts, gen-lists.ts, ...), and
// collections.ts puts the table together.
//
// Keys: each type has a small pool of its own keys (h1, l1, s1, z1, bm1, hll1, ...). A maker
// uses its own pool most of the time and another type's key (or an odd one: empty, binary,
// missing) now and then, so WRONGTYPE and missing-key replies come up everywhere.
import { Rng, type Conn, type PubsubAction, type Step } from './generator.js';
import type { Mode } from './normalize.js';

export type Emit = (cmd: string, argv: string[], mode?: Mode) => void;
export type Maker = (g: CollectionGenerator, emit: Emit, conn: Conn) => void;

export type Family = 'hash' | 'list' | 'set' | 'zset' | 'bitmap' | 'hll' | 'keys' | 'blocking' | 'pubsub' | 'stream' | 'geo';

export interface Entry {
  /** Upper-case command name (or pseudo-name) this maker exercises; for coverage and exclusion. */
  cmd: string;
  weight: number;
  family: Family;
  make: Maker;
  /**
   * Emits a step of its own (pick, scan, blocking or pub/sub scenario, DUMP/RESTORE) or a
   * sequence that must not be queued: never generated inside MULTI.
   */
  special?: boolean;
  /** Must stay on connection a (SELECT sequences, or the pushes of scenarios). */
  aOnly?: boolean;
}

export const EXACT: Mode = { kind: 'exact' };

/** OBJECT ENCODING of a key of `pool`: each type module has one, so conversions are seen soon. */
export function encodingEntry(pool: Pool, family: Family, weight: number): Entry {
  return {
    cmd: 'OBJECT',
    weight,
    family,
    make: (g, e) => {
      const key = g.key(pool);
      e('OBJECT', ['OBJECT', 'ENCODING', key], { kind: 'encoding', key });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

export const POOLS: Record<'hash' | 'list' | 'set' | 'zset' | 'bitmap' | 'hll' | 'string' | 'stream' | 'geo', readonly string[]> = {
  hash: ['h1', 'h2', '{h}3'],
  list: ['l1', 'l2', '{l}3'],
  set: ['s1', 's2', 'si'],
  zset: ['z1', 'z2', 'z3'],
  bitmap: ['bm1', 'bm2', 'bm3'],
  hll: ['hll1', 'hll2', 'hll3'],
  string: ['str'],
  stream: ['x1', 'x2'],
  /** Geo indexes: written by GEOADD only (see ALL_KEYS). */
  geo: ['geo1', 'geo2', 'geo-store'],
};
export type Pool = keyof typeof POOLS;

/** Keys no pool owns: the empty key, binary bytes, and one that is never written. */
export const ODD_KEYS = ['', 'bin\x00\xff\r\n', 'nokey'];
/**
 * Every key other commands may pick across types. The geo pool is left out: a sorted-set command
 * writing arbitrary scores (inf, negative) into a geo index would make Redis decode them with
 * undefined float-to-integer casts.
 */
export const ALL_KEYS: readonly string[] = [...new Set([...Object.entries(POOLS).filter(([pool]) => pool !== 'geo').flatMap(([, keys]) => keys), ...ODD_KEYS])];

const WORDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'foo', 'bar', 'baz', 'x', 'y', 'z', 'A'];
export const NUMERIC = ['0', '1', '2', '3', '5', '7', '10', '42', '-1', '-5', '100', '1000', '65535', '65536', '-32768', '-32769', '2147483647', '2147483648', '-2147483649', '9223372036854775807', '-9223372036854775808'];
const ODD_MEMBERS = ['', '007', '1.5', '+1', ' 1', '1 ', '-0', '\x00', '\x00\xff', 'bin\r\n', '\xc3\xa9', '9223372036854775808', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(100)];

export const INTEGERS = ['0', '1', '-1', '2', '5', '-3', '10', '100', '-100', '1000000', '9223372036854775807', '-9223372036854775808', '9223372036854775806', '4611686018427387904'];
export const NOT_INTEGERS = ['', 'abc', '1.5', '+1', ' 1', '01', '0x10', '1e3', '9223372036854775808', '-9223372036854775809', '12a'];
export const FLOATS = ['0.1', '3.14', '-2.5', '1e10', '5.0e3', '0.0000001', '-0', '1.5', '10', '-1e-5', '3.0', '.5', '5.', '1E2', '1.7976931348623157e308', '-1.7976931348623157e308'];
export const NOT_FLOATS = ['abc', '', 'nan', 'inf', '-inf', '1e400', '1.5x', '1,5', ' 1.5'];

/** Seeded sequences over the collection types; one instance per (seed, count). */
export class CollectionGenerator {
  readonly rng: Rng;
  private readonly steps: Step[] = [];
  private readonly exclude: ReadonlySet<string>;
  inMulti = false;
  private queuedModes: Mode[] = [];
  private readonly table: Entry[];
  private readonly maxWeight: number;

  constructor(options: { seed: number; table: readonly Entry[]; exclude: ReadonlySet<string>; focus?: Family }) {
    this.rng = new Rng(options.seed);
    this.exclude = options.exclude;
    // The seed's focus type is drawn 2.5 times as often, so its keys grow large in some seeds.
    this.table = options.table
      .filter((e) => !this.exclude.has(e.cmd))
      .map((e) => (e.family === options.focus ? { ...e, weight: e.weight * 2.5 } : e));
    this.maxWeight = Math.max(...this.table.map((e) => e.weight));
  }

  allowed(cmd: string): boolean {
    return !this.exclude.has(cmd);
  }

  generate(count: number): Step[] {
    while (this.steps.length < count) {
      if (this.inMulti) {
        if (this.rng.chance(0.15)) this.emitter('a')('EXEC', ['EXEC']);
        else this.single('a');
      } else if (this.rng.chance(0.04) && this.allowed('MULTI')) this.transaction();
      else if (this.rng.chance(0.05)) this.single('b');
      else this.single('a');
    }
    if (this.inMulti) this.emitter('a')('DISCARD', ['DISCARD']);
    return this.steps;
  }

  pushStep(step: Step): void {
    this.steps.push(step);
  }

  /** Appends plain commands on `conn`, following the MULTI state like generator.ts does. */
  emitter(conn: Conn): Emit {
    return (cmd, argv, mode = EXACT) => {
      if (conn === 'a') {
        const bare = argv.length === 1;
        if (cmd === 'MULTI' && bare && !this.inMulti) {
          this.inMulti = true;
          this.queuedModes = [];
        } else if (cmd === 'EXEC' && this.inMulti) {
          if (bare) mode = this.queuedModes.every((m) => m.kind === 'exact') ? EXACT : { kind: 'exec', modes: [...this.queuedModes] };
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

  private casing(name: string): string {
    if (!this.rng.chance(0.1)) return name;
    return [...name].map((ch) => (this.rng.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase())).join('');
  }

  /** One command of any type, from the table. */
  single(conn: Conn): void {
    const queued = conn === 'a' && this.inMulti;
    const emit = this.emitter(conn);
    for (let tries = 0; tries < 200; tries++) {
      const entry = this.rng.pick(this.table);
      if (!this.rng.chance(entry.weight / this.maxWeight)) continue;
      if ((queued || conn === 'b') && (entry.special || entry.aOnly)) continue;
      entry.make(this, emit, conn);
      return;
    }
    emit('EXISTS', ['EXISTS', this.anyKey()]);
  }

  /**
   * WATCH (sometimes) a few keys of any type, a write from connection b (sometimes to a watched
   * key), MULTI, commands of mixed types, then EXEC or DISCARD.
   */
  private transaction(): void {
    const a = this.emitter('a');
    const b = this.emitter('b');
    if (this.rng.chance(0.6)) {
      const watched = [this.anyKey(), this.anyKey()];
      a('WATCH', ['WATCH', ...watched]);
      if (this.rng.chance(0.5)) {
        const target = this.rng.chance(0.7) ? this.rng.pick(watched) : this.anyKey();
        this.rng.pick<() => void>([
          () => b('DEL', ['DEL', target]),
          () => b('HSET', ['HSET', target, 'f', 'v']),
          () => b('RPUSH', ['RPUSH', target, 'v']),
          () => b('SADD', ['SADD', target, 'm']),
          () => b('ZADD', ['ZADD', target, '1', 'm']),
          () => b('SETBIT', ['SETBIT', target, '3', '1']),
          () => b('PFADD', ['PFADD', target, 'e']),
          () => b('HGET', ['HGET', target, 'f']), // a read must not break the WATCH
          () => b('SREM', ['SREM', target, 'not-a-member']), // nor a write that changes nothing
          () => b('LPOP', ['LPOP', target]),
        ])();
      }
    }
    a('MULTI', ['MULTI']);
    const n = this.rng.between(1, 7);
    for (let i = 0; i < n; i++) {
      const r = this.rng.next();
      if (r < 0.03) this.unknownCommand(a);
      else if (r < 0.06) this.wrongArity(a);
      else this.single('a');
      if (!this.inMulti) return; // a maker closed it (EXEC inside the table): nothing to end
    }
    const end = this.rng.next();
    if (end < 0.8) a('EXEC', ['EXEC']);
    else a('DISCARD', ['DISCARD']);
  }

  // --- vocabulary ------------------------------------------------------------------------------

  /** A key of `pool` mostly; sometimes another type's key or an odd one. */
  key(pool: Pool): string {
    const r = this.rng.next();
    if (r < 0.84) return this.rng.pick(POOLS[pool]);
    if (r < 0.95) return this.rng.pick(ALL_KEYS);
    return this.rng.pick(ODD_KEYS);
  }
  keys(pool: Pool, min: number, max: number): string[] {
    const n = this.rng.between(min, max);
    return Array.from({ length: n }, () => this.key(pool));
  }
  anyKey(): string {
    return this.rng.pick(ALL_KEYS);
  }
  /** A set member, hash field or list element: words, integers (intset material) and odd bytes. */
  member(): string {
    const r = this.rng.next();
    if (r < 0.45) return this.rng.pick(WORDS);
    if (r < 0.8) return this.rng.pick(NUMERIC);
    return this.rng.pick(ODD_MEMBERS);
  }
  members(min: number, max: number): string[] {
    return Array.from({ length: this.rng.between(min, max) }, () => this.member());
  }
  integerMember(): string {
    return this.rng.pick(NUMERIC);
  }
  integer(): string {
    return this.rng.chance(0.85) ? this.rng.pick(INTEGERS) : this.rng.pick(NOT_INTEGERS);
  }
  float(): string {
    const r = this.rng.next();
    if (r < 0.45) return this.rng.pick(FLOATS);
    if (r < 0.8) return this.rng.pick(INTEGERS);
    return this.rng.pick(NOT_FLOATS);
  }
  /** A list index or range bound: mostly small, sometimes extreme or not a number. */
  index(): string {
    if (this.rng.chance(0.08)) return this.rng.pick(['9223372036854775807', '-9223372036854775808', 'x', '', '1.0', '-0', '+1']);
    return String(this.rng.between(-12, 12));
  }
  /** A COUNT-like argument: small, zero, negative or not a number. */
  count(): string {
    if (this.rng.chance(0.12)) return this.rng.pick(['0', '-1', '-5', 'x', '', '1.5', '9223372036854775807', '-9223372036854775808']);
    return String(this.rng.between(1, 8));
  }
  text(length: number): string {
    const alphabet = this.rng.chance(0.5) ? 'ACGT' : 'abcxyz01 \x00\xff';
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.rng.int(alphabet.length)];
    return s;
  }
  /** A word in random letter case, for keywords (NX, WITHSCORES, ...). */
  word(w: string): string {
    return this.rng.chance(0.15) ? w.toLowerCase() : w;
  }
  /**
   * A timeout for a blocking command. Outside MULTI it either fails to parse or is tiny, so an
   * empty key costs milliseconds; never 0 (forever) there. Inside MULTI nothing blocks.
   */
  timeout(): string {
    const r = this.rng.next();
    if (r < 0.12) return this.rng.pick(['-1', '-0.5', 'abc', '', ' 1', 'inf', '+inf', '-inf', '1e400', '0.01x', '1,5', 'nan']);
    if (this.inMulti) return this.rng.pick(['0', '0.01', '1', '5', '0.5', '-0', '1e-400']);
    return this.rng.pick(['0.01', '0.02', '0.005']);
  }

  // --- shapes shared by the type modules -------------------------------------------------------

  /** OBJECT ENCODING of `key`, then `argv` (a read whose order depends on the encoding). */
  encodingThenRead(emit: Emit, key: string, cmd: string, argv: string[], pairs: boolean): void {
    emit('OBJECT', ['OBJECT', 'ENCODING', key], { kind: 'encoding', key });
    emit(cmd, argv, { kind: 'by-encoding', pairs });
  }

  /**
   * A random pick. `extra` arguments come after the count (and WITHVALUES/WITHSCORES); whether
   * the reply carries values is read from the arguments, as the server does.
   */
  pick(conn: Conn, cmd: Extract<Step, { op: 'pick' }>['cmd'], key: string, countText: string | null, withValues: boolean, extra: string[] = [], countBelowSize?: number): void {
    const argv = [cmd, key];
    if (countText !== null) argv.push(countText);
    if (withValues) argv.push(cmd === 'ZRANDMEMBER' ? this.word('WITHSCORES') : this.word('WITHVALUES'));
    argv.push(...extra);
    const count = countText === null ? null : /^-?\d+$/.test(countText) ? Number(countText) : 0; // not a number: an error reply
    const valuesWord = cmd === 'ZRANDMEMBER' ? 'WITHSCORES' : 'WITHVALUES';
    const carriesValues = argv.length === 4 && argv[3]!.toUpperCase() === valuesWord;
    this.steps.push({ op: 'pick', conn, cmd, argv, key, count, withValues: carriesValues, ...(countBelowSize !== undefined ? { countBelowSize } : {}) });
  }

  /** A lexicographic range command on `key` (see the 'lex' step). */
  lex(conn: Conn, cmd: string, argv: string[], key: string): void {
    this.steps.push({ op: 'lex', conn, cmd, argv: [this.casing(argv[0]!), ...argv.slice(1)], key });
  }

  keyScan(conn: Conn, cmd: 'HSCAN' | 'SSCAN' | 'ZSCAN', key: string): void {
    const options: string[][] = [];
    if (this.rng.chance(0.4)) options.push([this.word('MATCH'), this.rng.pick(['*', 'a*', '?', '[a-c]*', '*1*', 'x*', '', '\x00*', 'f*'])]);
    if (this.rng.chance(0.5)) options.push([this.word('COUNT'), this.rng.pick(['1', '2', '5', '10', '100', '0', '-1', 'x'])]);
    // (no NOVALUES: HSCAN's option from Redis 7.4, which the 7.0 oracle refuses; see NEWER_THAN_ORACLE)
    if (this.rng.chance(0.04)) options.push(this.rng.pick([['MATCH'], ['FOO'], ['COUNT'], ['TYPE', 'hash']]));
    const cursor = this.rng.chance(0.9) ? '0' : this.rng.pick(['abc', '-1', '18446744073709551616', '1.5', '', '7', '18446744073709551615']);
    this.steps.push({ op: 'kscan', conn, cmd, key, cursor, options: this.rng.shuffle(options).flat() });
  }

  block(waiters: string[][], pushes: string[][]): void {
    this.steps.push({ op: 'block', conn: 'a', cmd: waiters[0]![0]!.toUpperCase(), waiters, pushes });
  }

  pubsub(actions: PubsubAction[]): void {
    this.steps.push({ op: 'pubsub', conn: 'a', cmd: 'PUBSUB-SCENARIO', actions });
  }

  dumpRestore(conn: Conn, source: string, target: string): void {
    const options: string[][] = [];
    if (this.rng.chance(0.6)) options.push(['REPLACE']);
    let ttl = '0';
    if (this.rng.chance(0.1)) ttl = this.rng.pick(['-1', 'x', '100000000']);
    if (this.rng.chance(0.05)) options.push(this.rng.pick([['FOO'], ['IDLETIME', 'x'], ['FREQ', '300']]));
    this.steps.push({ op: 'dump-restore', conn, cmd: 'RESTORE', source, target, ttl, options: this.rng.shuffle(options).flat() });
  }

  // --- admission errors ------------------------------------------------------------------------

  private arities: Record<string, number> = {};
  setArities(arities: Record<string, number>): void {
    this.arities = arities;
  }

  unknownCommand(emit: Emit): void {
    const name = this.rng.pick(['HGETX', 'ZADDX', 'LPUSHH', 'SMEMBER', 'BITCOUNTS', 'PFADDD', 'x', '']);
    emit('UNKNOWN-COMMAND', [name, ...(this.rng.chance(0.5) ? [] : [this.anyKey()])]);
  }

  /** A command with a number of arguments its arity forbids. */
  wrongArity(emit: Emit): void {
    const candidates = Object.entries(this.arities).filter(([name, arity]) => arity !== -1 && this.allowed(name));
    if (candidates.length === 0) return;
    const [name, arity] = this.rng.pick(candidates);
    // ZRANK/ZREVRANK take a fourth argument since Redis 7.2, which Cairn serves (NEWER_THAN_ORACLE)
    const tooMany = arity > 0 && !(name === 'ZRANK' || name === 'ZREVRANK');
    const argc = arity > 0 ? this.rng.pick([arity - 1, ...(tooMany ? [arity + 1] : [])].filter((n) => n >= 1)) : this.rng.between(1, -arity - 1);
    const argv = [name];
    for (let i = 1; i < argc; i++) argv.push(i === 1 ? this.anyKey() : this.member());
    emit('WRONG-ARITY', argv);
  }
}
