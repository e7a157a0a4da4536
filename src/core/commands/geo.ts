// Geo commands (Redis 7.0 geo.c). A geo set is a sorted set whose scores are 52-bit geohashes
// (src/core/geohash.ts), so ZRANGE, ZREM and the rest work on it unchanged.
//
// Replies follow Redis byte for byte: distances with "%.4f" as bulk strings in both protocols,
// coordinates as %.17Lf with trailing zeros trimmed (bulk strings in RESP2), hashes as integers.
// The order of results follows Redis too: the 9 cells in Redis's order, members in score order
// inside each, then a stable sort by distance (glibc's qsort is a merge sort), or Redis's own
// partial quicksort (pqsort) when COUNT keeps fewer than were found, so that equal distances
// come out in the same order.
//
// Effects: GEOADD is logged as the ZADD Redis rewrites it into (the scores as integers), only
// when something changed. The STORE forms are deterministic functions of the data and are logged
// as sent.
import * as errors from '../errors.js';
import {
  cellScoreRange,
  decodeScore,
  distance,
  distanceIfWithin,
  formatFixed,
  formatHumanDouble,
  GEO_STEP_MAX,
  encodeCell,
  interleave,
  searchCells,
  standardGeohash,
  validLonLat,
  type Cell,
  type Shape,
} from '../geohash.js';
import type { Entry } from '../keyspace.js';
import { parseI64 } from '../numbers.js';
import { array, bulk, doubleText, EMPTY_ARRAY, int, NIL, NIL_ARRAY, ZERO, type Reply } from '../reply.js';
import { compareEntries } from '../types/order-tree.js';
import { parseScore, ZSet } from '../types/zset.js';
import { sortedSetCommands } from './sorted-sets.js';
import { isWord, written, type CommandSpec, type CoreContext } from './spec.js';

const geoGroup = { group: 'geo', acl: ['geo'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;

export const geoCommands: CommandSpec[] = [
  {
    ...geoGroup, name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keys: oneKey, since: '3.2.0',
    summary: 'Adds members at longitude/latitude positions to a geo set (a sorted set scored by geohash); NX/XX choose which, CH counts changes.',
    complexity: 'O(log N) per member added, N the size of the set',
    syntax: 'GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]',
    handler: geoadd,
  },
  {
    ...geoGroup, name: 'geopos', arity: -2, flags: ['readonly'], keys: oneKey, since: '3.2.0',
    summary: 'Returns the longitude and latitude of members (the centre of their geohash cell), nil for each missing one.',
    complexity: 'O(1) per member asked for',
    syntax: 'GEOPOS key [member [member ...]]',
    handler: geopos,
  },
  {
    ...geoGroup, name: 'geodist', arity: -4, flags: ['readonly'], keys: oneKey, since: '3.2.0',
    summary: 'Returns the distance between two members in meters, kilometers, feet or miles, or nil when one is missing.',
    complexity: 'O(1)',
    syntax: 'GEODIST key member1 member2 [M | KM | FT | MI]',
    handler: geodist,
  },
  {
    ...geoGroup, name: 'geohash', arity: -2, flags: ['readonly'], keys: oneKey, since: '3.2.0',
    summary: 'Returns the standard 11-character geohash string of members, nil for each missing one.',
    complexity: 'O(1) per member asked for',
    syntax: 'GEOHASH key [member [member ...]]',
    handler: geohash,
  },
  {
    ...geoGroup, name: 'geosearch', arity: -7, flags: ['readonly'], keys: oneKey, since: '6.2.0',
    summary: 'Returns the members within a radius or a box around a member or a position, optionally sorted, limited and with distance, hash and position.',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI | BYBOX width height M|KM|FT|MI [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 1, Mode.Search),
  },
  {
    ...geoGroup, name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, since: '6.2.0',
    summary: 'Stores the result of a GEOSEARCH as a geo set (or with STOREDIST a sorted set of distances) and returns its size.',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEOSEARCHSTORE destination source FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI | BYBOX width height M|KM|FT|MI [ASC | DESC] [COUNT count [ANY]] [STOREDIST]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 2, Mode.SearchStore),
  },
  {
    ...geoGroup, name: 'georadius', arity: -6, flags: ['write', 'denyoom'], keys: oneKey, movableKeys: radiusKeys, since: '3.2.0',
    summary: 'Returns (or with STORE/STOREDIST stores) the members within a radius of a position (superseded by GEOSEARCH).',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 1, Mode.RadiusCoords),
  },
  {
    ...geoGroup, name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], keys: oneKey, movableKeys: radiusByMemberKeys, since: '3.2.0',
    summary: 'Returns (or with STORE/STOREDIST stores) the members within a radius of a member (superseded by GEOSEARCH).',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 1, Mode.RadiusMember),
  },
  {
    ...geoGroup, name: 'georadius_ro', arity: -6, flags: ['readonly'], keys: oneKey, since: '3.2.10',
    summary: 'Read-only GEORADIUS: the members within a radius of a position, without STORE.',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 1, Mode.RadiusCoords | Mode.NoStore),
  },
  {
    ...geoGroup, name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], keys: oneKey, since: '3.2.10',
    summary: 'Read-only GEORADIUSBYMEMBER: the members within a radius of a member, without STORE.',
    complexity: 'O(N + log M): N members in the cells covering the area, M the size of the set',
    syntax: 'GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]',
    handler: (ctx, argv) => searchGeneric(ctx, argv, 1, Mode.RadiusMember | Mode.NoStore),
  },
];

/**
 * GEORADIUS/GEORADIUSBYMEMBER keys as Redis 7.0's key specs find them: the source, then the key
 * after the first STORE and the key after the first STOREDIST, searched from the first option
 * (argv[6], or argv[5] for BYMEMBER); a keyword in last place names no key.
 */
function radiusKeysFrom(start: number): (argv: readonly string[]) => number[] {
  const keywordKey = (argv: readonly string[], word: string): number[] => {
    for (let i = start; i < argv.length - 1; i++) if (isWord(argv[i]!, word)) return [i + 1];
    return [];
  };
  return (argv) => [1, ...keywordKey(argv, 'STORE'), ...keywordKey(argv, 'STOREDIST')];
}

function radiusKeys(argv: readonly string[]): number[] {
  return radiusKeysFrom(6)(argv);
}

function radiusByMemberKeys(argv: readonly string[]): number[] {
  return radiusKeysFrom(5)(argv);
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

function zsetIn(e: Entry | undefined): ZSet | undefined | Reply {
  if (e === undefined) return undefined;
  return e.type === 'zset' ? (e.value as ZSet) : errors.wrongType();
}

/** Two arguments as a position, or Redis's error (a bad float, or a pair out of range). */
function parseLonLat(lonArg: string, latArg: string): [number, number] | Reply {
  const lon = parseScore(lonArg);
  if (lon === null) return errors.notFloat();
  const lat = parseScore(latArg);
  if (lat === null) return errors.notFloat();
  if (!validLonLat(lon, lat)) return errors.geoInvalidLonLat(formatFixed(lon, 6), formatFixed(lat, 6));
  return [lon, lat];
}

/** The unit word's meters per unit, or null (extractUnitOrReply). */
function unitToMeters(word: string): number | null {
  if (isWord(word, 'M')) return 1;
  if (isWord(word, 'KM')) return 1000;
  if (isWord(word, 'FT')) return 0.3048;
  if (isWord(word, 'MI')) return 1609.34;
  return null;
}

/** A distance as GEODIST and WITHDIST show it: "%.4f", a bulk string in both protocols. */
function distanceReply(d: number): Reply {
  return bulk(formatFixed(d, 4));
}

/** A coordinate as Redis's addReplyHumanLongDouble sends it. */
function coordinateReply(x: number): Reply {
  // The same %.17Lf text in both protocols: a bulk string in RESP2, a double in RESP3.
  return doubleText(formatHumanDouble(x));
}

function positionReply(ctx: CoreContext, score: number): Reply {
  const [lon, lat] = decodeScore(score);
  return array([coordinateReply(lon), coordinateReply(lat)]);
}

/** A score as C's (long long) cast gives it, for WITHHASH. */
function hashReply(score: number): Reply {
  if (Number.isSafeInteger(score)) return int(score);
  if (!(score < 2 ** 63 && score >= -(2 ** 63))) return int(-(2n ** 63n));
  return int(BigInt(Math.trunc(score)));
}

// ---------------------------------------------------------------------------------------------
// GEOADD: rewritten into ZADD, as Redis does

const zaddHandler = sortedSetCommands.find((c) => c.name === 'zadd')!.handler!;

function geoadd(ctx: CoreContext, argv: string[]): Reply {
  let nx = false;
  let xx = false;
  let longIdx = 2;
  for (; longIdx < argv.length; longIdx++) {
    const word = argv[longIdx]!;
    if (isWord(word, 'NX')) nx = true;
    else if (isWord(word, 'XX')) xx = true;
    else if (!isWord(word, 'CH')) break;
  }
  if ((argv.length - longIdx) % 3 !== 0 || (nx && xx)) return errors.syntax();
  const zaddArgv = ['ZADD', ...argv.slice(1, longIdx)];
  for (let i = longIdx; i < argv.length; i += 3) {
    const pos = parseLonLat(argv[i]!, argv[i + 1]!);
    if (!Array.isArray(pos)) return pos;
    zaddArgv.push(exactScoreText(encodeCell(pos[0], pos[1], GEO_STEP_MAX)), argv[i + 2]!);
  }
  // ZADD records its own changes; what goes to the log is the ZADD, as Redis propagates it.
  const dirtyBefore = ctx.ks.dirty;
  const reply = zaddHandler(ctx, zaddArgv);
  if (ctx.ks.dirty !== dirtyBefore) {
    ctx.ks.emit(ctx.db.id, zaddArgv);
    ctx.effectRewritten = true;
  }
  return reply;
}

/** The 52-bit score of a cell as Redis's sdsfromlonglong prints the uint64 (exact, even past 2^53). */
function exactScoreText(cell: Cell): string {
  const approx = interleave(cell.lat, cell.lon);
  if (approx < 2 ** 53) return String(approx);
  const spread = (v: number): bigint => {
    let out = 0n;
    for (let b = 0; b < 32; b++) if ((v >>> b) & 1) out |= 1n << BigInt(2 * b);
    return out;
  };
  return (spread(cell.lat) | (spread(cell.lon) << 1n)).toString();
}

// ---------------------------------------------------------------------------------------------
// GEOPOS, GEOHASH, GEODIST

function geopos(ctx: CoreContext, argv: string[]): Reply {
  const z = zsetIn(ctx.db.lookupRead(argv[1]!));
  if (z !== undefined && !(z instanceof ZSet)) return z;
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]!);
    out.push(score === undefined ? NIL_ARRAY : positionReply(ctx, score));
  }
  return array(out);
}

function geohash(ctx: CoreContext, argv: string[]): Reply {
  const z = zsetIn(ctx.db.lookupRead(argv[1]!));
  if (z !== undefined && !(z instanceof ZSet)) return z;
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]!);
    out.push(score === undefined ? NIL : bulk(standardGeohash(score)));
  }
  return array(out);
}

function geodist(ctx: CoreContext, argv: string[]): Reply {
  let toMeters = 1;
  if (argv.length === 5) {
    const unit = unitToMeters(argv[4]!);
    if (unit === null) return errors.geoUnsupportedUnit();
    toMeters = unit;
  } else if (argv.length > 5) {
    return errors.syntax();
  }
  const z = zsetIn(ctx.db.lookupRead(argv[1]!));
  if (z === undefined) return NIL;
  if (!(z instanceof ZSet)) return z;
  const s1 = z.score(argv[2]!);
  const s2 = z.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) return NIL;
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  return distanceReply(distance(lon1, lat1, lon2, lat2) / toMeters);
}

// ---------------------------------------------------------------------------------------------
// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO forms (georadiusGeneric)

const enum Mode {
  RadiusCoords = 1,
  RadiusMember = 2,
  NoStore = 4,
  Search = 8,
  SearchStore = 8 | 16,
}

const enum Sort { None, Asc, Desc }

/** A member found inside the shape. */
interface Found {
  readonly member: string;
  readonly score: number;
  readonly lon: number;
  readonly lat: number;
  /** Meters, then divided by the unit before replying. */
  dist: number;
}

interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  any: boolean;
  sort: Sort;
  count: number;
  storeKey: string | null;
  storeDist: boolean;
}

/** What the centre and shape arguments say; the centre stays unknown when the source is missing. */
interface ShapeParts {
  lon: number;
  lat: number;
  kind: 'radius' | 'box' | null;
  radius: number;
  width: number;
  height: number;
  toMeters: number;
}

/** A radius and unit (extractDistanceOrReply). */
function parseRadius(parts: ShapeParts, radiusArg: string, unitArg: string): Reply | null {
  const r = parseScore(radiusArg);
  if (r === null) return errors.geoNeedNumeric('radius');
  if (r < 0) return errors.geoRadiusNegative();
  const unit = unitToMeters(unitArg);
  if (unit === null) return errors.geoUnsupportedUnit();
  parts.kind = 'radius';
  parts.radius = r;
  parts.toMeters = unit;
  return null;
}

/** A width, height and unit (extractBoxOrReply). */
function parseBox(parts: ShapeParts, widthArg: string, heightArg: string, unitArg: string): Reply | null {
  const w = parseScore(widthArg);
  if (w === null) return errors.geoNeedNumeric('width');
  const h = parseScore(heightArg);
  if (h === null) return errors.geoNeedNumeric('height');
  if (h < 0 || w < 0) return errors.geoBoxNegative();
  const unit = unitToMeters(unitArg);
  if (unit === null) return errors.geoUnsupportedUnit();
  parts.kind = 'box';
  parts.width = w;
  parts.height = h;
  parts.toMeters = unit;
  return null;
}

/** The position of a member of the source, or Redis's error when it has none. */
function memberPosition(z: ZSet, member: string): [number, number] | Reply {
  const score = z.score(member);
  if (score === undefined) return errors.geoMemberUndecodable();
  return decodeScore(score);
}

function searchGeneric(ctx: CoreContext, argv: string[], srcIndex: number, mode: Mode): Reply {
  const found = zsetIn(ctx.db.lookupRead(argv[srcIndex]!));
  if (found !== undefined && !(found instanceof ZSet)) return found;
  const z = found;
  const parts: ShapeParts = { lon: 0, lat: 0, kind: null, radius: 0, width: 0, height: 0, toMeters: 1 };
  const o: SearchOptions = { withDist: false, withHash: false, withCoord: false, any: false, sort: Sort.None, count: 0, storeKey: null, storeDist: false };
  const isSearch = (mode & Mode.Search) !== 0;
  const isSearchStore = mode === Mode.SearchStore;
  let baseArgs: number;
  if (mode & Mode.RadiusCoords) {
    baseArgs = 6;
    const pos = parseLonLat(argv[2]!, argv[3]!);
    if (!Array.isArray(pos)) return pos;
    [parts.lon, parts.lat] = pos;
    const bad = parseRadius(parts, argv[4]!, argv[5]!);
    if (bad !== null) return bad;
  } else if (mode & Mode.RadiusMember) {
    baseArgs = 5;
    // Without a source the member and radius are not read: the reply is empty whatever they say.
    if (z !== undefined) {
      const pos = memberPosition(z, argv[2]!);
      if (!Array.isArray(pos)) return pos;
      [parts.lon, parts.lat] = pos;
      const bad = parseRadius(parts, argv[3]!, argv[4]!);
      if (bad !== null) return bad;
    }
  } else {
    baseArgs = isSearchStore ? 3 : 2;
    if (isSearchStore) o.storeKey = argv[1]!;
  }
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  const remaining = argv.length - baseArgs;
  const storeAllowed = !(mode & Mode.NoStore) && !isSearch;
  for (let i = 0; i < remaining; i++) {
    const at = baseArgs + i;
    const arg = argv[at]!;
    if (isWord(arg, 'WITHDIST')) o.withDist = true;
    else if (isWord(arg, 'WITHHASH')) o.withHash = true;
    else if (isWord(arg, 'WITHCOORD')) o.withCoord = true;
    else if (isWord(arg, 'ANY')) o.any = true;
    else if (isWord(arg, 'ASC')) o.sort = Sort.Asc;
    else if (isWord(arg, 'DESC')) o.sort = Sort.Desc;
    else if (isWord(arg, 'COUNT') && i + 1 < remaining) {
      const n = parseI64(argv[at + 1]!);
      if (n === null) return errors.notInteger();
      if (n <= 0n) return errors.geoCountNotPositive();
      // Counts past any possible result size behave alike; keep the number exact enough.
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if (isWord(arg, 'STORE') && i + 1 < remaining && storeAllowed) {
      o.storeKey = argv[at + 1]!;
      o.storeDist = false;
      i++;
    } else if (isWord(arg, 'STOREDIST') && i + 1 < remaining && storeAllowed) {
      o.storeKey = argv[at + 1]!;
      o.storeDist = true;
      i++;
    } else if (isWord(arg, 'STOREDIST') && isSearchStore) {
      o.storeDist = true;
    } else if (isWord(arg, 'FROMMEMBER') && i + 1 < remaining && isSearch && !fromLonLat) {
      if (z !== undefined) {
        const pos = memberPosition(z, argv[at + 1]!);
        if (!Array.isArray(pos)) return pos;
        [parts.lon, parts.lat] = pos;
      }
      fromMember = true;
      i++;
    } else if (isWord(arg, 'FROMLONLAT') && i + 2 < remaining && isSearch && !fromMember) {
      const pos = parseLonLat(argv[at + 1]!, argv[at + 2]!);
      if (!Array.isArray(pos)) return pos;
      [parts.lon, parts.lat] = pos;
      fromLonLat = true;
      i += 2;
    } else if (isWord(arg, 'BYRADIUS') && i + 2 < remaining && isSearch && !byBox) {
      const bad = parseRadius(parts, argv[at + 1]!, argv[at + 2]!);
      if (bad !== null) return bad;
      byRadius = true;
      i += 2;
    } else if (isWord(arg, 'BYBOX') && i + 3 < remaining && isSearch && !byRadius) {
      const bad = parseBox(parts, argv[at + 1]!, argv[at + 2]!, argv[at + 3]!);
      if (bad !== null) return bad;
      byBox = true;
      i += 3;
    } else {
      return errors.syntax();
    }
  }
  if (o.storeKey !== null && (o.withDist || o.withHash || o.withCoord)) {
    return errors.geoStoreWithOptions(isSearchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS');
  }
  if (isSearch && !(fromMember || fromLonLat)) return errors.geoNeedOneFrom(argv[0]!);
  if (isSearch && !(byRadius || byBox)) return errors.geoNeedOneBy(argv[0]!);
  if (o.any && o.count === 0) return errors.geoAnyWithoutCount();

  if (z === undefined) {
    if (o.storeKey === null) return EMPTY_ARRAY;
    return clearDestination(ctx, o.storeKey);
  }
  // COUNT needs an order to pick the nearest; ANY takes the first found instead.
  if (o.count !== 0 && o.sort === Sort.None && !o.any) o.sort = Sort.Asc;

  const shape: Shape =
    parts.kind === 'box'
      ? { kind: 'box', lon: parts.lon, lat: parts.lat, width: parts.width, height: parts.height, toMeters: parts.toMeters }
      : { kind: 'radius', lon: parts.lon, lat: parts.lat, radius: parts.radius, toMeters: parts.toMeters };
  const results = membersInShape(z, shape, o.any ? o.count : 0);
  if (results.length === 0 && o.storeKey === null) return EMPTY_ARRAY;
  const returned = o.count === 0 || results.length < o.count ? results.length : o.count;
  sortResults(results, o.sort, returned);
  for (let i = 0; i < returned; i++) results[i]!.dist /= shape.toMeters;
  if (o.storeKey === null) return resultsReply(ctx, results, returned, o);
  return storeResults(ctx, o.storeKey, results, returned, o.storeDist, isSearch);
}

/**
 * membersOfAllNeighbors: every member of the 9 cells that lies inside the shape, cell by cell in
 * Redis's order, stopping once `limit` (COUNT ... ANY) are found.
 */
function membersInShape(z: ZSet, shape: Shape, limit: number): Found[] {
  const cells = searchCells(shape);
  const out: Found[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) continue;
    // Huge areas make neighbours coincide: skip a cell equal to the one scanned just before
    // (Redis's check never compares with the centre cell, index 0).
    const last = cells[lastProcessed]!;
    if (lastProcessed !== 0 && cell.lat === last.lat && cell.lon === last.lon && cell.step === last.step) continue;
    if (out.length > 0 && limit !== 0 && out.length >= limit) break;
    membersInCell(z, cell, shape, out, limit);
    lastProcessed = i;
  }
  return out;
}

/** geoGetPointsInRange: the members with min <= score < max that lie inside the shape. */
function membersInCell(z: ZSet, cell: Cell, shape: Shape, out: Found[], limit: number): void {
  const [min, max] = cellScoreRange(cell);
  const start = z.countWhile((score) => score < min);
  z.walk(start, false, (member, score) => {
    if (!(score < max)) return false;
    const [lon, lat] = decodeScore(score);
    const d = distanceIfWithin(shape, lon, lat);
    if (d >= 0) out.push({ member, score, lon, lat, dist: d });
    return !(out.length > 0 && limit !== 0 && out.length >= limit);
  });
}

function ascending(a: Found, b: Found): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function descending(a: Found, b: Found): number {
  return -ascending(a, b);
}

/**
 * Sorts as Redis does: a full sort with glibc's qsort, which is a stable merge sort (as JS's sort
 * is), or, when only the first `returned` are kept, Redis's partial quicksort.
 */
function sortResults(results: Found[], sort: Sort, returned: number): void {
  if (sort === Sort.None) return;
  const cmp = sort === Sort.Asc ? ascending : descending;
  if (returned === results.length) results.sort(cmp);
  else partialQuicksort(results, cmp, 0, returned - 1);
}

function resultsReply(ctx: CoreContext, results: Found[], returned: number, o: SearchOptions): Reply {
  const withOptions = o.withDist || o.withHash || o.withCoord;
  const out: Reply[] = [];
  for (let i = 0; i < returned; i++) {
    const f = results[i]!;
    if (!withOptions) {
      out.push(bulk(f.member));
      continue;
    }
    const item: Reply[] = [bulk(f.member)];
    if (o.withDist) item.push(distanceReply(f.dist));
    if (o.withHash) item.push(hashReply(f.score));
    if (o.withCoord) item.push(array([coordinateReply(f.lon), coordinateReply(f.lat)]));
    out.push(array(item));
  }
  return array(out);
}

/** The STORE forms: the results as a sorted set (geohash scores, or distances with STOREDIST). */
function storeResults(ctx: CoreContext, dst: string, results: Found[], returned: number, storeDist: boolean, isSearch: boolean): Reply {
  if (returned === 0) return clearDestination(ctx, dst);
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < returned; i++) pairs.push([results[i]!.member, storeDist ? results[i]!.dist : results[i]!.score]);
  pairs.sort((a, b) => compareEntries(a[1], a[0], b[1], b[0]));
  const z = ZSet.fromSorted(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  );
  ctx.db.set(dst, 'zset', z);
  ctx.ks.notify(ctx.db.id, isSearch ? 'geosearchstore' : 'georadiusstore', dst);
  written(ctx, returned);
  return int(returned);
}

/** An empty result deletes the destination, if there was one. */
function clearDestination(ctx: CoreContext, dst: string): Reply {
  if (ctx.db.delete(dst)) {
    ctx.ks.notify(ctx.db.id, 'del', dst);
    written(ctx);
  }
  return ZERO;
}

// ---------------------------------------------------------------------------------------------
// Redis's pqsort (Bentley & McIlroy's quicksort that only recurses into the parts overlapping
// the ranks wanted), ported on array indexes so that ties land where Redis puts them.

type Cmp<T> = (a: T, b: T) => number;

function partialQuicksort<T>(arr: T[], cmp: Cmp<T>, lrange: number, rrange: number): void {
  pqsortPart(arr, 0, arr.length, cmp, lrange, rrange);
}

function swap<T>(arr: T[], i: number, j: number): void {
  const t = arr[i]!;
  arr[i] = arr[j]!;
  arr[j] = t;
}

function vecswap<T>(arr: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(arr, i + k, j + k);
}

function med3<T>(arr: T[], a: number, b: number, c: number, cmp: Cmp<T>): number {
  return cmp(arr[a]!, arr[b]!) < 0
    ? cmp(arr[b]!, arr[c]!) < 0 ? b : cmp(arr[a]!, arr[c]!) < 0 ? c : a
    : cmp(arr[b]!, arr[c]!) > 0 ? b : cmp(arr[a]!, arr[c]!) < 0 ? a : c;
}

/** True when the wanted ranks lie wholly before or wholly after [start, start + n). */
function outsideWanted(start: number, n: number, lrange: number, rrange: number): boolean {
  return (lrange < start && rrange < start) || (lrange >= start + n && rrange >= start + n);
}

function pqsortPart<T>(arr: T[], start: number, count: number, cmp: Cmp<T>, lrange: number, rrange: number): void {
  let a = start;
  let n = count;
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) {
        for (let pl = pm; pl > a && cmp(arr[pl - 1]!, arr[pl]!) > 0; pl--) swap(arr, pl, pl - 1);
      }
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(arr, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(arr, pm - d, pm, pm + d, cmp);
        pn = med3(arr, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(arr, pl, pm, pn, cmp);
    }
    swap(arr, a, pm);
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(arr[pb]!, arr[a]!)) <= 0) {
        if (c === 0) {
          swap(arr, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (c = cmp(arr[pc]!, arr[a]!)) >= 0) {
        if (c === 0) {
          swap(arr, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(arr, pb, pc);
      pb++;
      pc--;
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(arr, a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(arr, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && !outsideWanted(a, r, lrange, rrange)) pqsortPart(arr, a, r, cmp, lrange, rrange);
    r = pd - pc;
    if (r > 1) {
      a = pn - r;
      n = r;
      if (!outsideWanted(a, n, lrange, rrange)) continue;
    }
    return;
  }
}
