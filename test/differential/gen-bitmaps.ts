// Bitmap commands for the collections generator: small offsets (a few hundred bits), so values
// stay short; GET shows the bytes; string keys made with SET share the pool.
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const BITMAP_ARITY: Record<string, number> = {
  SETBIT: 4, GETBIT: 3, BITCOUNT: -2, BITPOS: -3, BITOP: -4, BITFIELD: -2, BITFIELD_RO: -2, GET: 2, SET: -3,
};

function bitOffset(g: CollectionGenerator): string {
  if (g.rng.chance(0.06)) return g.rng.pick(['-1', 'x', '', '4294967296', '4294967295000', '1.5', '9223372036854775807']);
  return String(g.rng.chance(0.7) ? g.rng.between(0, 40) : g.rng.between(0, 300));
}

function byteRange(g: CollectionGenerator): string[] {
  const r = g.rng.next();
  if (r < 0.35) return [];
  const range = [String(g.rng.between(-8, 8)), String(g.rng.between(-8, 8))];
  if (r < 0.55) return range;
  if (r < 0.92) return [...range, g.word(g.rng.pick(['BYTE', 'BIT']))];
  return g.rng.pick([['0'], ['x', '1'], ['0', '1', 'FOO'], ['0', '-1', 'BIT', 'x']]);
}

const TYPES = ['i1', 'i3', 'i8', 'u8', 'i16', 'u16', 'u4', 'i32', 'u31', 'i63', 'i64', 'u63'];
const BAD_TYPES = ['u64', 'i65', 'x8', 'i0', 'u', ''];

function bitType(g: CollectionGenerator): string {
  const t = g.rng.chance(0.95) ? g.rng.pick(TYPES) : g.rng.pick(BAD_TYPES);
  return g.rng.chance(0.1) ? t.toUpperCase() : t;
}

function fieldOffset(g: CollectionGenerator): string {
  if (g.rng.chance(0.05)) return g.rng.pick(['-1', 'x', '#x', '4294967296']);
  return g.rng.chance(0.3) ? `#${g.rng.between(0, 6)}` : String(g.rng.between(0, 100));
}

function bitfieldValue(g: CollectionGenerator): string {
  if (g.rng.chance(0.06)) return g.rng.pick(['x', '1.5', '']);
  return g.rng.pick(['0', '1', '-1', '7', '100', '127', '128', '255', '256', '-128', '-129', '65535', '9223372036854775807', '-9223372036854775808']);
}

function bitfieldOps(g: CollectionGenerator, readOnly: boolean): string[] {
  const ops: string[] = [];
  const n = g.rng.between(1, 4);
  for (let i = 0; i < n; i++) {
    const r = g.rng.next();
    if (readOnly && r < 0.9) ops.push(g.word('GET'), bitType(g), fieldOffset(g));
    else if (r < 0.35) ops.push(g.word('GET'), bitType(g), fieldOffset(g));
    else if (r < 0.6) ops.push(g.word('SET'), bitType(g), fieldOffset(g), bitfieldValue(g));
    else if (r < 0.85) ops.push(g.word('INCRBY'), bitType(g), fieldOffset(g), bitfieldValue(g));
    else if (r < 0.97) ops.push(g.word('OVERFLOW'), g.rng.chance(0.95) ? g.word(g.rng.pick(['WRAP', 'SAT', 'FAIL'])) : 'NONE');
    else ops.push(g.rng.pick(['FOO', 'GET', 'SET']));
  }
  return ops;
}

export const BITMAP_ENTRIES: Entry[] = [
  { cmd: 'SETBIT', weight: 8, family: 'bitmap', make: (g, e) => e('SETBIT', ['SETBIT', g.key('bitmap'), bitOffset(g), g.rng.chance(0.95) ? g.rng.pick(['0', '1', '1']) : g.rng.pick(['2', '-1', 'x', ''])]) },
  { cmd: 'GETBIT', weight: 4, family: 'bitmap', make: (g, e) => e('GETBIT', ['GETBIT', g.key('bitmap'), bitOffset(g)]) },
  { cmd: 'BITCOUNT', weight: 4, family: 'bitmap', make: (g, e) => e('BITCOUNT', ['BITCOUNT', g.key('bitmap'), ...byteRange(g)]) },
  {
    cmd: 'BITPOS',
    weight: 4,
    family: 'bitmap',
    make: (g, e) => {
      const bit = g.rng.chance(0.95) ? g.rng.pick(['0', '1']) : g.rng.pick(['2', 'x']);
      const r = g.rng.next();
      const range = r < 0.3 ? [] : r < 0.5 ? [String(g.rng.between(-6, 6))] : byteRange(g);
      e('BITPOS', ['BITPOS', g.key('bitmap'), bit, ...range]);
    },
  },
  {
    cmd: 'BITOP',
    weight: 3,
    family: 'bitmap',
    make: (g, e) => {
      const op = g.rng.chance(0.95) ? g.word(g.rng.pick(['AND', 'OR', 'XOR', 'NOT'])) : g.rng.pick(['NAND', '']);
      const sources = op.toUpperCase() === 'NOT' && g.rng.chance(0.85) ? [g.key('bitmap')] : g.keys('bitmap', 1, 3);
      e('BITOP', ['BITOP', op, g.key('bitmap'), ...sources]);
    },
  },
  { cmd: 'BITFIELD', weight: 4, family: 'bitmap', make: (g, e) => e('BITFIELD', ['BITFIELD', g.key('bitmap'), ...(g.rng.chance(0.05) ? [] : bitfieldOps(g, false))]) },
  { cmd: 'BITFIELD_RO', weight: 2, family: 'bitmap', make: (g, e) => e('BITFIELD_RO', ['BITFIELD_RO', g.key('bitmap'), ...(g.rng.chance(0.05) ? [] : bitfieldOps(g, true))]) },
  { cmd: 'GET', weight: 3, family: 'bitmap', make: (g, e) => e('GET', ['GET', g.key('bitmap')]) },
  { cmd: 'SET', weight: 1, family: 'bitmap', make: (g, e) => e('SET', ['SET', g.rng.pick(['bm1', 'bm2', 'bm3', 'str']), g.rng.pick(['', 'foobar', '\xff\xf0\x00', 'x'.repeat(50), '\x00\x00\x01'])]) },
  encodingEntry('bitmap', 'bitmap', 1),
];
