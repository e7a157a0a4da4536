// Client-side caching (Redis tracking.c): CLIENT TRACKING and its invalidation messages.
//
// Default mode: the server remembers which clients read which keys (read-only commands, their
// declared key positions) and, when such a key changes, expires or is evicted, tells those
// clients once and forgets them for that key. BCAST mode: clients name key prefixes instead and
// hear of every change under them, batched. Keys are global across databases, as in Redis.
//
// A client's own invalidations (its command changed a key it had read) are held until its reply
// has gone out, as Redis does, so they never land before or inside that reply. Broadcasts are
// sent once the command is done (Redis sends them before going back to the event loop).
import { keyPositions } from '../core/commands/registry.js';
import type { CommandSpec } from '../core/commands/spec.js';
import { isWord } from '../core/commands/spec.js';
import * as errors from '../core/errors.js';
import { parseI64 } from '../core/numbers.js';
import { array, bulk, int, mapOf, NIL, OK, push, ReplyKind, set, type Reply } from '../core/reply.js';
import type { ServerContext } from './context.js';
import type { Engine } from './engine.js';
import { refreshEventCollection } from './pubsub.js';
import type { Session } from './session.js';

/** One tracking client's mode (the CLIENT_TRACKING_* flags of a Redis client). */
interface TrackingState {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  caching: boolean;
  /** Client id invalidations go to; 0 means this connection. */
  redirect: number;
  /** The redirect target went away (TRACKINGINFO shows broken_redirect). */
  brokenRedirect: boolean;
  /** BCAST prefixes ('' when BCAST was given without PREFIX: every key). */
  readonly prefixes: Set<string>;
  /** The previous command was CLIENT ...: CLIENT CACHING survives it (Redis resetClient). */
  previousWasClient: boolean;
}

/** The keys changed under one BCAST prefix since the last broadcast, with who changed each. */
interface BroadcastState {
  keys: Map<string, Session | null>;
  readonly clients: Set<Session>;
}

const INVALIDATE = bulk('invalidate');
const MESSAGE = bulk('message');
const INVALIDATE_CHANNEL = bulk('__redis__:invalidate');

export class Tracking {
  private readonly states = new Map<Session, TrackingState>();
  /** key -> ids of the clients that may hold it in their cache. Ids, not sessions: a client that
   *  leaves is skipped when the key changes instead of being searched for in every key. */
  private readonly table = new Map<string, Set<number>>();
  /** Client ids summed over every key of the table (INFO tracking_total_items). */
  private totalItems = 0;
  private readonly prefixTable = new Map<string, BroadcastState>();
  /** Invalidations of a client's own reads by its own command, sent after its reply (null: all keys). */
  private readonly pendingOwn = new Map<Session, Array<string | null>>();
  private broadcastPending = false;

  constructor(private readonly engine: Engine) {}

  /** True while any client tracks: the engine then calls the hooks below. */
  get active(): boolean {
    return this.states.size !== 0;
  }

  isTracking(s: Session): boolean {
    return this.states.has(s);
  }

  /** CLIENT LIST redir=: the redirect of a tracking client, -1 otherwise. */
  redirectOf(s: Session): number {
    return this.states.get(s)?.redirect ?? -1;
  }

  /** INFO: tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes. */
  info(): { clients: number; keys: number; items: number; prefixes: number } {
    return { clients: this.states.size, keys: this.table.size, items: this.totalItems, prefixes: this.prefixTable.size };
  }

  // ---------------------------------------------------------------------------------------------
  // Engine hooks.

  /** Before each top-level command: CLIENT CACHING lasts for one command (or one transaction). */
  beforeCommand(s: Session, argv: readonly string[]): void {
    const st = this.states.get(s);
    if (st === undefined) return;
    if (st.caching && s.multi === null && !st.previousWasClient) st.caching = false;
    st.previousWasClient = argv.length > 0 && isWord(argv[0]!, 'CLIENT');
  }

  /** After each call: remember what a tracking client read, and invalidate all on a flush. */
  afterCall(s: Session, spec: CommandSpec<ServerContext>, argv: readonly string[], fullName: string, reply: Reply): void {
    if ((fullName === 'flushall' || fullName === 'flushdb') && reply.k !== ReplyKind.Error) this.flushed(s);
    const st = this.states.get(s);
    if (st === undefined || st.bcast) return;
    if (!spec.flags.includes('readonly') || spec.flags.includes('pubsub')) return;
    // OPTIN remembers only after CLIENT CACHING YES; OPTOUT everything but after CLIENT CACHING NO.
    if ((st.optin && !st.caching) || (st.optout && st.caching)) return;
    for (const i of keyPositions(spec, argv)) this.remember(argv[i]!, s.id);
    this.enforceTableLimit(s);
  }

  /**
   * tracking-table-max-keys: over the bound, the oldest remembered keys are forgotten and their
   * clients told, as if the keys had changed, so no client keeps a value nobody will invalidate.
   * (Redis evicts random keys from its radix tree; the oldest ones are the deterministic choice.)
   */
  private enforceTableLimit(current: Session): void {
    const max = this.engine.config.int('tracking-table-max-keys');
    if (max === 0) return;
    while (this.table.size > max) {
      const oldest = this.table.keys().next().value as string;
      this.invalidateTableEntry(oldest, current);
    }
  }

  /** A key changed (written, expired, evicted): tell the clients that may have cached it. */
  keyModified(key: string, current: Session | null): void {
    if (this.prefixTable.size !== 0) this.rememberForBroadcast(key, current);
    this.invalidateTableEntry(key, current);
  }

  /** Tells the clients that may have cached a key, and forgets them for it (Redis trackingInvalidateKey). */
  private invalidateTableEntry(key: string, current: Session | null): void {
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.totalItems -= ids.size;
    for (const id of ids) {
      const target = this.engine.sessions.get(id);
      if (target === undefined) continue;
      const st = this.states.get(target);
      // A client that switched to BCAST since it read the key hears of it by prefix only.
      if (st === undefined || st.bcast) continue;
      if (st.noloop && target === current) continue;
      if (target === current) this.holdOwn(target, key);
      else this.send(target, [key]);
    }
  }

  /** FLUSHALL / FLUSHDB: every tracking client drops its whole cache (a null key list). */
  flushed(current: Session | null): void {
    for (const c of [...this.states.keys()]) {
      if (c === current) this.holdOwn(c, null);
      else this.send(c, null);
    }
    this.table.clear();
    this.totalItems = 0;
  }

  /** After a command's reply went out: its own invalidations, then pending broadcasts. */
  afterReply(s: Session): void {
    if (this.pendingOwn.size !== 0) {
      const own = this.pendingOwn.get(s);
      if (own !== undefined) {
        this.pendingOwn.delete(s);
        for (const key of own) this.send(s, key === null ? null : [key]);
      }
    }
    this.flushBroadcasts();
  }

  /** Sends what BCAST clients are owed (after each command and from the cron, for expiries). */
  flushBroadcasts(): void {
    if (this.broadcastPending) this.broadcast();
  }

  /** A connection that closes or resets leaves no state behind. */
  forget(s: Session): void {
    this.pendingOwn.delete(s);
    this.disable(s);
  }

  // ---------------------------------------------------------------------------------------------
  // Enabling and disabling.

  enable(s: Session, options: TrackingOptions): void {
    let st = this.states.get(s);
    if (st === undefined) {
      st = { bcast: false, optin: false, optout: false, noloop: false, caching: false, redirect: 0, brokenRedirect: false, prefixes: new Set(), previousWasClient: true };
      this.states.set(s, st);
      refreshEventCollection(this.engine);
    }
    st.brokenRedirect = false;
    st.redirect = options.redirect;
    st.optin = options.optin;
    st.optout = options.optout;
    st.noloop = options.noloop;
    st.bcast = options.bcast;
    if (options.bcast) {
      if (options.prefixes.length === 0) this.addPrefix(s, st, '');
      for (const p of options.prefixes) this.addPrefix(s, st, p);
    }
  }

  disable(s: Session): void {
    const st = this.states.get(s);
    if (st === undefined) return;
    for (const p of st.prefixes) {
      const bs = this.prefixTable.get(p);
      if (bs === undefined) continue;
      bs.clients.delete(s);
      if (bs.clients.size === 0) this.prefixTable.delete(p);
    }
    this.states.delete(s);
    if (this.states.size === 0) {
      // Nobody can receive an invalidation any more: let the memory go (Redis keeps it lazily).
      this.table.clear();
      this.totalItems = 0;
      this.broadcastPending = false;
    }
    refreshEventCollection(this.engine);
  }

  /** The prefix, if any, that would make a client hear of the same key twice (or null). */
  overlappingPrefix(s: Session, prefix: string): string | null {
    const st = this.states.get(s);
    if (st === undefined) return null;
    for (const p of sortedPrefixes(st)) if (prefixesOverlap(p, prefix)) return p;
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals.

  private addPrefix(s: Session, st: TrackingState, prefix: string): void {
    let bs = this.prefixTable.get(prefix);
    if (bs === undefined) this.prefixTable.set(prefix, (bs = { keys: new Map(), clients: new Set() }));
    bs.clients.add(s);
    st.prefixes.add(prefix);
  }

  private remember(key: string, id: number): void {
    let ids = this.table.get(key);
    if (ids === undefined) this.table.set(key, (ids = new Set()));
    if (!ids.has(id)) {
      ids.add(id);
      this.totalItems++;
    }
  }

  private rememberForBroadcast(key: string, writer: Session | null): void {
    for (const [prefix, bs] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue;
      bs.keys.set(key, writer); // the last writer decides what NOLOOP leaves out
      this.broadcastPending = true;
    }
  }

  private holdOwn(s: Session, key: string | null): void {
    const list = this.pendingOwn.get(s);
    if (list === undefined) this.pendingOwn.set(s, [key]);
    else list.push(key);
  }

  /** Sends every prefix's changed keys to its clients, in key order (Redis walks a radix tree). */
  private broadcast(): void {
    this.broadcastPending = false;
    const prefixes = [...this.prefixTable.keys()].sort(byteOrder);
    for (const prefix of prefixes) {
      const bs = this.prefixTable.get(prefix);
      if (bs === undefined || bs.keys.size === 0) continue;
      const changes = bs.keys;
      bs.keys = new Map();
      const keys = [...changes.keys()].sort(byteOrder);
      for (const c of [...bs.clients]) {
        const st = this.states.get(c);
        if (st === undefined) continue;
        if (st.noloop) {
          const others = keys.filter((k) => changes.get(k) !== c);
          if (others.length > 0) this.send(c, others);
        } else {
          this.send(c, keys);
        }
      }
    }
  }

  /**
   * Redis sendTrackingMessage: to the redirect target if there is one, as a RESP3 push
   * [invalidate, keys], or to a RESP2 target in pub/sub mode as a message on
   * __redis__:invalidate. A RESP2 client without redirection cannot receive anything.
   */
  private send(c: Session, keys: readonly string[] | null): void {
    const st = this.states.get(c);
    const redirect = st?.redirect ?? 0;
    let target = c;
    let redirected = false;
    if (redirect !== 0) {
      const r = this.engine.sessions.get(redirect);
      if (r === undefined) {
        if (st !== undefined) st.brokenRedirect = true;
        if (c.resp === 3) this.engine.pubsub.deliver(c, push([bulk('tracking-redir-broken'), int(redirect)]));
        return;
      }
      target = r;
      redirected = true;
    }
    const payload = keys === null ? NIL : array(keys.map(bulk));
    if (target.resp === 3) this.engine.pubsub.deliver(target, push([INVALIDATE, payload]));
    else if (redirected && this.engine.pubsub.isSubscribed(target)) this.engine.pubsub.deliver(target, push([MESSAGE, INVALIDATE_CHANNEL, payload]));
  }

  /** CLIENT TRACKINGINFO's flags, in Redis's order. */
  flagsOf(s: Session): string[] {
    const st = this.states.get(s);
    if (st === undefined) return ['off'];
    const out = ['on'];
    if (st.bcast) out.push('bcast');
    if (st.optin) {
      out.push('optin');
      if (st.caching) out.push('caching-yes');
    }
    if (st.optout) {
      out.push('optout');
      if (st.caching) out.push('caching-no');
    }
    if (st.noloop) out.push('noloop');
    if (st.brokenRedirect) out.push('broken_redirect');
    return out;
  }

  prefixesOf(s: Session): string[] {
    const st = this.states.get(s);
    return st === undefined ? [] : sortedPrefixes(st);
  }

  modeOf(s: Session): { bcast: boolean; optin: boolean; optout: boolean } | null {
    const st = this.states.get(s);
    return st === undefined ? null : { bcast: st.bcast, optin: st.optin, optout: st.optout };
  }

  /** CLIENT LIST flags of tracking, in Redis's order: t (tracking), R (broken redirect), B (BCAST). */
  clientListFlags(s: Session): string {
    const st = this.states.get(s);
    if (st === undefined) return '';
    return 't' + (st.brokenRedirect ? 'R' : '') + (st.bcast ? 'B' : '');
  }

  /** CLIENT CACHING: arms the one-command override; the caller checked the mode. */
  setCaching(s: Session): void {
    const st = this.states.get(s);
    if (st !== undefined) st.caching = true;
  }
}

export interface TrackingOptions {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  readonly prefixes: readonly string[];
}

function sortedPrefixes(st: TrackingState): string[] {
  return [...st.prefixes].sort(byteOrder);
}

/** Latin1 strings compare by char code, which is byte order. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two prefixes overlap when one starts the other: some key would match both. */
function prefixesOverlap(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

// -----------------------------------------------------------------------------------------------
// CLIENT TRACKING | CACHING | GETREDIR | TRACKINGINFO

type Spec = CommandSpec<ServerContext>;
const sub = { group: 'connection', acl: ['connection'], flags: ['noscript', 'loading', 'stale'] } as const;

/** The CLIENT subcommands of client-side caching, for the CLIENT container's list. */
export const trackingSubcommands: Spec[] = [
  {
    ...sub, name: 'tracking', arity: -3, since: '6.0.0',
    summary: 'Turns server-assisted client-side caching on or off for the connection.',
    complexity: 'O(1); with PREFIX, O(N) in the number of prefixes to check and register',
    syntax: 'CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]',
    handler: trackingCommand,
  },
  {
    ...sub, name: 'caching', arity: 3, since: '6.0.0',
    summary: 'Says whether the keys read by the next command should be tracked (OPTIN / OPTOUT modes).',
    complexity: 'O(1)', syntax: 'CLIENT CACHING <YES | NO>',
    handler: cachingCommand,
  },
  {
    ...sub, name: 'getredir', arity: 2, since: '6.0.0',
    summary: 'Returns the id of the client invalidations are redirected to, 0 for none, -1 when tracking is off.',
    complexity: 'O(1)', syntax: 'CLIENT GETREDIR',
    handler: (ctx) => int(ctx.engine.tracking.redirectOf(ctx.session)),
  },
  {
    ...sub, name: 'trackinginfo', arity: 2, since: '6.2.0',
    summary: 'Describes the client-side caching state of the connection: flags, redirect and prefixes.',
    complexity: 'O(N) where N is the number of BCAST prefixes', syntax: 'CLIENT TRACKINGINFO',
    handler: (ctx) => {
      const t = ctx.engine.tracking;
      return mapOf([
        ['flags', set(t.flagsOf(ctx.session).map(bulk))],
        ['redirect', int(t.redirectOf(ctx.session))],
        ['prefixes', array(t.prefixesOf(ctx.session).map(bulk))],
      ]);
    },
  },
];

/** CLIENT TRACKING: options first (all of them, even for OFF), then Redis's checks in its order. */
function trackingCommand(ctx: ServerContext, argv: string[]): Reply {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    if (isWord(opt, 'REDIRECT') && more > 0) {
      i++;
      if (redirect !== 0) return errors.trackingSingleRedirect();
      const id = parseI64(argv[i]!);
      if (id === null) return errors.notInteger();
      // The target must exist now, though it may go away later (then the redirect is broken).
      if (id <= 0n || id > BigInt(Number.MAX_SAFE_INTEGER) || !ctx.engine.sessions.has(Number(id))) return errors.trackingRedirectMissing();
      redirect = Number(id);
    } else if (isWord(opt, 'BCAST')) {
      bcast = true;
    } else if (isWord(opt, 'OPTIN')) {
      optin = true;
    } else if (isWord(opt, 'OPTOUT')) {
      optout = true;
    } else if (isWord(opt, 'NOLOOP')) {
      noloop = true;
    } else if (isWord(opt, 'PREFIX') && more > 0) {
      prefixes.push(argv[++i]!);
    } else {
      return errors.syntax();
    }
  }
  const tracking = ctx.engine.tracking;
  const s = ctx.session;
  const mode = argv[2]!;
  if (isWord(mode, 'OFF')) {
    tracking.disable(s);
    return OK;
  }
  if (!isWord(mode, 'ON')) return errors.syntax();
  if (!bcast && prefixes.length > 0) return errors.trackingPrefixNeedsBcast();
  const current = tracking.modeOf(s);
  if (current !== null && current.bcast !== bcast) return errors.trackingBcastSwitch();
  if (bcast && (optin || optout)) return errors.trackingOptWithBcast();
  if (optin && optout) return errors.trackingOptinAndOptout();
  if (current !== null && ((optin && current.optout) || (optout && current.optin))) return errors.trackingOptSwitch();
  if (bcast) {
    for (let i = 0; i < prefixes.length; i++) {
      const existing = tracking.overlappingPrefix(s, prefixes[i]!);
      if (existing !== null) return errors.trackingPrefixOverlapsExisting(prefixes[i]!, existing);
      for (let j = i + 1; j < prefixes.length; j++) {
        if (prefixesOverlap(prefixes[i]!, prefixes[j]!)) return errors.trackingPrefixOverlapsProvided(prefixes[i]!, prefixes[j]!);
      }
    }
  }
  tracking.enable(s, { redirect, bcast, optin, optout, noloop, prefixes });
  return OK;
}

function cachingCommand(ctx: ServerContext, argv: string[]): Reply {
  const tracking = ctx.engine.tracking;
  const mode = tracking.modeOf(ctx.session);
  if (mode === null) return errors.cachingWithoutTracking();
  const word = argv[2]!;
  if (isWord(word, 'YES')) {
    if (!mode.optin) return errors.cachingYesNeedsOptin();
  } else if (isWord(word, 'NO')) {
    if (!mode.optout) return errors.cachingNoNeedsOptout();
  } else {
    return errors.syntax();
  }
  tracking.setCaching(ctx.session);
  return OK;
}
