// Runs one generated sequence against two servers and stops at the first reply that differs.
//
// Each side has two connections: 'a' runs almost everything, 'b' is "another client" whose
// writes must break a's WATCH. Consecutive commands for the same connection are pipelined in
// batches; a batch is written to both servers at once and the replies compared in order.
// Switching connection, SCAN iteration and DUMP/RESTORE round trips end a batch, so the order
// of commands across the two connections is the same on both servers.
import { RespClient, escapeBytes, sameReply, show, type RespValue } from '../helpers/resp-client.js';
import { generate, type Conn, type GenerateOptions, type Step } from './generator.js';
import { allowedEncodingDivergence, compareKeySets, compareReplies, type CompareContext, type Mode } from './normalize.js';
import { runBlock, runKeyScan, runLex, runPick, runPubsub, type ScenarioHost } from './scenarios.js';

export interface Endpoint {
  name: string;
  port: number;
}

export interface RunOptions {
  seed: number;
  count: number;
  resp: 2 | 3;
  /** The oracle: its replies are the expected ones. */
  reference: Endpoint;
  /** The server under test. */
  subject: Endpoint;
  exclude?: ReadonlySet<string>;
  batchSize?: number;
  /** The sequence generator (default: the strings/keys one). */
  generator?: (options: GenerateOptions) => Step[];
  /**
   * After each RESTORE, read OBJECT ENCODING of the target on both sides and remember keys whose
   * encoding legitimately diverged (see normalize.ts, 'encoding'). The collections test sets it.
   */
  trackEncodings?: boolean;
  /** Called with every step and both replies (DIFF_TRACE=1). */
  trace?: (line: string) => void;
}

export interface Mismatch {
  seed: number;
  resp: 2 | 3;
  /** Position of the step in the seed's sequence, from 0. */
  index: number;
  conn: Conn;
  cmd: string;
  command: string;
  reference: string;
  subject: string;
  reason: string;
  /** The last few commands before this one, with their replies. */
  context: string[];
}

export interface SeedResult {
  seed: number;
  resp: 2 | 3;
  steps: number;
  /** Commands actually sent to each server (SCAN iterations and DUMPs included). */
  commandsSent: number;
  mismatch: Mismatch | null;
}

/** RESP3 (HELLO 3) for one seed in four, RESP2 for the rest: fixed by the seed, so replays match. */
export function respForSeed(seed: number): 2 | 3 {
  return seed % 4 === 3 ? 3 : 2;
}

export interface Side {
  endpoint: Endpoint;
  a: RespClient;
  b: RespClient;
}

const CONTEXT_LINES = 8;
/** SCAN must finish in this many calls; a cursor that never returns to 0 is a bug. */
const MAX_SCAN_CALLS = 10_000;

export async function runSeed(options: RunOptions): Promise<SeedResult> {
  const steps = (options.generator ?? generate)({ seed: options.seed, count: options.count, ...(options.exclude ? { exclude: options.exclude } : {}) });
  const [reference, subject] = await Promise.all([openSide(options.reference, options.resp), openSide(options.subject, options.resp)]);
  try {
    return await new SeedRun(options, steps, reference, subject).run();
  } finally {
    for (const side of [reference, subject]) {
      side.a.close();
      side.b.close();
    }
  }
}

async function openSide(endpoint: Endpoint, resp: 2 | 3): Promise<Side> {
  const a = await RespClient.connect(endpoint.port, { timeoutMs: 20_000 });
  const b = await RespClient.connect(endpoint.port, { timeoutMs: 20_000 });
  const flushed = await a.send('FLUSHALL');
  if (flushed.t !== 'simple' || flushed.v !== 'OK') {
    throw new Error(`${endpoint.name}: FLUSHALL before the seed answered ${show(flushed)}; the harness needs FLUSHALL to start from an empty server`);
  }
  if (resp === 3) {
    for (const c of [a, b]) {
      const hello = await c.send('HELLO', '3');
      if (hello.t !== 'map') throw new Error(`${endpoint.name}: HELLO 3 answered ${show(hello)}, expected a map`);
    }
  }
  return { endpoint, a, b };
}

class SeedRun implements ScenarioHost {
  private readonly context: string[] = [];
  commandsSent = 0;
  private readonly batchSize: number;
  /** Replies to the last plain command on each connection (for the 'by-encoding' rule). */
  private readonly last: Record<Conn, [RespValue, RespValue] | undefined> = { a: undefined, b: undefined };
  /** Keys whose encoding may differ after a RESTORE (see normalize.ts, 'encoding'). */
  private readonly taintedKeys = new Set<string>();
  readonly compareContext: CompareContext = { tainted: (key) => this.taintedKeys.has(key) };

  constructor(
    readonly options: RunOptions,
    private readonly steps: Step[],
    readonly reference: Side,
    readonly subject: Side,
  ) {
    this.batchSize = options.batchSize ?? 50;
  }

  async run(): Promise<SeedResult> {
    let i = 0;
    while (i < this.steps.length) {
      const step = this.steps[i]!;
      let mismatch: Mismatch | null;
      let next: number;
      if (step.op === 'cmd') {
        next = this.batchEnd(i);
        mismatch = await this.runBatch(i, next);
      } else {
        next = i + 1;
        this.last[step.conn] = undefined;
        mismatch = await this.runSpecial(i, step);
      }
      if (mismatch !== null) return this.result(mismatch);
      i = next;
    }
    return this.result(null);
  }

  private result(mismatch: Mismatch | null): SeedResult {
    return { seed: this.options.seed, resp: this.options.resp, steps: this.steps.length, commandsSent: this.commandsSent, mismatch };
  }

  private runSpecial(index: number, step: Exclude<Step, { op: 'cmd' }>): Promise<Mismatch | null> {
    switch (step.op) {
      case 'scan':
        return this.runScan(index, step);
      case 'dump-restore':
        return this.runDumpRestore(index, step);
      case 'pick':
        return runPick(this, index, step);
      case 'kscan':
        return runKeyScan(this, index, step);
      case 'block':
        return runBlock(this, index, step);
      case 'pubsub':
        return runPubsub(this, index, step);
      case 'lex':
        return runLex(this, index, step);
    }
  }

  /** The end (exclusive) of the batch of plain commands on one connection starting at `start`. */
  private batchEnd(start: number): number {
    const conn = this.steps[start]!.conn;
    let end = start;
    while (end < this.steps.length && end - start < this.batchSize) {
      const s = this.steps[end]!;
      if (s.op !== 'cmd' || s.conn !== conn) break;
      end++;
    }
    return end;
  }

  private async runBatch(start: number, end: number): Promise<Mismatch | null> {
    const batch = this.steps.slice(start, end) as Array<Extract<Step, { op: 'cmd' }>>;
    const conn = batch[0]!.conn;
    const argvs = batch.map((s) => s.argv);
    const [expected, actual] = await Promise.all([this.reference[conn].pipeline(argvs), this.subject[conn].pipeline(argvs)]);
    this.commandsSent += batch.length;
    for (let k = 0; k < batch.length; k++) {
      const step = batch[k]!;
      const previous = this.last[conn];
      const reason = compareReplies(step.mode, expected[k]!, actual[k]!, { ...this.compareContext, ...(previous ? { previous } : {}) });
      this.last[conn] = [expected[k]!, actual[k]!];
      this.followTaint(step.argv);
      const line = `${conn}> ${render(step.argv)}  =>  ${show(expected[k]!)}${reason === null ? '' : `  vs  ${show(actual[k]!)}`}`;
      this.options.trace?.(line);
      if (reason !== null) return this.mismatch(start + k, step, render(step.argv), expected[k]!, actual[k]!, reason);
      this.remember(line);
    }
    return null;
  }

  /**
   * RENAME, RENAMENX and COPY carry a tainted value to their destination (queued or not, and
   * whatever they answered: an over-approximation only relaxes the encoding rule on that name).
   */
  private followTaint(argv: readonly string[]): void {
    if (this.taintedKeys.size === 0 || argv.length < 3) return;
    const name = argv[0]!.toUpperCase();
    if ((name === 'RENAME' || name === 'RENAMENX' || name === 'COPY') && this.taintedKeys.has(argv[1]!)) this.taintedKeys.add(argv[2]!);
  }

  /**
   * After a RESTORE that succeeded on both sides, compares OBJECT ENCODING of the target. Redis
   * converts a small hash, set or sorted set back to its compact encoding on RESTORE; Cairn keeps
   * the encoding it dumped (docs/differences.md). Such a key is remembered as tainted.
   */
  private async checkRestoredEncoding(index: number, step: Extract<Step, { op: 'dump-restore' }>, restored: [RespValue, RespValue]): Promise<Mismatch | null> {
    const ok = (v: RespValue): boolean => v.t === 'simple' && v.v === 'OK';
    if (!this.options.trackEncodings || !ok(restored[0]) || !ok(restored[1])) return null;
    const argv = ['OBJECT', 'ENCODING', step.target];
    const [expected, actual] = await Promise.all([this.reference[step.conn].send(...argv), this.subject[step.conn].send(...argv)]);
    this.commandsSent++;
    if (sameReply(expected, actual)) {
      this.taintedKeys.delete(step.target);
      return null;
    }
    if (allowedEncodingDivergence(expected, actual)) {
      this.taintedKeys.add(step.target);
      return null;
    }
    return this.mismatch(index, step, `${render(argv)} (after the RESTORE)`, expected, actual, 'encodings differ after RESTORE');
  }

  private async runScan(index: number, step: Extract<Step, { op: 'scan' }>): Promise<Mismatch | null> {
    const [expected, actual] = await Promise.all([
      this.scanAll(this.reference[step.conn], step.cursor, step.options),
      this.scanAll(this.subject[step.conn], step.cursor, step.options),
    ]);
    const command = render(['SCAN', step.cursor, ...step.options]) + (step.cursor === '0' ? '  (iterated to cursor 0)' : '');
    let reason: string | null;
    if (expected.first.t === 'error' || actual.first.t === 'error' || expected.keys === null || actual.keys === null) {
      reason = compareReplies({ kind: 'exact' }, expected.first, actual.first);
    } else if (step.cursor !== '0') {
      reason = null; // resumed from an arbitrary cursor: only the shape (checked above) is comparable
    } else {
      reason = compareKeySets(expected.keys, actual.keys, true);
      if (reason !== null) reason = `SCAN union differs: ${reason}`;
    }
    if (expected.problem !== null || actual.problem !== null) reason = `SCAN failed: redis: ${expected.problem}; cairn: ${actual.problem}`;
    const summary = (r: ScanOutcome): string =>
      r.keys === null ? show(r.first) : `${r.calls} calls, keys [${[...new Set(r.keys.map((k) => `"${escapeBytes(k)}"`))].sort().join(', ')}]`;
    const line = `${step.conn}> ${command}  =>  ${summary(expected)}`;
    this.options.trace?.(line);
    if (reason !== null) return this.mismatchText(index, step, command, summary(expected), summary(actual), reason);
    this.remember(line);
    return null;
  }

  private async scanAll(client: RespClient, cursor: string, options: string[]): Promise<ScanOutcome> {
    const first = await client.send('SCAN', cursor, ...options);
    this.commandsSent++;
    const parsed = parseScanReply(first);
    if (parsed === null) return { first, keys: null, calls: 1, problem: null };
    const keys = [...parsed.keys];
    if (cursor !== '0') return { first, keys, calls: 1, problem: null };
    let next = parsed.cursor;
    let calls = 1;
    while (next !== '0') {
      if (calls >= MAX_SCAN_CALLS) return { first, keys, calls, problem: `cursor did not return to 0 after ${calls} calls` };
      const reply = await client.send('SCAN', next, ...options);
      this.commandsSent++;
      calls++;
      const page = parseScanReply(reply);
      if (page === null) return { first, keys, calls, problem: `SCAN ${next} answered ${show(reply)}` };
      keys.push(...page.keys);
      next = page.cursor;
    }
    return { first, keys, calls, problem: null };
  }

  private async runDumpRestore(index: number, step: Extract<Step, { op: 'dump-restore' }>): Promise<Mismatch | null> {
    const roundTrip = async (side: Side): Promise<{ dump: RespValue; restore: RespValue }> => {
      const client = side[step.conn];
      const dump = await client.send('DUMP', step.source);
      // Without a payload of its own, a side gets bytes that are no valid payload anywhere:
      // the checksum error (or an earlier argument error) must then match.
      const payload = dump.t === 'bulk' ? dump.v : Buffer.from('not a dump payload', 'latin1');
      const restore = await client.send('RESTORE', step.target, step.ttl, payload, ...step.options);
      return { dump, restore };
    };
    const [expected, actual] = await Promise.all([roundTrip(this.reference), roundTrip(this.subject)]);
    this.commandsSent += 2;
    const dumpCommand = render(['DUMP', step.source]);
    const dumpReason = compareReplies({ kind: 'presence' }, expected.dump, actual.dump);
    if (dumpReason !== null) return this.mismatch(index, step, dumpCommand, expected.dump, actual.dump, `DUMP before RESTORE: ${dumpReason}`);
    const command = `${dumpCommand} then ${render(['RESTORE', step.target, step.ttl])} <that payload> ${render(step.options)}`.trimEnd();
    const reason = compareReplies({ kind: 'exact' }, expected.restore, actual.restore);
    const line = `${step.conn}> ${command}  =>  ${show(expected.restore)}`;
    this.options.trace?.(line);
    if (reason !== null) return this.mismatch(index, step, command, expected.restore, actual.restore, reason);
    this.remember(line);
    return this.checkRestoredEncoding(index, step, [expected.restore, actual.restore]);
  }

  /** Compares under `mode` with the run's context (taints); for the scenario runners. */
  compare(mode: Mode, expected: RespValue, actual: RespValue): string | null {
    return compareReplies(mode, expected, actual, this.compareContext);
  }

  trace(line: string): void {
    this.options.trace?.(line);
  }

  remember(line: string): void {
    this.context.push(line);
    if (this.context.length > CONTEXT_LINES) this.context.shift();
  }

  mismatch(index: number, step: Step, command: string, expected: RespValue, actual: RespValue, reason: string): Mismatch {
    return this.mismatchText(index, step, command, show(expected), show(actual), reason);
  }

  mismatchText(index: number, step: Step, command: string, expected: string, actual: string, reason: string): Mismatch {
    return {
      seed: this.options.seed,
      resp: this.options.resp,
      index,
      conn: step.conn,
      cmd: step.cmd,
      command,
      reference: expected,
      subject: actual,
      reason,
      context: [...this.context],
    };
  }
}

interface ScanOutcome {
  first: RespValue;
  /** Every key returned, or null when the first reply was not a SCAN page. */
  keys: Buffer[] | null;
  calls: number;
  problem: string | null;
}

function parseScanReply(reply: RespValue): { cursor: string; keys: Buffer[] } | null {
  if (reply.t !== 'array' || reply.v.length !== 2) return null;
  const [cursor, keys] = reply.v;
  if (cursor?.t !== 'bulk' || keys?.t !== 'array') return null;
  const out: Buffer[] = [];
  for (const k of keys.v) {
    if (k.t !== 'bulk') return null;
    out.push(k.v);
  }
  return { cursor: cursor.v.toString('latin1'), keys: out };
}

/** A command as redis-cli would take it: every argument quoted, bytes escaped. */
export function render(argv: readonly string[]): string {
  return argv.map((a) => `"${escapeBytes(a)}"`).join(' ');
}

/** The failure message: where, what, both replies, and how to replay just this seed. */
export function formatMismatch(m: Mismatch, options: { count: number; names: [string, string]; testFile: string; extraEnv?: string }): string {
  const [refName, subjectName] = options.names;
  const width = Math.max(refName.length, subjectName.length) + 1;
  return [
    `Differential mismatch: seed ${m.seed}, command #${m.index} (RESP${m.resp}, connection ${m.conn}, ${m.cmd})`,
    `  command: ${m.command}`,
    `  ${(refName + ':').padEnd(width)} ${m.reference}`,
    `  ${(subjectName + ':').padEnd(width)} ${m.subject}`,
    `  reason:  ${m.reason}`,
    `  preceding commands (connection> command => ${refName} reply):`,
    ...m.context.map((l) => `    ${l}`),
    `  replay just this seed:`,
    `    npx tsc -p tsconfig.json && DIFF_SEED=${m.seed} DIFF_COUNT=${options.count}${options.extraEnv ? ' ' + options.extraEnv : ''} node --test ${options.testFile}`,
    `  (add DIFF_TRACE=1 to print every command and reply)`,
  ].join('\n');
}
