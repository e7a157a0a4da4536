// Geo commands: the geohash arithmetic, every command against redis-server 7.0 (RESP2 and RESP3,
// random points around several centres, the poles' limits, the antimeridian, radius 0, huge
// radii, COUNT ANY), and effects replay.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { geoCommands } from '../../src/core/commands/geo.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import {
  decodeScore,
  encodeScore,
  estimateSteps,
  formatFixed,
  formatHumanDouble,
  GEO_LAT_MAX,
  interleave,
  scoreToUint64,
  standardGeohash,
} from '../../src/core/geohash.js';
import { ReplyKind } from '../../src/core/reply.js';
import { testEngine } from '../helpers/engine.js';
import { startCairnInProcess, type CairnServer } from '../helpers/cairn-server.js';
import { oracleAvailability, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { escapeBytes, RespClient, sameReply, show, type Arg, type RespValue } from '../helpers/resp-client.js';
import { mulberry32 } from '../helpers/mulberry32.js';

// ---------------------------------------------------------------------------------------------
// Geohash arithmetic

describe('geohash', () => {
  test('scores, positions and hashes of known places (values from redis-server 7.0)', () => {
    assert.equal(encodeScore(13.361389, 38.115556), 3479099956230698);
    assert.equal(encodeScore(15.087269, 37.502669), 3479447370796909);
    assert.deepEqual(decodeScore(3479099956230698).map((x) => formatHumanDouble(x)), ['13.36138933897018433', '38.11555639549629859']);
    assert.equal(standardGeohash(3479099956230698), 'sqc8b49rny0');
    // The upper edges encode one cell past the last (bit 52 and 53), and decode clamped.
    assert.equal(encodeScore(180, GEO_LAT_MAX), 13510798882111488);
    assert.deepEqual(decodeScore(13510798882111488).map((x) => formatHumanDouble(x)), ['180', '85.0511287799999991']);
    assert.equal(standardGeohash(encodeScore(-180, -GEO_LAT_MAX)), '00bh0hbj200');
    assert.equal(standardGeohash(encodeScore(0, 0)), 's0000000000');
  });

  test('interleaving puts latitude in the even bits and longitude in the odd bits', () => {
    assert.equal(interleave(1, 0), 1);
    assert.equal(interleave(0, 1), 2);
    assert.equal(interleave(0b11, 0b10), 0b1101);
    assert.equal(interleave(2 ** 26 - 1, 2 ** 26 - 1), 2 ** 52 - 1);
  });

  test('negative and huge scores decode as C casts them', () => {
    assert.deepEqual(scoreToUint64(-1), [0xffffffff, 0xffffffff]);
    assert.deepEqual(scoreToUint64(2 ** 63), [0x80000000, 0]);
    assert.deepEqual(scoreToUint64(Infinity), [0, 0]);
    assert.deepEqual(scoreToUint64(-Infinity), [0x80000000, 0]);
  });

  test('step estimation', () => {
    assert.equal(estimateSteps(0, 0), 26);
    assert.equal(estimateSteps(Infinity, 0), 1);
    assert.equal(estimateSteps(1000, 0), 14);
    assert.equal(estimateSteps(1000, 70), 13);
    assert.equal(estimateSteps(1000, -85), 12);
  });

  test('%f and %.17Lf formatting round exact ties to even, like glibc', () => {
    assert.equal(formatFixed(0.03125, 4), '0.0312');
    assert.equal(formatFixed(0.09375, 4), '0.0938');
    assert.equal(formatFixed(1e300, 6).length, 301 + 7);
    assert.equal(formatFixed(-0, 6), '-0.000000');
    assert.equal(formatFixed(Infinity, 6), 'inf');
    assert.equal(formatHumanDouble(2 ** -18), '0.00000381469726562');
    assert.equal(formatHumanDouble(-0), '0');
    assert.equal(formatHumanDouble(180), '180');
  });

  test('decode(encode(p)) stays within two cells of p', () => {
    fc.assert(
      fc.property(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -GEO_LAT_MAX, max: GEO_LAT_MAX, noNaN: true }), (lon, lat) => {
        const [dlon, dlat] = decodeScore(encodeScore(lon, lat));
        // At the +180 edge Redis's 26-bit longitude offset overflows into the latitude bits
        // (Cairn reproduces that score exactly, see the oracle test), which moves the decoded
        // point by up to one more cell: two cells bound every point.
        assert.ok(Math.abs(dlon - lon) <= (2 * 360) / 2 ** 26);
        assert.ok(Math.abs(dlat - lat) <= (2 * 2 * GEO_LAT_MAX) / 2 ** 26);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Declarations

test('declarations match redis-server 7.0 COMMAND INFO', () => {
  const expected: Record<string, [number, string[], [number, number, number]]> = {
    geoadd: [-5, ['write', 'denyoom'], [1, 1, 1]],
    geopos: [-2, ['readonly'], [1, 1, 1]],
    geodist: [-4, ['readonly'], [1, 1, 1]],
    geohash: [-2, ['readonly'], [1, 1, 1]],
    geosearch: [-7, ['readonly'], [1, 1, 1]],
    geosearchstore: [-8, ['write', 'denyoom'], [1, 2, 1]],
    georadius: [-6, ['write', 'denyoom'], [1, 1, 1]],
    georadiusbymember: [-5, ['write', 'denyoom'], [1, 1, 1]],
    georadius_ro: [-6, ['readonly'], [1, 1, 1]],
    georadiusbymember_ro: [-5, ['readonly'], [1, 1, 1]],
  };
  assert.deepEqual(geoCommands.map((c) => c.name).sort(), Object.keys(expected).sort());
  for (const c of geoCommands) {
    const [arity, flags, keys] = expected[c.name]!;
    assert.equal(c.arity, arity, c.name);
    assert.deepEqual([...c.flags], flags, c.name);
    assert.deepEqual([c.keys!.first, c.keys!.last, c.keys!.step], keys, c.name);
  }
  const georadius = geoCommands.find((c) => c.name === 'georadius')!;
  assert.deepEqual(georadius.movableKeys!(['GEORADIUS', 'k', '0', '0', '1', 'km']), [1]);
  // As COMMAND GETKEYS on redis-server 7.0 (key specs): the first STORE key and the first STOREDIST key.
  assert.deepEqual(georadius.movableKeys!(['GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE', 'a', 'storedist', 'b']), [1, 7, 9]);
  assert.deepEqual(georadius.movableKeys!(['GEORADIUS', 'k', '0', '0', '1', 'km', 'STOREDIST', 'b', 'STORE', 'a', 'STORE', 'c']), [1, 9, 7]);
  assert.deepEqual(georadius.movableKeys!(['GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE']), [1]);
  const bymember = geoCommands.find((c) => c.name === 'georadiusbymember')!;
  assert.deepEqual(bymember.movableKeys!(['GEORADIUSBYMEMBER', 'k', 'm', '1', 'km', 'STORE', 'd']), [1, 6]);
});

// ---------------------------------------------------------------------------------------------
// Effects and notifications

describe('effects', () => {
  test('GEOADD is logged as the ZADD Redis propagates, only when something changed', () => {
    const t = testEngine();
    t.run('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo', '180', '85.05112878', 'edge');
    t.run('GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo');
    t.run('GEOADD', 'g', '200', '0', 'bad');
    assert.deepEqual(
      t.effects.map((e) => [...e.argv]),
      [['ZADD', 'g', 'CH', '3479099956230698', 'Palermo', '13510798882111488', 'edge']],
    );
  });

  test('the STORE forms are logged as sent; an empty result deletes the destination', () => {
    const t = testEngine();
    t.run('GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    t.effects.length = 0;
    assert.equal(t.run('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'), 2);
    assert.deepEqual(t.run('ZRANGE', 'd', '0', '-1', 'WITHSCORES'), ['Catania', '56.441257870158204', 'Palermo', '190.44242984775784']);
    assert.equal(t.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'STORE', 'd'), 0);
    assert.equal(t.run('EXISTS', 'd'), 0);
    assert.equal(t.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'STORE', 'd'), 0);
    assert.deepEqual(
      t.effects.map((e) => e.argv[0]),
      ['GEOSEARCHSTORE', 'GEORADIUS'],
    );
  });

  test('replaying the effects of random geo command sequences gives identical data', () => {
    const lon = fc.double({ min: -180, max: 180, noNaN: true }).map(String);
    const lat = fc.double({ min: -85.05, max: 85.05, noNaN: true }).map(String);
    const key = fc.constantFrom('g', 'h');
    const member = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const command = fc.oneof(
      fc.tuple(fc.constant('GEOADD'), key, lon, lat, member),
      fc.tuple(fc.constant('GEOADD'), key, fc.constantFrom('NX', 'XX', 'CH'), lon, lat, member, lon, lat, member),
      fc.tuple(fc.constant('GEOSEARCHSTORE'), key, key, fc.constant('FROMLONLAT'), lon, lat, fc.constant('BYRADIUS'), fc.constantFrom('100', '5000', '20000'), fc.constant('km'), fc.constantFrom('ASC', 'STOREDIST', 'DESC')),
      fc.tuple(fc.constant('GEOSEARCHSTORE'), key, key, fc.constant('FROMMEMBER'), member, fc.constant('BYBOX'), fc.constantFrom('100', '9000'), fc.constantFrom('100', '9000'), fc.constant('km'), fc.constant('COUNT'), fc.constantFrom('1', '3')),
      fc.tuple(fc.constant('GEORADIUS'), key, lon, lat, fc.constantFrom('1000', '20000'), fc.constant('km'), fc.constantFrom('STORE', 'STOREDIST'), key),
      fc.tuple(fc.constant('GEORADIUSBYMEMBER'), key, member, fc.constantFrom('1000', '20000'), fc.constant('km'), fc.constant('COUNT'), fc.constant('2'), fc.constant('ANY'), fc.constantFrom('STORE', 'STOREDIST'), key),
      fc.tuple(fc.constant('ZREM'), key, member),
    );
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (cmds) => {
        const source = testEngine({ seed: 7 });
        const replica = testEngine({ seed: 99 });
        for (const c of cmds) source.raw(...(c as string[]));
        for (const e of source.effects) {
          const r = replica.raw(...(e.argv as string[]));
          assert.notEqual(r.k, ReplyKind.Error, `${e.argv.join(' ')}: ${r.v}`);
        }
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
      }),
      { numRuns: 150 },
    );
  });

  test('keyspace events: zadd for GEOADD, geosearchstore / georadiusstore, del', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'KEA' } });
    const events: string[] = [];
    const s = t.session();
    s.raw(['SUBSCRIBE', '__keyevent@0__:zadd', '__keyevent@0__:geosearchstore', '__keyevent@0__:georadiusstore', '__keyevent@0__:del']);
    t.run('GEOADD', 'g', '1', '1', 'a');
    t.run('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km');
    t.run('GEORADIUS', 'g', '1', '1', '1', 'km', 'STORE', 'e');
    t.run('GEORADIUS', 'g', '50', '50', '1', 'km', 'STORE', 'e');
    for (const push of s.takePushed()) {
      const items = push.v as Array<{ v: string }>;
      if (items[0]!.v === 'message') events.push(items[1]!.v);
    }
    assert.deepEqual(events.filter((e) => e.startsWith('__keyevent')), [
      '__keyevent@0__:zadd', '__keyevent@0__:geosearchstore', '__keyevent@0__:georadiusstore', '__keyevent@0__:del',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The oracle

const availability = oracleAvailability();
const skipOracle = availability.ok || availability.fail ? false : availability.message;

/** Centres: ordinary places, the antimeridian, the poles' limits and the exact edges. */
const CENTRES: Array<[number, number]> = [
  [13.361389, 38.115556],
  [0, 0],
  [179.99, 10],
  [-179.99, -10],
  [2.35, 84.9],
  [-70, -85.0],
  [180, 85.05112878],
  [-180, -85.05112878],
];

describe('against redis-server', { skip: skipOracle }, () => {
  let oracle: RedisOracle;
  let cairn: CairnServer;
  const clients: Record<'redis2' | 'cairn2' | 'redis3' | 'cairn3', RespClient> = {} as never;

  before(async () => {
    if (!availability.ok) throw new Error(availability.message);
    oracle = await startRedis();
    cairn = await startCairnInProcess({ seed: 1 });
    clients.redis2 = await RespClient.connect(oracle.port);
    clients.cairn2 = await RespClient.connect(cairn.port);
    clients.redis3 = await RespClient.connect(oracle.port);
    clients.cairn3 = await RespClient.connect(cairn.port);
    await clients.redis3.send('HELLO', '3');
    await clients.cairn3.send('HELLO', '3');
  });

  after(async () => {
    for (const c of Object.values(clients)) c?.close();
    await Promise.allSettled([oracle?.stop(), cairn?.stop()]);
  });

  const render = (argv: readonly Arg[]): string => argv.map((a) => (typeof a === 'string' ? `"${escapeBytes(a)}"` : String(a))).join(' ');

  /**
   * One known, bounded difference is tolerated, everything else must match byte for byte:
   * - STOREDIST scores printed with %.17g: V8's sin/cos/asin (fdlibm) and glibc's can differ in
   *   the last bit, which %.17g shows; the values agree to 1e-14 relative.
   */
  let lastBitDifferences = 0;
  function close(x: number, y: number, relative: number, absolute: number): boolean {
    return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= absolute + relative * Math.abs(x);
  }
  function sameTolerant(a: RespValue, b: RespValue): boolean {
    if (a.t === 'double' && b.t === 'double' && a.v !== b.v) {
      // A stored distance read back as a RESP3 double: the same last-bit allowance as below.
      if (!close(Number(a.v), Number(b.v), 1e-14, 0)) return false;
      lastBitDifferences++;
      return true;
    }
    if (a.t === 'bulk' && b.t === 'bulk' && !a.v.equals(b.v)) {
      const x = a.v.toString('latin1');
      const y = b.v.toString('latin1');
      if (/^-?[0-9.e+-]+$/.test(x) && close(Number(x), Number(y), 1e-14, 0)) {
        lastBitDifferences++;
        return true;
      }
      return false;
    }
    if ((a.t === 'array' || a.t === 'set' || a.t === 'push') && a.t === b.t) {
      const bv = (b as { v: RespValue[] }).v;
      return a.v.length === bv.length && a.v.every((x, i) => sameTolerant(x, bv[i]!));
    }
    return sameReply(a, b);
  }

  /** Where two array replies part ways, for readable failures. */
  function firstDifference(a: RespValue, b: RespValue): string {
    if (a.t === 'array' && b.t === 'array') {
      for (let k = 0; k < Math.max(a.v.length, b.v.length); k++) {
        const x = a.v[k];
        const y = b.v[k];
        if (x === undefined || y === undefined || !sameTolerant(x, y)) return `first difference at ${k}: ${x ? show(x) : '-'} vs ${y ? show(y) : '-'}`;
      }
    }
    return 'differs';
  }

  let compared = 0;
  async function same(commands: Arg[][]): Promise<void> {
    for (const resp of [2, 3] as const) {
      const [expected, actual] = await Promise.all([clients[`redis${resp}`].pipeline(commands), clients[`cairn${resp}`].pipeline(commands)]);
      for (let i = 0; i < commands.length; i++) {
        const ok = sameReply(expected[i]!, actual[i]!) || sameTolerant(expected[i]!, actual[i]!);
        if (!ok) assert.fail(`RESP${resp} ${render(commands[i]!)}\n  after: ${render(commands[i - 1] ?? [])}\n  ${firstDifference(expected[i]!, actual[i]!)}\n  redis: ${show(expected[i]!)}\n  cairn: ${show(actual[i]!)}`);
        compared++;
      }
    }
  }

  test('GEOADD, GEOPOS, GEODIST, GEOHASH: options and errors', async () => {
    await same([
      ['FLUSHALL'], ['SET', 'str', 'x'],
      ['GEOADD', 'k', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
      ['GEOADD', 'k', '200', '10', 'a'], ['GEOADD', 'k', '10', '86', 'a'], ['GEOADD', 'k', '-180.0000001', '0', 'a'],
      ['GEOADD', 'k', '1e300', '-inf', 'a'], ['GEOADD', 'k', '-0', '90', 'a'], ['GEOADD', 'k', 'nan', '0', 'a'], ['GEOADD', 'k', 'x', '0', 'a'],
      ['GEOADD', 'k', '0', 'y', 'a'], ['GEOADD', 'k', '0x10', '0x1p3', 'hex'], ['GEOADD', 'k', ' 1', '1', 'a'],
      ['GEOADD', 'k', 'ch', 'ch', 'ch'], ['GEOADD', 'k', 'gt', '1', '2', 'a'], ['GEOADD', 'k', 'nx', 'xx', '1', '2', 'a'],
      ['GEOADD', 'k', '1', '2', 'a', '3'], ['GEOADD', 'k', 'NX', 'CH', '1', '2', 'Palermo', '3', '4', 'new'],
      ['GEOADD', 'k', 'XX', 'CH', '1', '2', 'Palermo', '3', '4', 'new2'], ['GEOADD', 'k', 'XX', '1', '2', 'Palermo'],
      ['GEOADD', 'k', 'CH', '13.361389', '38.115556', 'Palermo'], ['GEOADD', 'str', '1', '1', 'a'], ['GEOADD', 'str', '1', '100', 'a'],
      ['GEOADD', 'k', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw', '0', '0', 'zero', '180', '0', 'east', '-180', '0', 'west'],
      ['GEOADD', 'k', '179.999999', '85.051128', 'ne2', '0.000001', '-0.000001', 'tiny'],
      ['ZRANGE', 'k', '0', '-1', 'WITHSCORES'],
      ['GEOPOS', 'k', 'Palermo', 'nope', 'ne', 'sw', 'zero', 'east', 'west', 'ne2', 'tiny', 'hex', 'new'], ['GEOPOS', 'k'], ['GEOPOS', 'nokey', 'a', 'b'],
      ['GEOPOS', 'str', 'a'], ['GEOPOS', 'nokey'],
      ['GEOHASH', 'k', 'Palermo', 'Catania', 'ne', 'sw', 'zero', 'east', 'west', 'ne2', 'tiny', 'nope'], ['GEOHASH', 'nokey', 'a'], ['GEOHASH', 'str', 'a'], ['GEOHASH', 'k'],
      ['GEODIST', 'k', 'Palermo', 'Catania'], ['GEODIST', 'k', 'Palermo', 'Catania', 'km'], ['GEODIST', 'k', 'Palermo', 'Catania', 'MI'],
      ['GEODIST', 'k', 'Palermo', 'Catania', 'ft'], ['GEODIST', 'k', 'Palermo', 'Catania', 'M'], ['GEODIST', 'k', 'Palermo', 'Catania', 'yd'],
      ['GEODIST', 'k', 'Palermo', 'Catania', 'km', 'x'], ['GEODIST', 'k', 'Palermo', 'nope'], ['GEODIST', 'nokey', 'a', 'b'], ['GEODIST', 'nokey', 'a', 'b', 'bad'],
      ['GEODIST', 'str', 'a', 'b'], ['GEODIST', 'k', 'ne', 'sw'], ['GEODIST', 'k', 'east', 'west'], ['GEODIST', 'k', 'zero', 'tiny'], ['GEODIST', 'k', 'zero', 'zero'],
      ['GEODIST', 'k', 'ne', 'ne2', 'ft'],
      // Scores not written by GEOADD decode too.
      ['ZADD', 'z', '-1', 'neg', '1.5', 'frac', '1e300', 'huge', '9007199254740993', 'big', '-inf', 'ninf', 'inf', 'pinf'],
      ['GEOPOS', 'z', 'neg', 'frac', 'huge', 'big', 'ninf', 'pinf'], ['GEOHASH', 'z', 'neg', 'frac', 'huge', 'big', 'ninf', 'pinf'],
      ['GEODIST', 'z', 'neg', 'frac'], ['GEOSEARCH', 'z', 'FROMMEMBER', 'frac', 'BYRADIUS', '30000', 'km', 'WITHHASH', 'WITHDIST', 'WITHCOORD'],
    ]);
  });

  test('search argument parsing and errors', async () => {
    const cmds: Arg[][] = [['FLUSHALL'], ['SET', 'str', 'x'], ['GEOADD', 'k', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania']];
    const search = [
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km'], ['FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km'],
      ['FROMMEMBER', 'nope', 'BYRADIUS', '200', 'km'], ['FROMLONLAT', '200', '37', 'BYRADIUS', '1', 'km'], ['FROMLONLAT', 'x', '37', 'BYRADIUS', '1', 'km'],
      ['BYRADIUS', '200', 'km'], ['FROMMEMBER', 'Palermo'], ['FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
      ['FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'], ['FROMMEMBER', 'Palermo', 'FROMMEMBER', 'Catania', 'BYRADIUS', '1', 'km'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'], ['FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '1', 'km'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', 'x', 'km'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '-1', 'km'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'yd'],
      ['FROMMEMBER', 'Palermo', 'BYBOX', 'x', '1', 'km'], ['FROMMEMBER', 'Palermo', 'BYBOX', '1', 'x', 'km'], ['FROMMEMBER', 'Palermo', 'BYBOX', '-1', '1', 'km'],
      ['FROMMEMBER', 'Palermo', 'BYBOX', '1', '-1', 'yd'], ['FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'yd'], ['FROMMEMBER', 'Palermo', 'BYBOX', '1', '1'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '0'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '-1'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', 'x'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ANY'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ANY', 'COUNT', '1'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '1', 'DESC', 'WITHDIST'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'bogus'],
      ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '99999999999999999999'], ['FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '9223372036854775807'],
      ['frommember', 'Palermo', 'byradius', '200', 'KM', 'withcoord', 'withhash', 'withdist', 'asc', 'count', '2'],
    ];
    for (const s of search) {
      for (const key of ['k', 'nokey', 'str']) {
        cmds.push(['GEOSEARCH', key, ...s], ['geosearch', key, ...s], ['GEOSEARCHSTORE', 'dst', key, ...s], ['GEOSEARCHSTORE', 'dst', key, ...s, 'STOREDIST']);
        cmds.push(['SET', 'dst', 'v'], ['GEOSEARCHSTORE', 'dst', key, ...s], ['TYPE', 'dst'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
      }
    }
    const radiusTails = [
      [], ['WITHDIST'], ['WITHDIST', 'WITHCOORD', 'WITHHASH'], ['COUNT', '1'], ['COUNT', '1', 'ANY'], ['ANY'], ['DESC', 'COUNT', '1'], ['STORE', 'd'],
      ['STOREDIST', 'd'], ['STORE', 'd', 'WITHDIST'], ['STORE'], ['STORE', 'd', 'STOREDIST', 'e'], ['COUNT', '0'], ['FROMMEMBER', 'x'], ['BYRADIUS', '1', 'km'], ['x'],
    ];
    for (const tail of radiusTails) {
      for (const key of ['k', 'nokey', 'str']) {
        cmds.push(['GEORADIUS', key, '15', '37', '200', 'km', ...tail], ['GEORADIUS_RO', key, '15', '37', '200', 'km', ...tail]);
        cmds.push(['GEORADIUS', key, '15', '100', '200', 'km', ...tail], ['GEORADIUS', key, '15', '37', '-1', 'km', ...tail], ['GEORADIUS', key, '15', '37', '200', 'yd', ...tail]);
        cmds.push(['GEORADIUSBYMEMBER', key, 'Palermo', '200', 'km', ...tail], ['GEORADIUSBYMEMBER_RO', key, 'Palermo', '200', 'km', ...tail]);
        cmds.push(['GEORADIUSBYMEMBER', key, 'nope', '200', 'km', ...tail], ['GEORADIUSBYMEMBER', key, 'Palermo', 'x', 'km', ...tail]);
        cmds.push(['EXISTS', 'd'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'e', '0', '-1', 'WITHSCORES']);
      }
    }
    await same(cmds);
  });

  test('random points around the centres: searches of every shape, unit, order and limit', async () => {
    const rand = mulberry32(2024);
    const setup: Arg[][] = [['FLUSHALL']];
    for (let c = 0; c < CENTRES.length; c++) {
      const [clon, clat] = CENTRES[c]!;
      const args: Arg[] = ['GEOADD', 'pts'];
      for (let i = 0; i < 60; i++) {
        const spread = i < 20 ? 0.05 : i < 40 ? 1 : 8;
        let lon = clon + (rand() * 2 - 1) * spread;
        let lat = clat + (rand() * 2 - 1) * spread;
        if (lon > 180) lon -= 360;
        if (lon < -180) lon += 360;
        lat = Math.max(-85.05112878, Math.min(85.05112878, lat));
        args.push(lon.toFixed(6), lat.toFixed(6), `c${c}p${i}`);
      }
      // Duplicated positions make equal distances: the sort order of ties must match too.
      args.push(String(clon), String(clat), `c${c}dupA`, String(clon), String(clat), `c${c}dupB`, String(clon), String(clat), `c${c}dupC`);
      setup.push(args);
    }
    // A second set small enough to stay a listpack.
    setup.push(['GEOADD', 'small', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '2.35', '48.85', 'Paris']);
    await same(setup);
    const units = ['m', 'km', 'ft', 'mi'];
    const radii = ['0', '1', '500', '5', '50', '300', '2000', '20000', '50000', '1e9', 'inf'];
    const cmds: Arg[][] = [];
    for (let c = 0; c < CENTRES.length; c++) {
      const [clon, clat] = CENTRES[c]!;
      for (let j = 0; j < 30; j++) {
        const radius = radii[Math.floor(rand() * radii.length)]!;
        const unit = units[Math.floor(rand() * units.length)]!;
        const from: Arg[] = rand() < 0.5 ? ['FROMMEMBER', `c${c}p${Math.floor(rand() * 60)}`] : ['FROMLONLAT', String(clon), String(clat)];
        const by: Arg[] = rand() < 0.5 ? ['BYRADIUS', radius, unit] : ['BYBOX', radius, radii[Math.floor(rand() * radii.length)]!, unit];
        const extra: Arg[] = [];
        const r = rand();
        if (r < 0.25) extra.push('ASC');
        else if (r < 0.5) extra.push('DESC');
        const n = rand();
        if (n < 0.3) extra.push('COUNT', String(1 + Math.floor(rand() * 12)));
        else if (n < 0.5) extra.push('COUNT', String(1 + Math.floor(rand() * 12)), 'ANY');
        const withs: Arg[] = ['WITHDIST', 'WITHHASH', 'WITHCOORD'].filter(() => rand() < 0.6);
        cmds.push(['GEOSEARCH', 'pts', ...from, ...by, ...extra, ...withs]);
        cmds.push(['GEOSEARCHSTORE', 'out', 'pts', ...from, ...by, ...extra], ['ZRANGE', 'out', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'out']);
        cmds.push(['GEOSEARCHSTORE', 'out', 'pts', ...from, ...by, ...extra, 'STOREDIST'], ['ZRANGE', 'out', '0', '-1', 'WITHSCORES']);
        if (by[0] === 'BYRADIUS') {
          const tail = [...extra, ...withs];
          if (from[0] === 'FROMLONLAT') cmds.push(['GEORADIUS', 'pts', from[1]!, from[2]!, radius, unit, ...tail], ['GEORADIUS_RO', 'pts', from[1]!, from[2]!, radius, unit, ...tail]);
          else cmds.push(['GEORADIUSBYMEMBER', 'pts', from[1]!, radius, unit, ...tail], ['GEORADIUSBYMEMBER_RO', 'pts', from[1]!, radius, unit, ...tail]);
        }
      }
      cmds.push(['GEOSEARCH', 'small', 'FROMLONLAT', String(clon), String(clat), 'BYRADIUS', '3000', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH']);
      cmds.push(['GEOSEARCH', 'small', 'FROMLONLAT', String(clon), String(clat), 'BYBOX', '40000', '40000', 'km', 'DESC', 'COUNT', '2']);
    }
    // Distances between pairs of points, in every unit.
    for (let i = 0; i < 100; i++) {
      const a = `c${Math.floor(rand() * CENTRES.length)}p${Math.floor(rand() * 60)}`;
      const b = `c${Math.floor(rand() * CENTRES.length)}p${Math.floor(rand() * 60)}`;
      cmds.push(['GEODIST', 'pts', a, b, units[i % 4]!], ['GEOPOS', 'pts', a, b], ['GEOHASH', 'pts', a, b]);
    }
    await same(cmds);
    assert.ok(compared > 5000, `compared ${compared} replies`);
    console.log(`geo oracle: ${compared} replies compared, ${lastBitDifferences} differed in the last bit of a %.17g distance`);
  });
});

// Keep an in-process smoke test of every command, independent of the oracle.
test('every geo command answers in process', () => {
  const t = testEngine();
  assert.equal(t.run('GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'), 2);
  assert.deepEqual(t.run('GEOPOS', 'g', 'Palermo', 'x'), [['13.36138933897018433', '38.11555639549629859'], null]);
  assert.equal(t.run('GEODIST', 'g', 'Palermo', 'Catania'), '166274.1516');
  assert.deepEqual(t.run('GEOHASH', 'g', 'Palermo', 'Catania'), ['sqc8b49rny0', 'sqdtr74hyu0']);
  assert.deepEqual(t.run('GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC'), ['Catania', 'Palermo']);
  assert.deepEqual(t.run('GEORADIUS', 'g', '15', '37', '200', 'km', 'DESC', 'COUNT', '1'), ['Palermo']);
  assert.deepEqual(t.run('GEORADIUSBYMEMBER', 'g', 'Palermo', '100', 'km'), ['Palermo']);
  assert.deepEqual(t.run('GEORADIUS_RO', 'g', '15', '37', '200', 'km', 'STORE', 'x'), { error: 'ERR syntax error' });
  assert.deepEqual(t.run('GEORADIUSBYMEMBER_RO', 'g', 'Palermo', '100', 'km', 'WITHDIST'), [['Palermo', '0.0000']]);
  assert.equal(t.run('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km'), 2);
  assert.deepEqual(t.run('ZRANGE', 'd', '0', '-1'), ['Palermo', 'Catania']);
});
