// Differential test against a real memcached (Debian package, started here on a free port):
// seeded random sequences of text and meta commands go to both servers, one command at a time,
// and the replies must match byte for byte after normalising what legitimately differs: CAS
// values (compared by the order in which distinct values first appear on each side, so equal
// and different CAS values must line up), remaining TTLs and idle times (compared by sign), and
// stats (only the command counters). DIFF_SEED=N replays one seed; DIFF_COUNT=N sets the
// length of each sequence. Deliberate differences: docs/differences.md, memcached section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findMemcached, McTextClient, startCairnMemcached, startMemcached, type CairnMemcached, type MemcachedProcess } from '../helpers/memcached.js';
import { mulberry32 } from '../helpers/mulberry32.js';

// DIFF_SEED=N replays one seed; DIFF_SEEDS=A..B runs a range (as the wider local runs do).
function seedList(): number[] {
  if (process.env.DIFF_SEED !== undefined) return [Number(process.env.DIFF_SEED)];
  const range = /^(\d+)\.\.(\d+)$/.exec(process.env.DIFF_SEEDS ?? '1..20');
  if (range === null) throw new Error('DIFF_SEEDS must look like 1..20');
  const out: number[] = [];
  for (let s = Number(range[1]); s <= Number(range[2]); s++) out.push(s);
  return out;
}
const SEEDS = seedList();
const COMMANDS_PER_SEED = Number(process.env.DIFF_COUNT ?? process.env.DIFF_MC_COMMANDS ?? 800);

let oracle: MemcachedProcess | null = null;
let cairn: CairnMemcached;

before(async () => {
  if (findMemcached() === null) throw new Error('memcached is not installed (Debian package memcached; .ci/run installs it)');
  // Without the LRU maintainer (and its crawler) memcached's answers depend only on the commands:
  // the maintainer holds references to recently read items for a moment, and an incr/decr that
  // meets such an item copies it instead of rewriting it in place, dropping its meta bits at random.
  oracle = await startMemcached(['-o', 'no_lru_maintainer,no_lru_crawler']);
  cairn = await startCairnMemcached();
});

after(async () => {
  await oracle?.stop();
  await cairn?.stop();
});

// Keys with a ':' feed `stats detail` (counted per prefix, the bytes before the first ':').
const TEXT_KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'a:1', 'b:x:2', ':e'];
const NUM_KEYS = ['n0', 'n1', 'n2'];
// No upper-case M or N anywhere in values: the harness ends each reply at "MN".
const VALUE_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789 \x00\xff\r\n\t';

class Gen {
  /**
   * Text keys an incr/decr/ma was sent to since they were last overwritten by a `set` or deleted:
   * they may hold a number memcached padded with spaces in place (see numeric()).
   */
  private readonly padded = new Set<string>();

  constructor(private readonly r: () => number) {}
  /**
   * A key that may hold a number shortened by decr: memcached pads it with spaces in place
   * (normalised in replies), so it gets no append/prepend (which would carry the padding into
   * the value) and no `s` without the value (the size counts the padding).
   */
  numeric(key: string): boolean {
    return NUM_KEYS.includes(key) || this.padded.has(key);
  }
  /** An incr/decr/ma was sent to the key. */
  counted(key: string): string {
    if (!NUM_KEYS.includes(key)) this.padded.add(key);
    return key;
  }
  /** The key's value was replaced whole or removed; undefined: every key (flush_all). */
  rewritten(key?: string): void {
    if (key === undefined) this.padded.clear();
    else this.padded.delete(key);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  value(): string {
    const n = this.pick([0, 1, 3, 8, 20]);
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick([...VALUE_CHARS]);
    // Never only whitespace: memcached's incr/decr reads such a value with strtoull, which skips
    // the value and its CRLF and goes on into whatever memory follows the item (it answered a
    // number or non-numeric depending on its slab layout). Cairn answers non-numeric.
    return /^[ \t\r\n]+$/.test(s) ? 'w' + s.slice(1) : s;
  }
  number(): string {
    return this.pick(['0', '1', '9', '10', '99', '18446744073709551615', '18446744073709551614', '42', 'x1', '', '5 ']);
  }
  exptime(): string {
    return this.pick(['0', '0', '0', '100', '3000', '-1', '2592001', String(Math.floor(Date.now() / 1000) + 100_000)]);
  }
  key(): string {
    return this.chance(0.25) ? this.pick(NUM_KEYS) : this.pick(TEXT_KEYS);
  }
}

/** One command (with its data block), CAS placeholders resolved per side. Every random pick is
 *  made before the function is returned: it runs once per side and must build the same text. */
type Command = (cas: (key: string) => string) => string;

const fixed = (text: string): Command => () => text;
/** A CAS value neither server hands out in a test run (memcached's counter starts at 1 at start-up). */
const NEVER_CAS = '18446744073709551000';

function classic(g: Gen): Command {
  const noreply = g.chance(0.1) ? ' noreply' : '';
  switch (g.int(14)) {
    case 0:
    case 1: {
      const key = g.key();
      const v = NUM_KEYS.includes(key) ? g.number() : g.value();
      // Numbers only get whole-value stores: memcached pads a shorter decr result with spaces in
      // place (normalised below), which an append would then carry into the value.
      const mode = g.numeric(key) ? g.pick(['set', 'add', 'replace']) : g.pick(['set', 'set', 'add', 'replace', 'append', 'prepend']);
      if (mode === 'set') g.rewritten(key);
      const flags = g.pick(['0', '0', '1', '4294967295', '65536']);
      const text = `${mode} ${key} ${flags} ${g.exptime()} ${v.length}${noreply}\r\n${v}\r\n`;
      return () => text;
    }
    case 2: {
      const key = g.key();
      const v = g.value();
      const stale = g.chance(0.2);
      return (cas) => `cas ${key} 0 0 ${v.length} ${stale ? NEVER_CAS : cas(key)}${noreply}\r\n${v}\r\n`;
    }
    case 3:
    case 4: {
      const keys = Array.from({ length: 1 + g.int(3) }, () => g.key());
      const text = `${g.pick(['get', 'gets'])} ${keys.join(' ')}\r\n`;
      return () => text;
    }
    case 5:
      return fixed(`${g.pick(['gat', 'gats'])} ${g.exptime()} ${g.key()} ${g.key()}\r\n`);
    case 6:
      return fixed(`touch ${g.key()} ${g.exptime()}${noreply}\r\n`);
    case 7:
    case 8:
      return fixed(`${g.pick(['incr', 'decr'])} ${g.counted(g.chance(0.8) ? g.pick(NUM_KEYS) : g.key())} ${g.pick(['1', '5', '18446744073709551615', '0', 'x', '-1'])}${noreply}\r\n`);
    case 9: {
      const key = g.key();
      g.rewritten(key);
      return fixed(`delete ${key}${g.chance(0.1) ? ' 0' : ''}${noreply}\r\n`);
    }
    case 10:
      if (!g.chance(0.2)) {
        return fixed(g.pick(['version\r\n', 'verbosity 1\r\n', 'stats\r\n', 'stats detail dump\r\n', 'stats detail on\r\n', 'stats detail off\r\n', 'stats detail\r\n']));
      }
      g.rewritten();
      return fixed(`flush_all${noreply}\r\n`);
    case 11: {
      const bad = g.pick([
        'bogus\r\n', 'get\r\n', 'set k0 x 0 1\r\n', 'set k0 0 0 -1\r\n', 'incr k0\r\n', 'touch k0 x\r\n', 'delete k0 5\r\n',
        'set k0 0 0 2\r\nabc\r\n', 'GET k0\r\n', '\r\n', `get ${'a'.repeat(251)}\r\n`, 'set k0 0 0 1 noreply 2\r\nx\r\n', 'cas k0 0 0 1\r\nx\r\n',
      ]);
      return fixed(bad);
    }
    default: {
      const key = g.pick(NUM_KEYS);
      const n = g.number();
      return fixed(`set ${key} 0 0 ${n.length}\r\n${n}\r\n`);
    }
  }
}

function metaFlags(g: Gen, options: readonly string[], max: number): string {
  const chosen = new Set<string>();
  const count = g.int(max + 1);
  for (let i = 0; i < count; i++) chosen.add(g.pick(options));
  return [...chosen].map((f) => (f.length > 0 ? ' ' + f : '')).join('');
}

function meta(g: Gen): Command {
  const key = g.key();
  switch (g.int(6)) {
    case 0:
    case 1: {
      // No `s` on numbers without their value: memcached's decr padding changes the size.
      const size = g.numeric(key) ? [] : ['s'];
      // R20 and R60 stay clear of the 30 s TTLs (N30, md T30): memcached's clock ticks once a
      // second at its own phase, so an R equal to a TTL just set would decide on the tick.
      const flags = metaFlags(g, ['v', 'f', ...size, 'c', 'k', 'Oop1', 'q', 'h', 't', 'u', 'N30', 'R20', 'R60', 'T200', 'T0'], 5);
      return fixed(`mg ${key}${flags}\r\n`);
    }
    case 2: {
      const v = NUM_KEYS.includes(key) ? g.number() : g.value();
      const modes = g.numeric(key) ? ['ME', 'MR', 'MS'] : ['ME', 'MA', 'MP', 'MR', 'MS'];
      const flags = metaFlags(g, ['F7', 'T100', 'c', 'k', 'Oab', 'q', ...modes, 'I', 'CAS'], 4);
      const staleCas = g.chance(0.3);
      return (cas) => `ms ${key} ${v.length}${flags.replace(' CAS', ` C${staleCas ? NEVER_CAS : cas(key)}`)}\r\n${v}\r\n`;
    }
    case 3: {
      const flags = metaFlags(g, ['q', 'k', 'Ox', 'I', 'T30', 'CAS'], 3);
      return (cas) => `md ${key}${flags.replace(' CAS', ` C${cas(key)}`)}\r\n`;
    }
    case 4: {
      const flags = metaFlags(g, ['v', 't', 'c', 'q', 'N0', 'J13', 'D7', 'MD', 'MI', 'k', 'Oz'], 4);
      return fixed(`ma ${g.counted(g.chance(0.8) ? g.pick(NUM_KEYS) : key)}${flags}\r\n`);
    }
    default:
      return fixed(g.pick(['mn\r\n', `me ${g.pick(TEXT_KEYS)}\r\n`, 'mg\r\n', `mg ${key} zz\r\n`, `mg ${key} v v\r\n`, 'ms k0 x\r\n', `ms ${key} 1 MX\r\nv\r\n`]));
  }
}

/** Normalises one side's reply; `casIds` maps this side's CAS values to their order of appearance. */
function normalise(reply: string, casIds: Map<string, number>, lastCas: Map<string, string>): string {
  const id = (cas: string): string => {
    if (!casIds.has(cas)) casIds.set(cas, casIds.size + 1);
    return `C${casIds.get(cas)}`;
  };
  // memcached pads a decr result that got shorter with spaces (in place); Cairn stores the digits.
  let out = reply
    .replace(/^(VALUE \S+ \d+ )\d+( \d+)?\r\n(\d+) +\r\n/gm, (_m, head: string, cas: string | undefined, digits: string) => `${head}${digits.length}${cas ?? ''}\r\n${digits}\r\n`)
    .replace(/^VA \d+([^\r]*)\r\n(\d+) +\r\n/gm, (_m, rest: string, digits: string) => `VA ${digits.length}${rest.replace(/ s\d+/, ` s${digits.length}`)}\r\n${digits}\r\n`);
  out = out.replace(/^(VALUE (\S+) \d+ \d+) (\d+)\r\n/gm, (_m, head: string, key: string, cas: string) => {
    lastCas.set(key, cas);
    return `${head} ${id(cas)}\r\n`;
  });
  out = out.replace(/^((?:VA \d+|HD|EN|NF|NS|EX)(?: \S+)*)\r\n/gm, (line: string) =>
    line
      .replace(/ c(\d+)/g, (_m, cas: string) => ` c${id(cas)}`)
      .replace(/ t(\d+)/g, ' t+')
      .replace(/ l(\d+)/g, ' l*'),
  );
  // me: cls= is memcached's slab class; Cairn has no slabs and reports class 1 (docs/differences.md).
  out = out.replace(/^ME (\S+) exp=(-?\d+) la=\d+ cas=(\d+) (fetch=\S+) cls=\d+/gm, (_m, key: string, exp: string, cas: string, fetch: string) =>
    `ME ${key} exp=${exp === '-1' ? exp : '*'} la=* cas=${id(cas)} ${fetch} cls=*`);
  // stats: only the command counters are comparable between the two servers.
  if (out.startsWith('STAT ')) {
    const keep = /^STAT (cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_misses|delete_hits|incr_misses|incr_hits|decr_misses|decr_hits|cas_misses|cas_hits|cas_badval|touch_hits|touch_misses|store_too_large) /;
    out = out.split('\r\n').filter((l) => l === 'END' || keep.test(l)).join('\r\n');
  }
  return out;
}

/** The key of the last `gets`-style CAS seen, for cas/C placeholders (a made-up value when none). */
function casFor(lastCas: Map<string, string>, key: string): string {
  return lastCas.get(key) ?? NEVER_CAS;
}

let commandsRun = 0;

/** Runs one seed's commands on both servers; the first difference found, or null. */
async function runSeed(seed: number): Promise<string | null> {
  const g = new Gen(mulberry32(seed));
  const a = await McTextClient.connect(oracle!.port);
  const b = await McTextClient.connect(cairn.port);
  const side = [
    { c: a, casIds: new Map<string, number>(), lastCas: new Map<string, string>() },
    { c: b, casIds: new Map<string, number>(), lastCas: new Map<string, string>() },
  ];
  try {
    const reset = 'flush_all\r\nstats reset\r\n';
    assert.equal(await a.send(reset), 'OK\r\nRESET\r\n');
    assert.equal(await b.send(reset), 'OK\r\nRESET\r\n');
    const history: string[] = [];
    for (let i = 0; i < COMMANDS_PER_SEED; i++) {
      const command = g.chance(0.45) ? meta(g) : classic(g);
      const texts = side.map((s) => command((key) => casFor(s.lastCas, key)));
      const replies = await Promise.all(side.map((s, j) => s.c.send(texts[j]!)));
      const normal = replies.map((r, j) => normalise(r, side[j]!.casIds, side[j]!.lastCas));
      history.push(JSON.stringify(texts[0]));
      if (process.env.DIFF_TRACE === "1") console.log(JSON.stringify(texts[0]), JSON.stringify(replies[0]), JSON.stringify(replies[1]));
      if (normal[0] !== normal[1]) {
        return `seed ${seed}, command ${i}: ${JSON.stringify(texts[1])}\n` +
          `memcached: ${JSON.stringify(normal[0])}\ncairn:     ${JSON.stringify(normal[1])}\n` +
          `last commands:\n${history.slice(-12).join('\n')}`;
      }
      commandsRun++;
    }
    // The counters must agree after the whole sequence too.
    const stats = await Promise.all(side.map((s, j) => s.c.send('stats\r\n').then((r) => normalise(r, side[j]!.casIds, side[j]!.lastCas))));
    return stats[1] === stats[0] ? null : `seed ${seed}, counters after the sequence:\nmemcached: ${stats[0]}\ncairn:     ${stats[1]}`;
  } finally {
    a.close();
    b.close();
  }
}

// memcached 1.6.18 itself now and then answers an incr/decr on a 20-digit value differently for
// the same commands (a `decr ... noreply` left undone, or `non-numeric` for a number; about one
// run of the seeds in eight, only after earlier seeds: it depends on its memory state). Cairn
// answers the same commands the same way every time, so a difference is checked by running the
// seed again from a flush: a difference in Cairn shows again and fails; one that does not come
// back is reported as the oracle's and the seed passes.
for (const seed of SEEDS) {
  test(`memcached differential, seed ${seed} (${COMMANDS_PER_SEED} commands; replay: DIFF_SEED=${seed})`, async (t) => {
    const first = await runSeed(seed);
    if (first === null) return;
    const again = await runSeed(seed);
    if (again !== null) assert.fail(`${first}\n\nand again on a second run:\n${again}`);
    t.diagnostic(`memcached answered differently once and not on a second run (oracle nondeterminism):\n${first}`);
  });
}

test('commands compared', () => {
  assert.ok(commandsRun >= SEEDS.length * COMMANDS_PER_SEED, `${commandsRun} commands`);
});
