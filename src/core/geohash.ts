// Geohashing as Redis 7.0 does it (geohash.c, geohash_helper.c): a point is encoded as 26 bits
// of longitude and 26 bits of latitude interleaved into a 52-bit integer (latitude in the even
// bits, longitude in the odd ones) over the Web-Mercator latitude range ±85.05112878, and that
// integer is the sorted-set score of a geo member. A radius or box search covers its area with a
// centre cell and its 8 neighbours at a step (bits per axis) chosen from the search size, and
// scans the score interval of each cell.
//
// Everything here reproduces Redis's floating-point steps in the same order, so that decoded
// coordinates, distances and the cells searched come out the same bit for bit. Interleaved values
// reach 54 bits at the very edges (a coordinate exactly at +180 or +85.05112878 encodes to the
// cell index 2^26, one past the last), so they are kept as doubles built from exact 32-bit halves,
// and rounded once, as C's conversion of the uint64 to a double does.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

/** Redis's mean earth radius for WGS-84, in meters. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
/** M_PI / 180.0, as C folds it. */
const D_R = Math.PI / 180.0;

const TWO_32 = 4294967296;

export interface Range {
  readonly min: number;
  readonly max: number;
}

const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The ranges of the standard geohash alphabet (GEOHASH re-encodes with them). */
const STANDARD_LAT: Range = { min: -90, max: 90 };

/**
 * A cell: its latitude and longitude indexes at `step` bits per axis. An index can be 2^step
 * (one past the last cell) for a point exactly on the upper edge, as in Redis, and garbage
 * scores decode to any 32-bit index.
 */
export interface Cell {
  readonly lat: number;
  readonly lon: number;
  readonly step: number;
}

export interface Area {
  readonly lonMin: number;
  readonly lonMax: number;
  readonly latMin: number;
  readonly latMax: number;
}

// ---------------------------------------------------------------------------------------------
// Bit interleaving

/** Spreads the low 16 bits of v to the even bit positions of a 32-bit value. */
function spread16(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit value into its low 16 bits. */
function compact16(v: number): number {
  let x = v & 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x >>> 0;
}

/** Redis's interleave64(lat, lon) as a double: exact below 2^53, rounded once above. */
export function interleave(lat: number, lon: number): number {
  const low = spread16(lat) + 2 * spread16(lon);
  const high = spread16(lat >>> 16) + 2 * spread16(lon >>> 16);
  return high * TWO_32 + low;
}

/** The two 32-bit halves of a uint64 given as a non-negative integral double below 2^64. */
function halves(bits: number): [hi: number, lo: number] {
  const hi = Math.floor(bits / TWO_32);
  return [hi >>> 0, (bits - hi * TWO_32) >>> 0];
}

/** Redis's deinterleave64 on a uint64 given as two halves: [lat index, lon index]. */
function deinterleave(hi: number, lo: number): [lat: number, lon: number] {
  const lat = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lon = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

/**
 * A sorted-set score as C's `(uint64_t)score` gives it on x86-64, as two 32-bit halves: geo
 * scores are integers below 2^54, but any score can be asked for (negative scores wrap, values
 * past the range give the "integer indefinite" pattern), and Redis decodes whatever it gets.
 */
export function scoreToUint64(score: number): [hi: number, lo: number] {
  if (score >= 0 && score < 2 ** 53 && Number.isInteger(score)) return halves(score);
  let v: bigint;
  if (!(score < 2 ** 63 && score > -(2 ** 63))) {
    // cvttsd2si's out-of-range answer is 2^63; values at or above 2^63 take the path that
    // subtracts 2^63 first and flips the top bit back, which lands on 0 past 2^64.
    if (score >= 2 ** 63 && score < 2 ** 64) v = BigInt(score);
    else v = score >= 2 ** 64 ? 0n : 1n << 63n;
  } else {
    v = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  }
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding

/** True when Redis accepts the pair as a position (GEOADD, FROMLONLAT, GEORADIUS). */
export function validLonLat(lon: number, lat: number): boolean {
  return !(lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX);
}

/** geohashEncode: the cell of a point at `step` bits per axis over the given ranges. */
export function encodeCell(lon: number, lat: number, step: number, lonRange: Range = WGS84_LONG, latRange: Range = WGS84_LAT): Cell {
  const scale = 2 ** step;
  const latOffset = ((lat - latRange.min) / (latRange.max - latRange.min)) * scale;
  const lonOffset = ((lon - lonRange.min) / (lonRange.max - lonRange.min)) * scale;
  // The C code converts these doubles to uint32_t, truncating.
  return { lat: Math.trunc(latOffset) >>> 0, lon: Math.trunc(lonOffset) >>> 0, step };
}

/** The interleaved bits of a cell, aligned to 52 bits: the score range starts there. */
export function cellScore(cell: Cell): number {
  return interleave(cell.lat, cell.lon) * 2 ** (52 - cell.step * 2);
}

/** The 52-bit score GEOADD stores for a valid position. */
export function encodeScore(lon: number, lat: number): number {
  return cellScore(encodeCell(lon, lat, GEO_STEP_MAX));
}

/** geohashDecode: the bounds of a cell over the given ranges. */
export function cellArea(cell: Cell, lonRange: Range = WGS84_LONG, latRange: Range = WGS84_LAT): Area {
  const scale = 2 ** cell.step;
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  // ilato + 1 is uint32 arithmetic in C: it wraps for the all-ones index.
  return {
    latMin: latRange.min + (cell.lat / scale) * latScale,
    latMax: latRange.min + (((cell.lat + 1) >>> 0) / scale) * latScale,
    lonMin: lonRange.min + (cell.lon / scale) * lonScale,
    lonMax: lonRange.min + (((cell.lon + 1) >>> 0) / scale) * lonScale,
  };
}

/** The cell a 52-bit score stands for (step 26). */
export function scoreCell(score: number): Cell {
  const [hi, lo] = scoreToUint64(score);
  const [lat, lon] = deinterleave(hi, lo);
  return { lat, lon, step: GEO_STEP_MAX };
}

/** decodeGeohash: a score's position, the centre of its cell clamped to the valid ranges. */
export function decodeScore(score: number): [lon: number, lat: number] {
  const a = cellArea(scoreCell(score));
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11-character string: the decoded position re-encoded over the standard latitude
 * range -90..90 (Redis's own cells use ±85.05), 5 bits per character; the 11th character stands
 * for bits Redis does not have and is always '0'.
 */
export function standardGeohash(score: number): string {
  const [lon, lat] = decodeScore(score);
  const bits = interleave(...latLonOf(encodeCell(lon, lat, GEO_STEP_MAX, WGS84_LONG, STANDARD_LAT)));
  let out = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    out += GEO_ALPHABET[Math.floor(bits / 2 ** shift) % 32];
  }
  return out + '0';
}

function latLonOf(c: Cell): [number, number] {
  return [c.lat, c.lon];
}

// ---------------------------------------------------------------------------------------------
// Distances

/** Haversine great-circle distance in meters, with Redis's radius and operation order. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = lat1d * D_R;
  const lon1r = lon1d * D_R;
  const lat2r = lat2d * D_R;
  const lon2r = lon2d * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

// ---------------------------------------------------------------------------------------------
// Search shapes and the cells that cover them

export type Shape =
  | { readonly kind: 'radius'; readonly lon: number; readonly lat: number; readonly radius: number; readonly toMeters: number }
  | { readonly kind: 'box'; readonly lon: number; readonly lat: number; readonly width: number; readonly height: number; readonly toMeters: number };

/**
 * The distance in meters from the shape's centre to a point, or -1 when the point is outside
 * (geoAppendIfWithinShape: a radius check, or a box check on the east-west distance along the
 * point's parallel and the north-south distance along its meridian).
 */
export function distanceIfWithin(shape: Shape, lon: number, lat: number): number {
  if (shape.kind === 'radius') {
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.toMeters ? -1 : d;
  }
  const width = shape.width * shape.toMeters;
  const height = shape.height * shape.toMeters;
  const lonDistance = distance(lon, lat, shape.lon, lat);
  const latDistance = distance(lon, lat, lon, shape.lat);
  if (lonDistance > width / 2 || latDistance > height / 2) return -1;
  return distance(shape.lon, shape.lat, lon, lat);
}

/** geohashEstimateStepsByRadius: bits per axis for the 9 search cells. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let range = rangeMeters;
  let step = 1;
  while (range < MERCATOR_MAX) {
    range *= 2;
    step++;
  }
  step -= 2; // make sure the range is inside the cells in most cases
  // Meridians converge towards the poles: widen the cells there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [lonMin, latMin, lonMax, latMax] around the shape's centre. */
export function boundingBox(shape: Shape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.toMeters * (shape.kind === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_IN_METERS / Math.cos((lat + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_IN_METERS / Math.cos((lat - latDelta) * D_R) / D_R;
  // The parallel closer to the pole is the shorter one, so it bounds the box's longitudes.
  const southern = lat < 0;
  const lonMin = southern ? lon - lonDeltaBottom : lon - lonDeltaTop;
  const lonMax = southern ? lon + lonDeltaBottom : lon + lonDeltaTop;
  return [lonMin, lat - latDelta, lonMax, lat + latDelta];
}

/** Moves a cell index by d (-1, 0, 1) with wrap-around; 0 leaves it untouched, as Redis does. */
function moveIndex(index: number, d: number, step: number): number {
  if (d === 0) return index;
  const size = 2 ** step;
  return (((index % size) + d + size) % size) >>> 0;
}

function neighbour(c: Cell, dLon: number, dLat: number): Cell {
  return { lat: moveIndex(c.lat, dLat, c.step), lon: moveIndex(c.lon, dLon, c.step), step: c.step };
}

/**
 * geohashCalculateAreasByShapeWGS84 and membersOfAllNeighbors's order: the centre cell, then
 * north, south, east, west, north-east, north-west, south-east, south-west; null for a neighbour
 * Redis leaves out because the search box cannot reach it.
 */
export function searchCells(shape: Shape): Array<Cell | null> {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    (shape.kind === 'radius' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) *
    shape.toMeters;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let centre = encodeCell(shape.lon, shape.lat, steps);
  // When the search box reaches past a neighbour, the cells are too small: take one step less.
  const north = cellArea(neighbour(centre, 0, 1));
  const south = cellArea(neighbour(centre, 0, -1));
  const east = cellArea(neighbour(centre, 1, 0));
  const west = cellArea(neighbour(centre, -1, 0));
  const tooSmall = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && tooSmall) {
    steps--;
    centre = encodeCell(shape.lon, shape.lat, steps);
  }
  const area = cellArea(centre);
  let n: Cell | null = neighbour(centre, 0, 1);
  let s: Cell | null = neighbour(centre, 0, -1);
  let e: Cell | null = neighbour(centre, 1, 0);
  let w: Cell | null = neighbour(centre, -1, 0);
  let ne: Cell | null = neighbour(centre, 1, 1);
  let nw: Cell | null = neighbour(centre, -1, 1);
  let se: Cell | null = neighbour(centre, 1, -1);
  let sw: Cell | null = neighbour(centre, -1, -1);
  if (steps >= 2) {
    if (area.latMin < minLat) s = sw = se = null;
    if (area.latMax > maxLat) n = ne = nw = null;
    if (area.lonMin < minLon) w = sw = nw = null;
    if (area.lonMax > maxLon) e = se = ne = null;
  }
  return [centre, n, s, e, w, ne, nw, se, sw];
}

/** The score interval [min, max) of the members inside a cell (scoresOfGeoHashBox). */
export function cellScoreRange(cell: Cell): [min: number, max: number] {
  const shift = 2 ** (52 - cell.step * 2);
  const bits = interleave(cell.lat, cell.lon);
  return [bits * shift, (bits + 1) * shift];
}

// ---------------------------------------------------------------------------------------------
// Number formatting as C's printf does it

/**
 * printf("%.<digits>f", x) for a finite double: the exact binary value rounded half to even
 * (toFixed rounds exact ties away from zero, and switches to exponent form at 1e21).
 */
export function formatFixed(x: number, digits: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  // A tie needs a*10^digits to end in exactly .5, so a binary denominator of at most 2^(digits+1).
  if (a < 1e21 && !Number.isInteger(a * 2 ** (digits + 1))) return (negative ? '-' : '') + a.toFixed(digits);
  return (negative ? '-' : '') + exactFixed(a, digits);
}

/** The exact decimal expansion of a non-negative double, rounded half to even at `digits` places. */
function exactFixed(a: number, digits: number): string {
  const [mantissa, exponent] = decompose(a);
  const pow10 = 10n ** BigInt(digits);
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = (mantissa << BigInt(exponent)) * pow10;
  } else {
    const num = mantissa * pow10;
    const shift = BigInt(-exponent);
    const q = num >> shift;
    const r = num - (q << shift);
    const half = 1n << (shift - 1n);
    scaled = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
  }
  const text = scaled.toString().padStart(digits + 1, '0');
  if (digits === 0) return text;
  return `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
}

/** A finite non-negative double as mantissa * 2^exponent with an integral mantissa. */
function decompose(a: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return [fraction, -1074];
  return [fraction | (1n << 52n), biased - 1075];
}

/**
 * Redis's "human" long double text (ld2string LD_STR_HUMAN, as GEOPOS and WITHCOORD print
 * coordinates): %.17Lf, trailing zeros and a bare point removed, "-0" shown as "0".
 */
export function formatHumanDouble(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  let s = formatFixed(x, 17);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
