// A fixed number of embedded calls in one process, for measures that do not depend on the
// machine's load: instruction counts under `valgrind --tool=callgrind` (the difference of two
// runs with different --calls and the same warm-up cancels start-up and JIT compilation) and the
// process's CPU time per call (process.cpuUsage around the measured calls). The key space is
// the embedded benchmark's: keys drawn pseudo-randomly among 100,000 (about 48,000 distinct in
// its 65,536 draws), each with a TTL and a 64-byte value.
// --build points at another built checkout of Cairn, so that two builds run the same driver.
//
//   node dist/bench/embedded-calls.js --op get|set|command-get|command-set|lru-get|lru-set [--calls 600000]
//       [--warmup 200000] [--build /path/to/built/checkout]
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded --expose-gc \
//       dist/bench/embedded-calls.js ...
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { pathToFileURL } from 'node:url';
import { failRun, flagValue, isMain } from './report.js';
import { ROOT } from './servers.js';
// The embedded benchmark's keys, key order, TTL and value, so that both measure the same calls.
import { KEYS, keySequence, TTL_SECONDS, VALUE } from './embedded.js';

const CHUNK = 1000;

interface Db {
  get(key: string): unknown;
  set(key: string, value: string, ttl?: { ex?: number }): unknown;
  command(...args: string[]): unknown;
  close(): Promise<void>;
}

async function openCairn(build: string): Promise<Db> {
  const mod = (await import(pathToFileURL(path.join(build, 'dist', 'src', 'embedded.js')).href)) as { open(): Db };
  return mod.open();
}

/** lru-cache as bench/embedded.ts sets it up (the TTL given at construction), behind the same calls. */
function lruCache(): Db {
  const cache = new LRUCache<string, string>({ max: KEYS * 2, ttl: TTL_SECONDS * 1000 });
  return {
    get: (k) => cache.get(k),
    set: (k, v) => cache.set(k, v),
    command: () => {
      throw new Error('lru-cache has no commands');
    },
    close: async () => {},
  };
}

export async function runCalls(opts: { op: string; calls: number; warmup: number; build: string }): Promise<{ cpuNsPerCall: number }> {
  const db = opts.op.startsWith('lru-') ? lruCache() : await openCairn(opts.build);
  const seq = keySequence();
  const mask = seq.length - 1;
  const ttl = { ex: TTL_SECONDS };
  const ttlText = String(TTL_SECONDS);
  // Filled as the benchmark fills it: by SETs over the same sequence, so the stored key strings
  // are the ones later calls pass (V8's Map then matches them by identity, as in bench/embedded.ts).
  for (const k of seq) db.set(k, VALUE, ttl);
  let op: (k: string) => unknown;
  switch (opts.op) {
    case 'get': op = (k) => db.get(k); break;
    case 'set': op = (k) => db.set(k, VALUE, ttl); break;
    case 'command-get': op = (k) => db.command('GET', k); break;
    case 'command-set': op = (k) => db.command('SET', k, VALUE, 'EX', ttlText); break;
    case 'lru-get': op = (k) => db.get(k); break;
    case 'lru-set': op = (k) => db.set(k, VALUE); break;
    default: throw new Error(`unknown --op ${opts.op} (get, set, command-get, command-set, lru-get, lru-set)`);
  }
  // Chunks of CHUNK calls: the chunk function is called often enough to be optimized as any hot
  // function is, instead of through on-stack replacement of one long loop (which valgrind's
  // serialized threads delay, leaving the loop in a lower tier for much of the run).
  const chunk = (offset: number): void => {
    for (let i = 0; i < CHUNK; i++) op(seq[(offset + i) & mask]!);
  };
  const loop = (n: number, offset: number): void => {
    for (let done = 0; done < n; done += CHUNK) chunk(offset + done);
  };
  loop(opts.warmup, 0);
  // With node --expose-gc: every run starts its measured calls from the same collected heap, so
  // that a major GC the warm-up left half done does not land in one run and not in another.
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.cpuUsage();
  loop(opts.calls, opts.warmup);
  const used = process.cpuUsage(before);
  await db.close();
  return { cpuNsPerCall: ((used.user + used.system) * 1000) / Math.max(1, opts.calls) };
}

if (isMain(import.meta.url)) {
  const op = flagValue('--op') ?? 'get';
  const calls = Number(flagValue('--calls') ?? 600_000);
  const warmup = Number(flagValue('--warmup') ?? 200_000);
  const build = path.resolve(flagValue('--build') ?? ROOT);
  if (!Number.isSafeInteger(calls) || calls < 0 || calls % CHUNK !== 0 || !Number.isSafeInteger(warmup) || warmup < 0 || warmup % CHUNK !== 0) {
    console.error(`--calls and --warmup take a non-negative multiple of ${CHUNK}`);
    process.exitCode = 2;
  } else {
    runCalls({ op, calls, warmup, build }).then((r) => {
      console.log(JSON.stringify({ op, calls, warmup, build, cpuNsPerCall: Math.round(r.cpuNsPerCall) }));
    }).catch(failRun);
  }
}
