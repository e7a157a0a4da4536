// What the admission pipeline reads of a command on every call, derived once from its
// declaration: flags as booleans instead of array scans, the full name ('client|list') built
// once, and the command's stats record cached instead of looked up by name per call
// (docs/design/hot-path.md).
import type { CommandSpec } from '../core/commands/spec.js';
import type { ServerContext } from './context.js';
import type { CommandStat, ServerStats } from './stats.js';

export class ResolvedCommand {
  readonly write: boolean;
  readonly denyoom: boolean;
  readonly noAuth: boolean;
  readonly noMulti: boolean;
  readonly skipSlowlog: boolean;
  /**
   * Declared fast or O(1): its cost does not grow with the data, so it is timed by sampling
   * when reading the clock is costly (engine.ts, docs/design/command-clock.md).
   */
  readonly constantCost: boolean;
  /** LATENCY event name: Redis samples slow commands as 'fast-command' or 'command'. */
  readonly latencyEvent: 'fast-command' | 'command';
  /** MONITOR shows it: neither skip_monitor nor admin. */
  readonly monitored: boolean;
  /** EXEC and script calls: their writes are logged as one MULTI/EXEC block (engine.flushEffects). */
  readonly logsAsTransaction: boolean;
  /** CLIENT PAUSE WRITE holds it back: write or may_replicate. */
  readonly writeLike: boolean;
  /** The stats record for this command, valid while statsEpoch matches the stats' epoch. */
  private stat: CommandStat | null = null;
  private statEpoch = -1;

  constructor(
    readonly spec: CommandSpec<ServerContext>,
    readonly fullName: string,
  ) {
    const f = spec.flags;
    this.write = f.includes('write');
    this.denyoom = f.includes('denyoom');
    this.noAuth = f.includes('no_auth');
    this.noMulti = f.includes('no_multi');
    this.skipSlowlog = f.includes('skip_slowlog');
    this.constantCost = f.includes('fast') || spec.complexity === 'O(1)';
    this.latencyEvent = f.includes('fast') ? 'fast-command' : 'command';
    this.monitored = !f.includes('skip_monitor') && !f.includes('admin');
    this.writeLike = this.write || f.includes('may_replicate');
    this.logsAsTransaction = LOGGED_AS_TRANSACTION.has(fullName);
  }

  /** This command's INFO commandstats record, created on first use after a CONFIG RESETSTAT. */
  statIn(stats: ServerStats): CommandStat {
    if (this.statEpoch !== stats.epoch || this.stat === null) {
      this.stat = stats.command(this.fullName);
      this.statEpoch = stats.epoch;
    }
    return this.stat;
  }
}

/** Resolved commands of a table, for lookups by the exact spelling a client sent. */
export class CommandRuntime {
  /** Every declaration (subcommands included) -> its resolved form. */
  private readonly bySpec = new Map<CommandSpec<ServerContext>, ResolvedCommand>();
  /**
   * Spellings seen on the wire ('GET', 'get', 'Get') -> resolved top-level command. Filled on
   * first use, so the common spellings cost one Map hit and no lower-casing; bounded so that
   * a client sending random casings cannot grow it.
   */
  private readonly bySpelling = new Map<string, ResolvedCommand>();

  constructor(all: Iterable<CommandSpec<ServerContext>>) {
    for (const top of all) {
      this.bySpec.set(top, new ResolvedCommand(top, top.name));
      for (const sub of top.subcommands ?? []) this.bySpec.set(sub, new ResolvedCommand(sub, `${top.name}|${sub.name}`));
    }
  }

  /** The resolved form of a declaration of this table (a top-level command or a subcommand). */
  of(spec: CommandSpec<ServerContext>): ResolvedCommand {
    let r = this.bySpec.get(spec);
    if (r === undefined) {
      // A declaration from outside the table (tests build their own): resolve it on the fly.
      r = new ResolvedCommand(spec, spec.name);
      this.bySpec.set(spec, r);
    }
    return r;
  }

  /** A top-level command by the name as sent, or undefined when the table has none. */
  top(name: string, lookup: (name: string) => CommandSpec<ServerContext> | undefined): ResolvedCommand | undefined {
    const cached = this.bySpelling.get(name);
    if (cached !== undefined) return cached;
    const spec = lookup(name);
    if (spec === undefined) return undefined;
    const r = this.of(spec);
    if (this.bySpelling.size < SPELLINGS_MAX) this.bySpelling.set(name, r);
    return r;
  }
}

/** EXEC, and the script calls, whose effects Redis propagates as one MULTI/EXEC block. */
const LOGGED_AS_TRANSACTION = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Distinct spellings remembered; past this, lookups lower-case as before. */
const SPELLINGS_MAX = 4096;
