// Geo commands for the collections generator. Geo indexes (geo1, geo2, geo-store) are sorted
// sets that only GEOADD and the geo STORE forms write: a plain sorted set's scores (inf,
// negatives) would make Redis decode positions through undefined float-to-integer casts. Points
// are a few cities (each at its own position, so distances never tie), points at the latitude
// limits and the antimeridian, and coordinates out of range. Geo commands meet other types' keys
// for WRONGTYPE. Searches without ASC/DESC/COUNT return matches "unsorted" (Redis's docs):
// compared as multisets. COUNT ... ANY picks whichever matches come first: not generated.
import { encodingEntry, POOLS, type CollectionGenerator, type Entry } from './gen-core.js';

export const GEO_ARITY: Record<string, number> = {
  GEOADD: -5, GEOPOS: -2, GEODIST: -4, GEOHASH: -2, GEOSEARCH: -7, GEOSEARCHSTORE: -8, GEORADIUS: -6,
  GEORADIUSBYMEMBER: -5, GEORADIUS_RO: -6, GEORADIUSBYMEMBER_RO: -5,
};

const PLACES: ReadonlyArray<readonly [string, string, string]> = [
  ['13.361389', '38.115556', 'Palermo'],
  ['15.087269', '37.502669', 'Catania'],
  ['12.758489', '38.788135', 'edge'],
  ['2.3522', '48.8566', 'Paris'],
  ['-0.1276', '51.5072', 'London'],
  ['139.6917', '35.6895', 'Tokyo'],
  ['-179.9999', '0', 'west'],
  ['179.9999', '0.0001', 'east'],
  ['0', '85.05112878', 'north'],
  ['0', '-85.05112878', 'south'],
  ['-73.935242', '40.730610', 'NYC'],
  ['151.2093', '-33.8688', 'Sydney'],
];
const BAD_POINTS: ReadonlyArray<readonly [string, string]> = [['181', '0'], ['0', '86'], ['-180.1', '10'], ['abc', '1'], ['1', ''], ['nan', '0'], ['0', '-85.06']];
const UNITS = ['m', 'km', 'mi', 'ft', 'M', 'KM'];

function place(g: CollectionGenerator): readonly [string, string, string] {
  return g.rng.pick(PLACES);
}

/** Keys of types that are not sorted sets, and one that is never written: WRONGTYPE and nil replies. */
const OTHER_KEYS = [...POOLS.hash, ...POOLS.list, ...POOLS.set, ...POOLS.string, 'nokey-geo'];

function geoKey(g: CollectionGenerator): string {
  return g.rng.chance(0.88) ? g.rng.pick(POOLS.geo) : g.rng.pick(OTHER_KEYS);
}

/** A member name to look up: a place, or one that is not in the index. */
function memberName(g: CollectionGenerator): string {
  return g.rng.chance(0.85) ? place(g)[2] : g.rng.pick(['nowhere', '', '\x00']);
}

function unit(g: CollectionGenerator): string {
  return g.rng.chance(0.95) ? g.rng.pick(UNITS) : g.rng.pick(['yd', '', 'kms']);
}

function radius(g: CollectionGenerator): string {
  return g.rng.chance(0.92) ? g.rng.pick(['0', '1', '50', '100', '200', '500', '1000', '5000', '20000', '0.5']) : g.rng.pick(['-1', 'x', '']);
}

/** WITHCOORD / WITHDIST / WITHHASH, ASC/DESC, COUNT (never ANY). Returns the words and whether they fix the order. */
function searchOptions(g: CollectionGenerator, store: boolean): { options: string[]; ordered: boolean } {
  const groups: string[][] = [];
  if (!store) {
    if (g.rng.chance(0.35)) groups.push([g.word('WITHCOORD')]);
    if (g.rng.chance(0.35)) groups.push([g.word('WITHDIST')]);
    if (g.rng.chance(0.25)) groups.push([g.word('WITHHASH')]);
  }
  let ordered = false;
  if (g.rng.chance(0.5)) {
    groups.push([g.word(g.rng.pick(['ASC', 'DESC']))]);
    ordered = true;
  }
  if (g.rng.chance(0.35)) {
    groups.push([g.word('COUNT'), g.rng.pick(['1', '2', '5', '0', '-1', 'x'])]);
    ordered = true; // COUNT without ANY sorts (ascending unless DESC)
  }
  if (g.rng.chance(0.03)) groups.push([g.rng.pick(['FOO', 'ANY', 'COUNT'])]);
  return { options: g.rng.shuffle(groups).flat(), ordered };
}

/** FROMMEMBER m | FROMLONLAT lon lat, then BYRADIUS r unit | BYBOX w h unit. */
function searchShape(g: CollectionGenerator): string[] {
  const [lon, lat, name] = place(g);
  const from = g.rng.chance(0.5) ? [g.word('FROMMEMBER'), g.rng.chance(0.9) ? name : 'nowhere'] : [g.word('FROMLONLAT'), lon, lat];
  const by = g.rng.chance(0.6) ? [g.word('BYRADIUS'), radius(g), unit(g)] : [g.word('BYBOX'), radius(g), radius(g), unit(g)];
  if (g.rng.chance(0.04)) return g.rng.pick([from, by, [...from, ...from, ...by]]);
  return [...from, ...by];
}

function emitSearch(_g: CollectionGenerator, emit: Parameters<Entry['make']>[1], cmd: string, argv: string[], ordered: boolean): void {
  emit(cmd, argv, ordered ? undefined : { kind: 'multiset' });
}

export const GEO_ENTRIES: Entry[] = [
  {
    cmd: 'GEOADD',
    weight: 8,
    family: 'geo',
    make: (g, e) => {
      const argv = ['GEOADD', geoKey(g)];
      if (g.rng.chance(0.2)) argv.push(g.word(g.rng.pick(['NX', 'XX'])));
      if (g.rng.chance(0.2)) argv.push(g.word('CH'));
      if (g.rng.chance(0.03)) argv.push('NX', 'XX');
      const n = g.rng.between(1, 5);
      for (let i = 0; i < n; i++) {
        if (g.rng.chance(0.08)) argv.push(...g.rng.pick(BAD_POINTS), memberName(g));
        else {
          const [lon, lat, name] = place(g);
          argv.push(lon, lat, name);
        }
      }
      e('GEOADD', argv);
    },
  },
  { cmd: 'GEOPOS', weight: 3, family: 'geo', make: (g, e) => e('GEOPOS', ['GEOPOS', geoKey(g), ...Array.from({ length: g.rng.between(0, 3) }, () => memberName(g))]) },
  {
    cmd: 'GEODIST',
    weight: 3,
    family: 'geo',
    make: (g, e) => e('GEODIST', ['GEODIST', geoKey(g), memberName(g), memberName(g), ...(g.rng.chance(0.6) ? [unit(g)] : [])]),
  },
  { cmd: 'GEOHASH', weight: 2, family: 'geo', make: (g, e) => e('GEOHASH', ['GEOHASH', geoKey(g), ...Array.from({ length: g.rng.between(0, 3) }, () => memberName(g))]) },
  {
    cmd: 'GEOSEARCH',
    weight: 4,
    family: 'geo',
    make: (g, e) => {
      const { options, ordered } = searchOptions(g, false);
      emitSearch(g, e, 'GEOSEARCH', ['GEOSEARCH', geoKey(g), ...searchShape(g), ...options], ordered);
    },
  },
  {
    cmd: 'GEOSEARCHSTORE',
    weight: 2,
    family: 'geo',
    make: (g, e) => {
      const { options } = searchOptions(g, true);
      e('GEOSEARCHSTORE', ['GEOSEARCHSTORE', g.rng.pick(['geo-store', 'geo-store', 'z2']), geoKey(g), ...searchShape(g), ...options, ...(g.rng.chance(0.4) ? [g.word('STOREDIST')] : [])]);
    },
  },
  {
    cmd: 'GEORADIUS',
    weight: 2,
    family: 'geo',
    make: (g, e) => {
      const [lon, lat] = place(g);
      const store = g.rng.chance(0.2);
      const { options, ordered } = searchOptions(g, store);
      const tail = store ? [g.word(g.rng.pick(['STORE', 'STOREDIST'])), g.rng.pick(['geo-store', 'z2'])] : [];
      emitSearch(g, e, 'GEORADIUS', ['GEORADIUS', geoKey(g), lon, lat, radius(g), unit(g), ...options, ...tail], ordered || store);
    },
  },
  {
    cmd: 'GEORADIUSBYMEMBER',
    weight: 2,
    family: 'geo',
    make: (g, e) => {
      const store = g.rng.chance(0.2);
      const { options, ordered } = searchOptions(g, store);
      const tail = store ? [g.word(g.rng.pick(['STORE', 'STOREDIST'])), g.rng.pick(['geo-store', 'z2'])] : [];
      emitSearch(g, e, 'GEORADIUSBYMEMBER', ['GEORADIUSBYMEMBER', geoKey(g), memberName(g), radius(g), unit(g), ...options, ...tail], ordered || store);
    },
  },
  {
    cmd: 'GEORADIUS_RO',
    weight: 1,
    family: 'geo',
    make: (g, e) => {
      const [lon, lat] = place(g);
      const { options, ordered } = searchOptions(g, false);
      emitSearch(g, e, 'GEORADIUS_RO', ['GEORADIUS_RO', geoKey(g), lon, lat, radius(g), unit(g), ...options], ordered);
    },
  },
  {
    cmd: 'GEORADIUSBYMEMBER_RO',
    weight: 1,
    family: 'geo',
    make: (g, e) => {
      const { options, ordered } = searchOptions(g, false);
      emitSearch(g, e, 'GEORADIUSBYMEMBER_RO', ['GEORADIUSBYMEMBER_RO', geoKey(g), memberName(g), radius(g), unit(g), ...options], ordered);
    },
  },
  encodingEntry('geo', 'geo', 0.5),
  { cmd: 'ZRANGE', weight: 0.5, family: 'geo', make: (g, e) => e('ZRANGE', ['ZRANGE', geoKey(g), '0', '-1', 'WITHSCORES']) },
];
