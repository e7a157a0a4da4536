// The shape of a command declaration. Each command is declared exactly once; the
// dispatcher, arity checks, COMMAND INFO/DOCS/GETKEYS, ACL categories, cluster routing,
// the effect log and the generated reference in docs/ all read these declarations.
import type { Database, Keyspace, ValueType, WatchState } from '../keyspace.js';
import type { Reply } from '../reply.js';

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'fast' | 'no_auth'
  | 'may_replicate' | 'no_mandatory_keys' | 'no_multi' | 'allow_busy';

export type AclCategory =
  | 'keyspace' | 'read' | 'write' | 'set' | 'sortedset' | 'list' | 'hash' | 'string' | 'bitmap'
  | 'hyperloglog' | 'geo' | 'stream' | 'pubsub' | 'admin' | 'fast' | 'slow' | 'blocking'
  | 'dangerous' | 'connection' | 'transaction' | 'scripting';

export type CommandGroup =
  | 'string' | 'generic' | 'connection' | 'server' | 'transactions' | 'list' | 'set'
  | 'sorted-set' | 'hash' | 'bitmap' | 'hyperloglog' | 'pubsub' | 'stream' | 'geo' | 'scripting' | 'cluster';

/** Key positions in argv, Redis's legacy (first, last, step) triple; last < 0 counts from the end. */
export interface KeyRange {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

/** Per-connection state the core needs. The server's session object implements it. */
export interface CoreClient {
  readonly id: number;
  /** Selected database index. */
  db: number;
  /** Protocol version the client speaks (HELLO). */
  resp: 2 | 3;
  readonly watch: WatchState;
}

/** What every handler receives. Server-level handlers get a richer context (src/server). */
export interface CoreContext {
  readonly ks: Keyspace;
  /** The client's selected database. */
  db: Database;
  readonly client: CoreClient;
  /** Set when the handler logged its own effect instead of argv (see propagateAs). */
  effectRewritten: boolean;
  /**
   * False inside MULTI/EXEC (and scripts, and synchronous embedded calls): a blocking command
   * that cannot be served then answers its timeout reply at once, as Redis does.
   */
  blockingAllowed: boolean;
  /**
   * Parks the client until one of `keys` (in the selected database) is written to, or until
   * `timeoutMs` passes (0: forever), and returns the BLOCKED sentinel. When a key becomes ready
   * the engine runs the same command line again; on timeout the client gets `timeoutReply`.
   * Call only when `blockingAllowed` is true and nothing could be served. With `waitsFor`, a key
   * that comes back holding another type does not wake the client (Redis 7.0 keeps a BLPOP
   * blocked when its key becomes a set); without it every change re-runs the command (streams,
   * whose waiters must hear about deletion).
   */
  block(keys: readonly string[], timeoutMs: number, timeoutReply: Reply, waitsFor?: ValueType): Reply;
  /**
   * While the engine re-runs a blocked command because a key became ready: that key. Redis 7.0
   * serves a waiter from the key that woke it, even when an earlier key of its list also has data.
   */
  readyKey: string | null;
}

/** What a handler asked for when it called ctx.block. */
export interface BlockRequest {
  readonly keys: readonly string[];
  readonly timeoutMs: number;
  readonly timeoutReply: Reply;
  readonly waitsFor: ValueType | undefined;
}

export type Handler<C> = (ctx: C, argv: string[]) => Reply;

export interface CommandSpec<C = CoreContext> {
  /** Lower-case name; a subcommand is named by its own word ('setname' under 'client'). */
  readonly name: string;
  /** Redis convention: n > 0 exactly n words (name included), n < 0 at least -n words. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys?: KeyRange;
  /** For commands whose keys depend on their arguments (numkeys, STORE ...). */
  readonly movableKeys?: (argv: readonly string[]) => number[];
  readonly acl: readonly AclCategory[];
  readonly group: CommandGroup;
  readonly since: string;
  readonly summary: string;
  readonly complexity: string;
  /** One-line syntax, e.g. 'GET key', used by COMMAND DOCS and the generated reference. */
  readonly syntax: string;
  readonly subcommands?: ReadonlyArray<CommandSpec<C>>;
  /** Container commands (CLIENT, CONFIG ...) have subcommands and no handler of their own. */
  readonly handler?: Handler<C>;
}

/** Records a write: bumps the dirty counter so the executor logs argv as the effect. */
export function written(ctx: CoreContext, changes = 1): void {
  ctx.ks.dirty += changes;
}

/**
 * Whether the effects of this write are kept (something logs or replicates them): when not, a
 * handler may pass NO_EFFECT to propagateAs instead of building the rewritten argv.
 */
export function effectsWanted(ctx: CoreContext): boolean {
  return ctx.ks.recordEffects;
}

/** The argv of an effect nobody records (effectsWanted is false). */
export const NO_EFFECT: readonly string[] = [];

/** Records a write whose logged effect differs from argv (absolute TTLs, concrete picks). */
export function propagateAs(ctx: CoreContext, argv: readonly string[], changes = 1): void {
  ctx.ks.dirty += changes;
  ctx.ks.emit(ctx.db.id, argv);
  ctx.effectRewritten = true;
}

/**
 * word.toUpperCase(), without the call and its allocation when nothing would change (no a-z,
 * nothing beyond ASCII): option words are usually sent in upper case.
 */
export function upperCased(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || c >= 0x80) return word.toUpperCase();
  }
  return word;
}

/**
 * Case-insensitive keyword compare for ASCII option words (`upperWord` in upper case), folding
 * a-z only, as Redis's strcasecmp does: no allocation, so trying six option words on a score
 * (ZADD) costs six short loops.
 */
export function isWord(arg: string, upperWord: string): boolean {
  const n = upperWord.length;
  if (arg.length !== n) return false;
  for (let i = 0; i < n; i++) {
    let c = arg.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== upperWord.charCodeAt(i)) return false;
  }
  return true;
}
