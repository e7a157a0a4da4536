// Pub/sub (Redis pubsub.c): channel, pattern and shard-channel registries, message delivery,
// the RESP2 "subscribed context", and output buffer limits for slow subscribers.
//
// Who is subscribed to what lives here, keyed by session, so a session costs nothing until it
// subscribes. Messages are built once per publish as push replies: the transport writes them
// as RESP3 pushes (>) or RESP2 arrays (*) according to each receiver's protocol.
import * as errors from '../core/errors.js';
import { globMatch } from '../core/glob.js';
import { array, bulk, int, push, type Reply } from '../core/reply.js';
import { parseMemoryExact } from './config.js';
import type { Engine } from './engine.js';
import { parseKeyspaceEventFlags } from './notifications.js';
import type { Session, SessionTransport } from './session.js';

/** What one session is subscribed to. Sets keep subscription order (PUNSUBSCRIBE lists in it). */
interface Subscriptions {
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  readonly shardChannels: Set<string>;
}

export interface SubscriptionCounts {
  readonly channels: number;
  readonly patterns: number;
  readonly shardChannels: number;
}

const MESSAGE = bulk('message');
const PMESSAGE = bulk('pmessage');
const SMESSAGE = bulk('smessage');

/** Commands a RESP2 client may run while it has subscriptions (Redis processCommand). */
const ALLOWED_WHEN_SUBSCRIBED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export class PubSub {
  /** channel -> subscribers, in subscription order (the order messages go out). */
  private readonly channels = new Map<string, Set<Session>>();
  private readonly patterns = new Map<string, Set<Session>>();
  private readonly shardChannels = new Map<string, Set<Session>>();
  private readonly subscribers = new Map<Session, Subscriptions>();
  /** Unix second since which a session's output has stayed at or over its soft limit. */
  private readonly softLimitSince = new Map<Session, number>();
  /** Parsed `notify-keyspace-events` (NOTIFY bits); 0 when notifications are off. */
  notifyFlags = 0;
  limits: OutputBufferLimits;
  /** Someone reads key events (notifications on, or a client tracks keys): the engine hands them over. */
  keyEventsWanted = false;
  /** Clients closed for going over an output buffer limit (INFO client_output_buffer_limit_disconnections). */
  outputLimitDisconnections = 0;

  constructor(private readonly engine: Engine) {
    const config = engine.config;
    this.notifyFlags = parseKeyspaceEventFlags(config.stored('notify-keyspace-events')) ?? 0;
    this.limits = parseStoredLimits(config.stored('client-output-buffer-limit'));
    if (this.notifyFlags !== 0) this.keyEventsWanted = engine.ks.collectEvents = true;
    config.onChange((name, value) => {
      if (name === 'notify-keyspace-events') {
        this.notifyFlags = parseKeyspaceEventFlags(value) ?? 0;
        refreshEventCollection(engine);
      } else if (name === 'client-output-buffer-limit') {
        this.limits = parseStoredLimits(value);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Who is subscribed.

  /** True while the session has any subscription (Redis's CLIENT_PUBSUB flag). */
  isSubscribed(s: Session): boolean {
    return this.subscribers.size !== 0 && this.subscribers.has(s);
  }

  counts(s: Session): SubscriptionCounts {
    const subs = this.subscribers.get(s);
    if (subs === undefined) return { channels: 0, patterns: 0, shardChannels: 0 };
    return { channels: subs.channels.size, patterns: subs.patterns.size, shardChannels: subs.shardChannels.size };
  }

  /** The count SUBSCRIBE / UNSUBSCRIBE / (P)... replies carry: channels plus patterns. */
  subscriptionCount(s: Session): number {
    const subs = this.subscribers.get(s);
    return subs === undefined ? 0 : subs.channels.size + subs.patterns.size;
  }

  /** The count SSUBSCRIBE / SUNSUBSCRIBE replies carry: shard channels only. */
  shardSubscriptionCount(s: Session): number {
    return this.subscribers.get(s)?.shardChannels.size ?? 0;
  }

  /** Channels in subscription order, for UNSUBSCRIBE without arguments. */
  channelsOf(s: Session, kind: SubscriptionKind): string[] {
    const subs = this.subscribers.get(s);
    return subs === undefined ? [] : [...subs[kind]];
  }

  /** Adds a subscription; false when the session already had it. */
  subscribe(s: Session, kind: SubscriptionKind, name: string): boolean {
    let subs = this.subscribers.get(s);
    if (subs === undefined) {
      subs = { channels: new Set(), patterns: new Set(), shardChannels: new Set() };
      this.subscribers.set(s, subs);
    }
    const own = subs[kind];
    if (own.has(name)) return false;
    own.add(name);
    const registry = this.registry(kind);
    let members = registry.get(name);
    if (members === undefined) registry.set(name, (members = new Set()));
    members.add(s);
    return true;
  }

  /** Removes a subscription; false when the session did not have it. */
  unsubscribe(s: Session, kind: SubscriptionKind, name: string): boolean {
    const subs = this.subscribers.get(s);
    if (subs === undefined || !subs[kind].delete(name)) return false;
    const registry = this.registry(kind);
    const members = registry.get(name);
    if (members !== undefined) {
      members.delete(s);
      if (members.size === 0) registry.delete(name);
    }
    if (subs.channels.size === 0 && subs.patterns.size === 0 && subs.shardChannels.size === 0) {
      this.subscribers.delete(s);
      this.softLimitSince.delete(s);
    }
    return true;
  }

  /** Drops every subscription without telling the client (RESET, disconnect). */
  forget(s: Session): void {
    const subs = this.subscribers.get(s);
    if (subs !== undefined) {
      for (const kind of KINDS) for (const name of [...subs[kind]]) this.unsubscribe(s, kind, name);
    }
    this.softLimitSince.delete(s);
  }

  // ---------------------------------------------------------------------------------------------
  // Publishing.

  /** PUBLISH: channel subscribers first, then pattern subscribers; returns how many received. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const members = this.channels.get(channel);
    if (members !== undefined) {
      const msg = push([MESSAGE, bulk(channel), bulk(message)]);
      for (const s of members) {
        this.deliver(s, msg);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, subs] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const msg = push([PMESSAGE, bulk(pattern), bulk(channel), bulk(message)]);
        for (const s of subs) {
          this.deliver(s, msg);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channel subscribers only (patterns never see shard messages). */
  spublish(channel: string, message: string): number {
    const members = this.shardChannels.get(channel);
    if (members === undefined) return 0;
    const msg = push([SMESSAGE, bulk(channel), bulk(message)]);
    let receivers = 0;
    for (const s of members) {
      this.deliver(s, msg);
      receivers++;
    }
    return receivers;
  }

  /** Active channels (with at least one subscriber) matching a pattern, or all of them. */
  activeChannels(kind: 'channels' | 'shardChannels', pattern: string | null): string[] {
    const out: string[] = [];
    for (const name of this.registry(kind).keys()) if (pattern === null || globMatch(pattern, name)) out.push(name);
    return out;
  }

  subscriberCount(kind: SubscriptionKind, name: string): number {
    return this.registry(kind).get(name)?.size ?? 0;
  }

  /** Distinct patterns with at least one subscriber (PUBSUB NUMPAT, INFO pubsub_patterns). */
  get patternCount(): number {
    return this.patterns.size;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get shardChannelCount(): number {
    return this.shardChannels.size;
  }

  // ---------------------------------------------------------------------------------------------
  // Admission and delivery.

  /**
   * A RESP2 client with subscriptions may only (un)subscribe, PING, QUIT or RESET: its
   * connection carries messages, and replies could not be told apart from them. RESP3 tells
   * them apart (pushes), so RESP3 clients may run anything. Returns the error or null.
   */
  admission(s: Session, fullName: string): Reply | null {
    if (s.resp !== 2 || !this.isSubscribed(s) || ALLOWED_WHEN_SUBSCRIBED.has(fullName)) return null;
    return errors.onlySubscribeCommandsAllowed(fullName);
  }

  /**
   * Sends an out-of-band message (pub/sub message, keyspace notification, invalidation) and
   * enforces the output buffer limit of the receiver's class: a client that cannot keep up is
   * closed rather than allowed to grow the server's memory without bound.
   */
  deliver(s: Session, message: Reply): void {
    s.transport.deliver(message);
    const limit = this.isSubscribed(s) ? this.limits.pubsub : this.limits.normal;
    if (limit.hard !== 0 || limit.soft !== 0) this.enforceLimit(s, limit);
  }

  /** Soft limits are about duration: the cron closes clients that stayed over them too long. */
  cron(): void {
    if (this.softLimitSince.size === 0) return;
    for (const s of [...this.softLimitSince.keys()]) {
      const limit = this.isSubscribed(s) ? this.limits.pubsub : this.limits.normal;
      this.enforceLimit(s, limit);
    }
  }

  /** Redis checkClientOutputBufferLimits: hard limit at once, soft limit after soft-seconds. */
  private enforceLimit(s: Session, limit: OutputBufferLimit): void {
    const used = s.transport.outputBufferBytes();
    const hard = limit.hard !== 0 && used >= limit.hard;
    let soft = limit.soft !== 0 && used >= limit.soft;
    if (soft) {
      const nowSec = Math.floor(this.engine.clock.nowMs() / 1000);
      const since = this.softLimitSince.get(s);
      if (since === undefined) {
        this.softLimitSince.set(s, nowSec);
        soft = false; // first time over it: start counting
      } else if (nowSec - since <= limit.softSeconds) {
        soft = false;
      }
    } else {
      this.softLimitSince.delete(s);
    }
    if (hard || soft) this.closeForOutputLimit(s, used);
  }

  private closeForOutputLimit(s: Session, used: number): void {
    this.softLimitSince.delete(s);
    if (!this.engine.sessions.has(s.id)) return; // already gone
    this.outputLimitDisconnections++;
    this.engine.log.warning('client scheduled to be closed ASAP for overcoming of output buffer limits', {
      id: s.id, addr: s.addr, omem: used,
    });
    // Drop the unsent output with the connection: a graceful close would keep it buffered for a
    // peer that is not reading, which is the memory the limit exists to bound.
    const transport = s.transport as SessionTransport & { abort?: () => void };
    if (transport.abort !== undefined) transport.abort();
    else transport.close();
    // The transport normally forgets the session on close; make sure it is gone either way.
    if (this.engine.sessions.has(s.id)) this.engine.closeSession(s);
  }

  private registry(kind: SubscriptionKind): Map<string, Set<Session>> {
    return kind === 'channels' ? this.channels : kind === 'patterns' ? this.patterns : this.shardChannels;
  }
}

export type SubscriptionKind = keyof Subscriptions;
const KINDS: readonly SubscriptionKind[] = ['channels', 'patterns', 'shardChannels'];

/** PING of a RESP2 client in the subscribed context: ["pong", message or ""]; null otherwise. */
export function subscribedPing(engine: Engine, s: Session, message: string | undefined): Reply | null {
  if (s.resp !== 2 || !engine.pubsub.isSubscribed(s)) return null;
  return array([bulk('pong'), bulk(message ?? '')]);
}

/** The confirmation Redis sends for each (un)subscribed channel: [kind, channel or nil, count]. */
export function confirmation(kind: string, channel: Reply, count: number): Reply {
  return push([bulk(kind), channel, int(count)]);
}

/**
 * Collects key events only while someone can receive them: keyspace notifications are on, or
 * a client tracks keys. Otherwise the core's notify() is a single boolean test.
 */
export function refreshEventCollection(engine: Engine): void {
  const wanted = engine.pubsub.notifyFlags !== 0 || engine.tracking.active;
  if (wanted === engine.pubsub.keyEventsWanted) return;
  if (!wanted) engine.ks.takeEvents(); // nobody will read what is left
  engine.pubsub.keyEventsWanted = wanted;
  engine.ks.collectEvents = wanted;
}

// -----------------------------------------------------------------------------------------------
// client-output-buffer-limit

export interface OutputBufferLimit {
  /** Bytes; 0 means no limit. */
  readonly hard: number;
  readonly soft: number;
  readonly softSeconds: number;
}

export interface OutputBufferLimits {
  readonly normal: OutputBufferLimit;
  readonly replica: OutputBufferLimit;
  readonly pubsub: OutputBufferLimit;
}

type LimitClass = keyof OutputBufferLimits;

/**
 * Config validation of `client-output-buffer-limit`: groups of <class> <hard> <soft> <seconds>.
 * Classes not named keep their current limits, as in Redis; the result is the full setting in
 * CONFIG GET's form. Errors are Redis's texts.
 */
export function normalizeOutputBufferLimitOption(raw: string, current: string): { value: string } | { error: string } {
  const words = raw.split(' ').filter((w) => w !== '');
  if (words.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const next: Record<LimitClass, OutputBufferLimit> = { ...parseStoredLimits(current) };
  for (let i = 0; i < words.length; i += 4) {
    const cls = limitClassOf(words[i]!);
    if (cls === null) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = parseMemoryExact(words[i + 1]!);
    const soft = parseMemoryExact(words[i + 2]!);
    const seconds = parseSoftSeconds(words[i + 3]!);
    if (hard === null || soft === null || seconds === null) {
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    }
    next[cls] = { hard: Number(hard), soft: Number(soft), softSeconds: seconds };
  }
  return { value: formatLimits(next) };
}

/** Redis's getClientTypeByName, less 'master' (which has no limits of its own). */
function limitClassOf(word: string): LimitClass | null {
  const w = word.toLowerCase();
  if (w === 'normal' || w === 'pubsub') return w;
  if (w === 'replica' || w === 'slave') return 'replica';
  return null;
}

/** strtoll into an int, as Redis reads soft_seconds: digits with an optional sign, >= 0 after truncation. */
function parseSoftSeconds(text: string): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = Number(BigInt.asIntN(32, clampToInt64(BigInt(text))));
  return n < 0 ? null : n;
}

function clampToInt64(n: bigint): bigint {
  const max = (1n << 63n) - 1n;
  const min = -(1n << 63n);
  return n > max ? max : n < min ? min : n;
}

function formatLimits(l: OutputBufferLimits): string {
  const one = (x: OutputBufferLimit): string => `${x.hard} ${x.soft} ${x.softSeconds}`;
  return `normal ${one(l.normal)} slave ${one(l.replica)} pubsub ${one(l.pubsub)}`;
}

/** Reads the stored (normalised) setting back into numbers. */
function parseStoredLimits(text: string): OutputBufferLimits {
  const w = text.split(' ');
  const at = (i: number): OutputBufferLimit => ({ hard: Number(w[i + 1]), soft: Number(w[i + 2]), softSeconds: Number(w[i + 3]) });
  return { normal: at(0), replica: at(4), pubsub: at(8) };
}
