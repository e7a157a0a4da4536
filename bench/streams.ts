// Streams, Cairn beside redis-server (with SET as a baseline): XADD throughput (pipelined, with and without an approximate
// MAXLEN), XRANGE reads, and consumer groups draining a stream with XREADGROUP + XACK (one
// consumer, then four at once). Each workload runs on both servers in alternation, a few rounds,
// and the median is printed. Printed, not asserted: `node dist/bench/streams.js [--quick]`.
import { startCairn, startRedis, type BenchServer } from './servers.js';
import { encodeCommand, RespClient, RespError, type RespValue } from './resp.js';
import { failRun, fmtNumber, fmtRatio, hasFlag, isMain, log, median, table } from './report.js';

interface Workload {
  readonly name: string;
  /** Puts the server in the state the measurement starts from. */
  prepare(port: number): Promise<void>;
  /** Runs the measured part; returns how many operations (entries) it did. */
  run(port: number): Promise<number>;
}

const QUICK = hasFlag('--quick');
const ADDS = QUICK ? 50_000 : 200_000;
const PREFILL = QUICK ? 20_000 : 100_000;
const ROUNDS = QUICK ? 1 : 3;
const VALUE = 'x'.repeat(32);

async function withClient<T>(port: number, work: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(port);
  try {
    return await work(c);
  } finally {
    c.close();
  }
}

function check(v: RespValue, what: string): RespValue {
  if (v instanceof RespError) throw new Error(`${what}: ${v.message}`);
  return v;
}

/** Pipelined: `total` commands, 100 per write, up to 1000 unanswered. */
async function pipelined(port: number, total: number, command: (i: number) => string[]): Promise<number> {
  return withClient(port, async (c) => {
    const result = await c.load(total, (from, to) => {
      let text = '';
      for (let i = from; i < to; i++) text += encodeCommand(command(i));
      return Buffer.from(text, 'latin1');
    }, { batch: 100, window: 1000, deadline: Date.now() + 120_000 });
    if (result.errors > 0) throw new Error(`pipelined load: ${result.firstError}`);
    return result.replies;
  });
}

async function flushAndFill(port: number, entries: number): Promise<void> {
  await withClient(port, async (c) => check(await c.call('FLUSHALL'), 'FLUSHALL'));
  if (entries > 0) await pipelined(port, entries, (i) => ['XADD', 's', `${i + 1}-0`, 'field', VALUE, 'n', String(i)]);
}

/** Reads up to 100 new entries for a consumer and acknowledges them, until the stream is drained. */
async function drain(port: number, consumer: string): Promise<number> {
  return withClient(port, async (c) => {
    let done = 0;
    for (;;) {
      const reply = check(await c.call('XREADGROUP', 'GROUP', 'g', consumer, 'COUNT', '100', 'STREAMS', 's', '>'), 'XREADGROUP');
      if (reply === null) return done;
      const entries = ((reply as RespValue[])[0] as RespValue[])[1] as RespValue[];
      if (entries.length === 0) return done;
      const ids = entries.map((e) => (e as RespValue[])[0] as string);
      check(await c.call('XACK', 's', 'g', ...ids), 'XACK');
      done += ids.length;
    }
  });
}

const WORKLOADS: readonly Workload[] = [
  {
    // The same pipeline with a plain write, to tell the servers' general overhead from the streams'.
    name: 'SET (pipelined, baseline)',
    prepare: (port) => flushAndFill(port, 0),
    run: (port) => pipelined(port, ADDS, (i) => ['SET', `k${i % 1000}`, VALUE]),
  },
  {
    name: 'XADD * (pipelined)',
    prepare: (port) => flushAndFill(port, 0),
    run: (port) => pipelined(port, ADDS, (i) => ['XADD', 's', '*', 'field', VALUE, 'n', String(i)]),
  },
  {
    name: 'XADD * MAXLEN ~ 10000',
    prepare: (port) => flushAndFill(port, 0),
    run: (port) => pipelined(port, ADDS, (i) => ['XADD', 's', 'MAXLEN', '~', '10000', '*', 'field', VALUE, 'n', String(i)]),
  },
  {
    name: 'XRANGE COUNT 10 (pipelined)',
    prepare: (port) => flushAndFill(port, PREFILL),
    run: (port) => pipelined(port, ADDS / 2, (i) => ['XRANGE', 's', `${(i * 7919) % PREFILL}`, '+', 'COUNT', '10']),
  },
  {
    name: 'XREADGROUP+XACK, 1 consumer',
    prepare: async (port) => {
      await flushAndFill(port, PREFILL);
      await withClient(port, async (c) => check(await c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'XGROUP'));
    },
    run: (port) => drain(port, 'c1'),
  },
  {
    name: 'XREADGROUP+XACK, 4 consumers',
    prepare: async (port) => {
      await flushAndFill(port, PREFILL);
      await withClient(port, async (c) => check(await c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'XGROUP'));
    },
    run: async (port) => (await Promise.all(['c1', 'c2', 'c3', 'c4'].map((name) => drain(port, name)))).reduce((a, b) => a + b, 0),
  },
];

async function measure(server: BenchServer, w: Workload): Promise<number> {
  await w.prepare(server.port);
  const started = process.hrtime.bigint();
  const ops = await w.run(server.port);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return ops / seconds;
}

export async function runStreamsBench(): Promise<string> {
  const cairn = await startCairn({ persistence: 'off' });
  const redis = await startRedis({ persistence: 'off' });
  const rows: string[][] = [];
  try {
    for (const w of WORKLOADS) {
      const c: number[] = [];
      const r: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const cr = await measure(cairn, w);
        const rr = await measure(redis, w);
        c.push(cr);
        r.push(rr);
        ratios.push(cr / rr);
      }
      rows.push([w.name, fmtNumber(median(c)), fmtNumber(median(r)), fmtRatio(median(ratios), 1)]);
      log(`${w.name}: cairn ${fmtNumber(median(c))}/s, redis ${fmtNumber(median(r))}/s`);
    }
  } finally {
    await cairn.stop();
    await redis.stop();
  }
  return table(['workload (entries or commands per second)', 'cairn', 'redis-server', 'cairn/redis'], rows, 1);
}

if (isMain(import.meta.url)) {
  runStreamsBench().then(
    (text) => {
      console.log(`\nStreams: ${ADDS} XADDs, ${PREFILL} entries drained, median of ${ROUNDS} round(s), persistence off\n`);
      console.log(text);
    },
    failRun,
  );
}
