// Engines with persistence on a MemoryFileSystem, for unit tests: same folder, same clock across
// "restarts", manual timers (the test runs the turn ends, cron and job steps itself).
import { EmbeddedSession } from '../../src/embedded.js';
import { ManualClock, type Clock } from '../../src/server/clock.js';
import { Config } from '../../src/server/config.js';
import { decodeReply, type Decoded } from '../../src/server/decode.js';
import { Engine } from '../../src/server/engine.js';
import { Logger } from '../../src/server/log.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { MemoryFileSystem } from '../../src/io/persistence/memory-file-system.js';
import { Persistence } from '../../src/io/persistence/manager.js';
import { keyspaceDigest } from '../../src/core/digest.js';

export const DATA_DIR = '/data';

export interface PersistentEngine {
  engine: Engine;
  p: Persistence;
  fs: MemoryFileSystem;
  clock: Clock;
  logs: string[];
  session(): EmbeddedSession;
  run(...args: Array<string | number>): Decoded | { error: string };
  raw(...args: Array<string | number>): Reply;
  digest(): string;
}

export interface PersistentOptions {
  fs?: MemoryFileSystem;
  config?: Record<string, string>;
  clock?: Clock;
  /** Leave start-up to the test (to watch LOADING, or expect it to fail). */
  noStart?: boolean;
  embedded?: boolean;
  snapshotStepMicros?: number;
  loadStepMicros?: number;
}

export function persistentEngine(options: PersistentOptions = {}): PersistentEngine {
  const fs = options.fs ?? Object.assign(new MemoryFileSystem(), { holdFsyncs: true });
  const clock = options.clock ?? new ManualClock();
  const config = new Config();
  config.set('save', '', false); // tests ask for snapshots explicitly
  for (const [k, v] of Object.entries(options.config ?? {})) {
    const problem = config.set(k, v, false);
    if (problem !== null) throw new Error(`${k}: ${problem}`);
  }
  const logs: string[] = [];
  const log = new Logger((line) => logs.push(line), 'debug');
  const engine = new Engine({ clock, seed: 42, config, logger: log });
  const p = new Persistence({
    engine, dir: DATA_DIR, fs, log, manualTimers: true, pid: 1, embedded: options.embedded ?? false,
    ...(options.snapshotStepMicros !== undefined ? { snapshotStepMicros: options.snapshotStepMicros } : {}),
    ...(options.loadStepMicros !== undefined ? { loadStepMicros: options.loadStepMicros } : {}),
  });
  p.attach();
  if (options.noStart !== true) p.startSync();
  const main = new EmbeddedSession(engine);
  const raw = (...args: Array<string | number>): Reply => main.raw(args.map(String));
  return {
    engine, p, fs, clock, logs,
    session: () => new EmbeddedSession(engine),
    raw,
    run: (...args) => {
      const r = raw(...args);
      if (r.k === ReplyKind.Error) return { error: r.v as string };
      return decodeReply(r, false);
    },
    digest: () => keyspaceDigest(engine.ks),
  };
}

/** Runs the ends of turns (log writes), held fsyncs and background job steps until nothing is left. */
export function settle(t: PersistentEngine): void {
  for (let i = 0; i < 1_000_000; i++) {
    const turns = t.p.runTurns();
    const fsyncs = t.fs.releaseFsyncs();
    if (turns === 0 && fsyncs === 0) return;
  }
  throw new Error('persistence did not settle');
}

/** A clock whose monotonic counter advances on every read, so time budgets run out in tests. */
export class TickingClock extends ManualClock {
  private micros = 0;
  constructor(
    ms?: number,
    private readonly stepMicros = 50,
  ) {
    super(ms);
  }
  override monotonicMicros(): number {
    this.micros += this.stepMicros;
    return this.micros;
  }
}

/** Waits for pending setImmediate callbacks (real fsync completions of the memory disk). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
