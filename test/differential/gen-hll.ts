// HyperLogLog commands for the collections generator. GET of an HLL key must give identical bytes
// (sparse and dense representations, the cached cardinality in the header after PFCOUNT), so it
// is generated as often as PFCOUNT. "Grow" makers add up to a few thousand elements at once to
// cross hll-sparse-max-bytes (3000) into the dense form; rare SETRANGEs corrupt a value.
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const HLL_ARITY: Record<string, number> = { PFADD: -2, PFCOUNT: -2, PFMERGE: -2, PFDEBUG: 3, SETRANGE: 4 };

function hllElement(g: CollectionGenerator): string {
  return g.rng.chance(0.7) ? g.member() : g.text(g.rng.between(1, 12));
}

function many(g: CollectionGenerator): string[] {
  const n = g.rng.pick([50, 200, 600, 1500, 3000]);
  const prefix = g.rng.pick(['e', 'el', 'x:']);
  const start = g.rng.between(0, 5000);
  return Array.from({ length: n }, (_, i) => `${prefix}${start + i}`);
}

export const HLL_ENTRIES: Entry[] = [
  { cmd: 'PFADD', weight: 8, family: 'hll', make: (g, e) => e('PFADD', ['PFADD', g.key('hll'), ...Array.from({ length: g.rng.between(0, 5) }, () => hllElement(g))]) },
  { cmd: 'PFADD', weight: 1, family: 'hll', make: (g, e) => e('PFADD', ['PFADD', g.rng.pick(['hll1', 'hll2', 'hll3']), ...many(g)]) },
  { cmd: 'PFCOUNT', weight: 5, family: 'hll', make: (g, e) => e('PFCOUNT', ['PFCOUNT', ...g.keys('hll', 1, g.rng.chance(0.7) ? 1 : 3)]) },
  { cmd: 'PFMERGE', weight: 3, family: 'hll', make: (g, e) => e('PFMERGE', ['PFMERGE', g.key('hll'), ...g.keys('hll', 0, 3)]) },
  { cmd: 'GET', weight: 5, family: 'hll', make: (g, e) => e('GET', ['GET', g.key('hll')]) },
  {
    cmd: 'PFDEBUG',
    weight: 1.5,
    family: 'hll',
    make: (g, e) => {
      const sub = g.rng.chance(0.95) ? g.rng.pick(['ENCODING', 'GETREG', 'DECODE', 'TODENSE']) : g.rng.pick(['FOO', 'SIMD']);
      e('PFDEBUG', ['PFDEBUG', g.word(sub), g.key('hll')]);
    },
  },
  {
    cmd: 'SETRANGE',
    weight: 0.45,
    family: 'hll',
    make: (g, e) => e('SETRANGE', ['SETRANGE', g.rng.pick(['hll1', 'hll2', 'hll3']), String(g.rng.pick([3, 4, 5, 11, 15, 16, 17, 20, 100])), g.rng.pick(['\x00', '\x01', '\xff', 'X', '\x7f\x80'])]),
  },
  encodingEntry('hll', 'hll', 1),
];
