// Runs the redis-benchmark tool (from the redis-tools package) against one server and
// reads its CSV line: requests per second and the latency percentiles it measured.
import { spawn } from 'node:child_process';

export interface BenchmarkSpec {
  /** redis-benchmark -t name: ping_inline, set, get, lrange_100, mset, ... */
  readonly test: string;
  readonly clients: number;
  readonly pipeline: number;
  readonly requests: number;
  readonly dataBytes: number;
  /** -r: keys are drawn from this many random key names. */
  readonly keyspace: number;
}

export interface Sample {
  readonly ops: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs one redis-benchmark; null when it failed or printed no line for the test. */
export async function redisBenchmark(port: number, spec: BenchmarkSpec, timeoutMs = 300_000): Promise<Sample | null> {
  const args = [
    '-h', '127.0.0.1', '-p', String(port), '-t', spec.test, '-n', String(spec.requests), '-c', String(spec.clients),
    '-P', String(spec.pipeline), '-d', String(spec.dataBytes), '-r', String(spec.keyspace), '--csv', '-q',
  ];
  const { code, stdout } = await run('redis-benchmark', args, timeoutMs);
  if (code !== 0) return null;
  return parseCsv(stdout, spec.test);
}

/**
 * Runs redis-benchmark with an arbitrary command line (e.g. EVALSHA <sha> 1 key:__rand_int__);
 * redis-benchmark names the CSV line after the command's first word.
 */
export async function redisBenchmarkCommand(port: number, spec: Omit<BenchmarkSpec, 'test' | 'dataBytes'>, command: readonly string[], timeoutMs = 300_000): Promise<Sample | null> {
  const args = [
    '-h', '127.0.0.1', '-p', String(port), '-n', String(spec.requests), '-c', String(spec.clients),
    '-P', String(spec.pipeline), '-r', String(spec.keyspace), '--csv', '-q', ...command,
  ];
  const { code, stdout } = await run('redis-benchmark', args, timeoutMs);
  if (code !== 0) return null;
  return parseCsv(stdout, command[0]!);
}

/**
 * The CSV has a header, then one line per test; LRANGE tests are preceded by the LPUSH
 * that fills the list ("LPUSH (needed to benchmark LRANGE)"), which is not the result.
 * Columns: test, rps, avg, min, p50, p95, p99, max (latencies in ms).
 */
export function parseCsv(stdout: string, test: string): Sample | null {
  const wanted = test.toUpperCase();
  for (const line of stdout.split(/\r?\n/)) {
    const cells = line.split('","').map((c) => c.replace(/"/g, ''));
    if (cells.length < 7 || cells[0]!.split(' ')[0] !== wanted) continue;
    const sample = { ops: Number(cells[1]), avgMs: Number(cells[2]), p50Ms: Number(cells[4]), p99Ms: Number(cells[6]) };
    return Number.isFinite(sample.ops) && sample.ops > 0 ? sample : null;
  }
  return null;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}
