// Geo search latency, Cairn beside redis-server: 1M points (uniform over a region the size of
// Europe, loaded with pipelined GEOADDs of 100 points each), then GEOSEARCH queries one at a
// time from random centres in the region, for a few shapes, and the p50/p99 of each.
// Printed, not asserted: `node dist/bench/geo.js [--quick]`.
import { startCairn, startRedis, type BenchServer } from './servers.js';
import { encodeCommand, RespClient, RespError, type RespValue } from './resp.js';
import { failRun, fmtNumber, fmtRatio, hasFlag, isMain, log, table } from './report.js';
import { mulberry32 } from '../test/helpers/mulberry32.js'; // both servers get the same points and queries

const QUICK = hasFlag('--quick');
const POINTS = QUICK ? 100_000 : 1_000_000;
const QUERIES = QUICK ? 300 : 2_000;
const PER_ADD = 100;

/** A region of about 3000 x 2200 km. */
const LON_MIN = -10;
const LON_MAX = 30;
const LAT_MIN = 36;
const LAT_MAX = 56;

interface Query {
  readonly name: string;
  readonly args: (lon: string, lat: string) => string[];
}

const QUERY_KINDS: Query[] = [
  { name: 'BYRADIUS 5 km', args: (lon, lat) => ['GEOSEARCH', 'pts', 'FROMLONLAT', lon, lat, 'BYRADIUS', '5', 'km'] },
  { name: 'BYRADIUS 20 km ASC WITHDIST', args: (lon, lat) => ['GEOSEARCH', 'pts', 'FROMLONLAT', lon, lat, 'BYRADIUS', '20', 'km', 'ASC', 'WITHDIST'] },
  { name: 'BYBOX 30x30 km WITHCOORD', args: (lon, lat) => ['GEOSEARCH', 'pts', 'FROMLONLAT', lon, lat, 'BYBOX', '30', '30', 'km', 'WITHCOORD'] },
  { name: 'BYRADIUS 100 km COUNT 10', args: (lon, lat) => ['GEOSEARCH', 'pts', 'FROMLONLAT', lon, lat, 'BYRADIUS', '100', 'km', 'COUNT', '10'] },
  { name: 'BYRADIUS 100 km COUNT 10 ANY', args: (lon, lat) => ['GEOSEARCH', 'pts', 'FROMLONLAT', lon, lat, 'BYRADIUS', '100', 'km', 'COUNT', '10', 'ANY'] },
];

function check(v: RespValue, what: string): RespValue {
  if (v instanceof RespError) throw new Error(`${what}: ${v.message}`);
  return v;
}

async function load(port: number): Promise<number> {
  const c = await RespClient.connect(port);
  try {
    check(await c.call('FLUSHALL'), 'FLUSHALL');
    const rand = mulberry32(1);
    const started = Date.now();
    const result = await c.load(POINTS / PER_ADD, (from, to) => {
      let text = '';
      for (let i = from; i < to; i++) {
        const args = ['GEOADD', 'pts'];
        for (let j = 0; j < PER_ADD; j++) {
          const lon = LON_MIN + rand() * (LON_MAX - LON_MIN);
          const lat = LAT_MIN + rand() * (LAT_MAX - LAT_MIN);
          args.push(lon.toFixed(6), lat.toFixed(6), `p${i * PER_ADD + j}`);
        }
        text += encodeCommand(args);
      }
      return Buffer.from(text, 'latin1');
    }, { batch: 10, window: 100, deadline: Date.now() + 600_000 });
    if (result.errors > 0) throw new Error(`load: ${result.firstError}`);
    return Date.now() - started;
  } finally {
    c.close();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Latencies (ms) of one query kind, one request at a time, and the mean result size. */
async function measure(port: number, q: Query): Promise<{ p50: number; p99: number; results: number }> {
  const c = await RespClient.connect(port);
  try {
    const rand = mulberry32(7);
    const times: number[] = [];
    let results = 0;
    for (let i = 0; i < QUERIES; i++) {
      const lon = (LON_MIN + rand() * (LON_MAX - LON_MIN)).toFixed(6);
      const lat = (LAT_MIN + rand() * (LAT_MAX - LAT_MIN)).toFixed(6);
      const t0 = process.hrtime.bigint();
      const reply = check(await c.call(...q.args(lon, lat)), q.name);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      results += Array.isArray(reply) ? reply.length : 0;
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p99: percentile(times, 99), results: results / QUERIES };
  } finally {
    c.close();
  }
}

export async function main(): Promise<void> {
  const servers: BenchServer[] = [];
  try {
    servers.push(await startCairn({ persistence: 'off' }), await startRedis({ persistence: 'off' }));
    const loadMs: Record<string, number> = {};
    for (const s of servers) {
      log(`${s.name}: loading ${fmtNumber(POINTS)} points`);
      loadMs[s.name] = await load(s.port);
    }
    const rows: string[][] = [];
    rows.push(['load (GEOADD x100, pipelined)', '', `${fmtNumber(loadMs.cairn!)} ms`, `${fmtNumber(loadMs.redis!)} ms`, fmtRatio(loadMs.cairn!, loadMs.redis!)]);
    for (const q of QUERY_KINDS) {
      const [cairn, redis] = [await measure(servers[0]!.port, q), await measure(servers[1]!.port, q)];
      rows.push([
        q.name,
        cairn.results.toFixed(1),
        `${cairn.p50.toFixed(3)} / ${cairn.p99.toFixed(3)}`,
        `${redis.p50.toFixed(3)} / ${redis.p99.toFixed(3)}`,
        fmtRatio(cairn.p50, redis.p50),
      ]);
    }
    console.log(`\nGEOSEARCH latency, ${fmtNumber(POINTS)} points, ${QUERIES} queries each (ms, p50 / p99)\n`);
    console.log(table(['query', 'avg results', 'cairn', 'redis-server', 'cairn/redis p50'], rows, 1));
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
  }
}

if (isMain(import.meta.url)) {
  main().catch(failRun);
}
