// Stream commands for the collections generator. IDs are explicit (or "<ms>-*"), taken from a
// clock that only moves forward within a sequence, so XADD mostly succeeds and every reply is
// deterministic: an auto-generated "*" ID would carry each server's wall clock. XREAD and
// XREADGROUP never BLOCK here. XINFO CONSUMERS and XPENDING's extended form report idle times,
// compared with a tolerance ('idle' rule); XINFO STREAM FULL (delivery times) is not generated.
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const STREAM_ARITY: Record<string, number> = {
  XADD: -5, XLEN: 2, XRANGE: -4, XREVRANGE: -4, XDEL: -3, XTRIM: -4, XSETID: -3, XREAD: -4, XREADGROUP: -7, XACK: -4,
  XPENDING: -3, XCLAIM: -6, XAUTOCLAIM: -6, XINFO: -2, XGROUP: -2,
};

const IDLE = { kind: 'idle', within: 1000 } as const;

/** A forward-moving millisecond clock per generator, for IDs that are mostly new. */
const clocks = new WeakMap<CollectionGenerator, number>();
function tick(g: CollectionGenerator): number {
  const now = (clocks.get(g) ?? 0) + g.rng.between(0, 3);
  clocks.set(g, now);
  return now;
}
/** A fresh explicit ID (for the blocking scenarios). */
export function freshStreamId(g: CollectionGenerator): string {
  return `${tick(g) + 1}-1`;
}
function recent(g: CollectionGenerator): number {
  return Math.max(0, (clocks.get(g) ?? 0) - g.rng.between(0, 12));
}

function newId(g: CollectionGenerator): string {
  const r = g.rng.next();
  if (r < 0.06) return g.rng.pick(['0-0', '0', 'abc', '1-x', '-1', '18446744073709551615-18446744073709551615', '18446744073709551616-0', `${recent(g)}-0`, '5-*-1']);
  const ms = tick(g);
  return r < 0.6 ? `${ms}-*` : `${ms}-${g.rng.between(0, 3)}`;
}

/** A range bound: ends, recent IDs (bare ms, full, exclusive), or broken ones. */
function bound(g: CollectionGenerator, low: boolean): string {
  const r = g.rng.next();
  if (r < 0.35) return low ? '-' : '+';
  if (r < 0.55) return String(recent(g));
  if (r < 0.8) return `${recent(g)}-${g.rng.between(0, 2)}`;
  if (r < 0.93) return `(${recent(g)}-${g.rng.between(0, 2)}`;
  return g.rng.pick(['abc', '(-', '(+', '', '1-', '-1', '(18446744073709551615-18446744073709551615']);
}

function fields(g: CollectionGenerator): string[] {
  const n = g.rng.chance(0.95) ? g.rng.between(1, 3) : 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(g.rng.pick(['f', 'g', 'name', '', 'x'.repeat(70)]), g.member());
  if (g.rng.chance(0.03)) out.push('lonely');
  return out;
}

function trimOptions(g: CollectionGenerator): string[] {
  const strategy = g.rng.chance(0.7) ? 'MAXLEN' : 'MINID';
  const exact = g.rng.pick(['', '=', '~']);
  const threshold = strategy === 'MAXLEN' ? g.rng.pick(['0', '1', '3', '10', '-1', 'x']) : g.rng.pick([String(recent(g)), `${recent(g)}-1`, '0', 'x']);
  const out = [g.word(strategy), ...(exact ? [exact] : []), threshold];
  if (exact === '~' && g.rng.chance(0.3)) out.push(g.word('LIMIT'), g.rng.pick(['0', '1', '10', '100', '-1']));
  return out;
}

const GROUPS = ['g1', 'g2'];
const CONSUMERS = ['c1', 'c2', 'c3'];

export const STREAM_ENTRIES: Entry[] = [
  {
    cmd: 'XADD',
    weight: 8,
    family: 'stream',
    make: (g, e) => {
      const options: string[] = [];
      if (g.rng.chance(0.1)) options.push(g.word('NOMKSTREAM'));
      if (g.rng.chance(0.2)) options.push(...trimOptions(g));
      e('XADD', ['XADD', g.key('stream'), ...options, newId(g), ...fields(g)]);
    },
  },
  { cmd: 'XLEN', weight: 2, family: 'stream', make: (g, e) => e('XLEN', ['XLEN', g.key('stream')]) },
  {
    cmd: 'XRANGE',
    weight: 4,
    family: 'stream',
    make: (g, e) => e('XRANGE', ['XRANGE', g.key('stream'), bound(g, true), bound(g, false), ...(g.rng.chance(0.4) ? [g.word('COUNT'), g.rng.pick(['0', '1', '2', '5', '-1', 'x'])] : [])]),
  },
  {
    cmd: 'XREVRANGE',
    weight: 3,
    family: 'stream',
    make: (g, e) => e('XREVRANGE', ['XREVRANGE', g.key('stream'), bound(g, false), bound(g, true), ...(g.rng.chance(0.4) ? [g.word('COUNT'), g.rng.pick(['0', '1', '2', '5', '-1'])] : [])]),
  },
  { cmd: 'XDEL', weight: 2, family: 'stream', make: (g, e) => e('XDEL', ['XDEL', g.key('stream'), ...Array.from({ length: g.rng.between(1, 3) }, () => `${recent(g)}-${g.rng.between(0, 2)}`)]) },
  { cmd: 'XTRIM', weight: 2, family: 'stream', make: (g, e) => e('XTRIM', ['XTRIM', g.key('stream'), ...trimOptions(g)]) },
  {
    cmd: 'XSETID',
    weight: 1,
    family: 'stream',
    make: (g, e) => {
      const argv = ['XSETID', g.key('stream'), g.rng.chance(0.8) ? `${tick(g)}-5` : g.rng.pick(['0-0', '1-1', 'x'])];
      if (g.rng.chance(0.3)) argv.push(g.word('ENTRIESADDED'), g.rng.pick(['0', '100', '1000', '-1']));
      if (g.rng.chance(0.2)) argv.push(g.word('MAXDELETEDID'), g.rng.pick(['0-1', `${recent(g)}-0`, '99999999-0']));
      e('XSETID', argv);
    },
  },
  {
    cmd: 'XREAD',
    weight: 3,
    family: 'stream',
    make: (g, e) => {
      const keys = g.keys('stream', 1, 2);
      const ids = keys.map(() => g.rng.pick(['0', '0-0', String(recent(g)), `${recent(g)}-1`, '$', 'x']));
      const argv = ['XREAD', ...(g.rng.chance(0.5) ? [g.word('COUNT'), g.rng.pick(['1', '2', '10', '0', '-1'])] : []), g.word('STREAMS'), ...keys, ...ids];
      if (g.rng.chance(0.04)) argv.pop(); // unbalanced keys and IDs
      e('XREAD', argv);
    },
  },
  {
    cmd: 'XGROUP',
    weight: 3,
    family: 'stream',
    make: (g, e) => {
      const key = g.key('stream');
      const group = g.rng.pick(GROUPS);
      const r = g.rng.next();
      let argv: string[];
      if (r < 0.45) argv = ['XGROUP', 'CREATE', key, group, g.rng.pick(['0', '$', '0-0', String(recent(g)), 'x']), ...(g.rng.chance(0.3) ? ['MKSTREAM'] : []), ...(g.rng.chance(0.15) ? ['ENTRIESREAD', g.rng.pick(['0', '3', '-1'])] : [])];
      else if (r < 0.6) argv = ['XGROUP', 'SETID', key, group, g.rng.pick(['0', '$', String(recent(g))]), ...(g.rng.chance(0.2) ? ['ENTRIESREAD', g.rng.pick(['0', '2'])] : [])];
      else if (r < 0.7) argv = ['XGROUP', 'DESTROY', key, group];
      else if (r < 0.85) argv = ['XGROUP', 'CREATECONSUMER', key, group, g.rng.pick(CONSUMERS)];
      else if (r < 0.95) argv = ['XGROUP', 'DELCONSUMER', key, group, g.rng.pick(CONSUMERS)];
      else argv = ['XGROUP', g.rng.pick(['FOO', 'CREATE', 'HELP'])];
      e('XGROUP', argv);
    },
  },
  {
    cmd: 'XREADGROUP',
    weight: 4,
    family: 'stream',
    make: (g, e) => {
      const key = g.key('stream');
      const argv = ['XREADGROUP', g.word('GROUP'), g.rng.pick(GROUPS), g.rng.pick(CONSUMERS)];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.rng.pick(['1', '2', '5']));
      if (g.rng.chance(0.2)) argv.push(g.word('NOACK'));
      argv.push(g.word('STREAMS'), key, g.rng.chance(0.75) ? '>' : g.rng.pick(['0', String(recent(g)), 'x']));
      e('XREADGROUP', argv);
    },
  },
  { cmd: 'XACK', weight: 2, family: 'stream', make: (g, e) => e('XACK', ['XACK', g.key('stream'), g.rng.pick(GROUPS), ...Array.from({ length: g.rng.between(1, 3) }, () => `${recent(g)}-${g.rng.between(0, 2)}`)]) },
  {
    cmd: 'XPENDING',
    weight: 3,
    family: 'stream',
    make: (g, e) => {
      const key = g.key('stream');
      const group = g.rng.pick(GROUPS);
      if (g.rng.chance(0.5)) e('XPENDING', ['XPENDING', key, group]);
      else {
        const argv = ['XPENDING', key, group, ...(g.rng.chance(0.2) ? ['IDLE', g.rng.pick(['0', '100000'])] : []), bound(g, true), bound(g, false), g.rng.pick(['1', '5', '10', '0', '-1'])];
        if (g.rng.chance(0.4)) argv.push(g.rng.pick(CONSUMERS));
        e('XPENDING', argv, IDLE);
      }
    },
  },
  {
    cmd: 'XCLAIM',
    weight: 2,
    family: 'stream',
    make: (g, e) => {
      const argv = ['XCLAIM', g.key('stream'), g.rng.pick(GROUPS), g.rng.pick(CONSUMERS), '0', ...Array.from({ length: g.rng.between(1, 2) }, () => `${recent(g)}-${g.rng.between(0, 2)}`)];
      if (g.rng.chance(0.3)) argv.push(g.word('JUSTID'));
      if (g.rng.chance(0.15)) argv.push(g.word('FORCE'));
      if (g.rng.chance(0.15)) argv.push(g.word('RETRYCOUNT'), g.rng.pick(['0', '5']));
      if (g.rng.chance(0.1)) argv.push(g.word('LASTID'), `${recent(g)}-0`);
      e('XCLAIM', argv);
    },
  },
  {
    cmd: 'XAUTOCLAIM',
    weight: 2,
    family: 'stream',
    make: (g, e) => {
      const argv = ['XAUTOCLAIM', g.key('stream'), g.rng.pick(GROUPS), g.rng.pick(CONSUMERS), '0', g.rng.pick(['0', '0-0', String(recent(g))])];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.rng.pick(['1', '2', '10', '0']));
      if (g.rng.chance(0.3)) argv.push(g.word('JUSTID'));
      e('XAUTOCLAIM', argv);
    },
  },
  {
    cmd: 'XINFO',
    weight: 2.5,
    family: 'stream',
    make: (g, e) => {
      const key = g.key('stream');
      const r = g.rng.next();
      if (r < 0.45) e('XINFO', ['XINFO', 'STREAM', key]);
      else if (r < 0.75) e('XINFO', ['XINFO', 'GROUPS', key]);
      else if (r < 0.95) e('XINFO', ['XINFO', 'CONSUMERS', key, g.rng.pick(GROUPS)], IDLE);
      else e('XINFO', ['XINFO', g.rng.pick(['FOO', 'STREAM'])]);
    },
  },
  encodingEntry('stream', 'stream', 0.5),
];
