// Configuration options, declared once: the command line (--name value), the config file
// (redis.conf syntax) and CONFIG GET/SET/REWRITE all read this table.
import { limits, memcachedLimits } from '../core/limits.js';
import { INT64_MAX, parseI64 } from '../core/numbers.js';
import { normalizeSaveOption } from './save-rules.js';
import { displayKeyspaceEventsOption, normalizeKeyspaceEventsOption } from './notifications.js';
import { normalizeOutputBufferLimitOption } from './pubsub.js';
import { EVICTION_POLICIES } from '../core/eviction.js';

type Kind =
  | {
      readonly type: 'int';
      /** Bounds as Redis states them in its error text (int64 edges need bigint). */
      readonly min: bigint;
      readonly max: bigint;
      /** Accepts memory units (1mb, 5k) as Redis's memory options do. */
      readonly memory?: boolean;
      /** Values within bounds are then clamped to this range (Redis's hz: 0..INT_MAX, used as 1..500). */
      readonly clampTo?: readonly [number, number];
    }
  | { readonly type: 'bool' }
  | { readonly type: 'string' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  /**
   * Options with their own syntax; `current` lets a value change only part of the setting.
   * `display` is how CONFIG GET shows the stored value when that differs (Redis shows
   * notify-keyspace-events lossily: 'AKEn' reads back as 'AKE' though 'n' still applies).
   */
  | {
      readonly type: 'custom';
      readonly normalize: (raw: string, current: string) => { value: string } | { error: string };
      readonly display?: (stored: string) => string;
    };

export interface OptionSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly kind: Kind;
  readonly default: string;
  /** Options that cannot change while the server runs (CONFIG SET refuses them). */
  readonly immutable?: boolean;
  readonly description: string;
  /** A list of words (bind): CONFIG REWRITE writes them unquoted, one argument each. */
  readonly words?: boolean;
}

const INT_MAX = 2_147_483_647;
const UINT_MAX = 4_294_967_295;
const int = (min: number | bigint, max: number | bigint, memory = false, clampTo?: readonly [number, number]): Kind =>
  ({ type: 'int', min: BigInt(min), max: BigInt(max), memory, clampTo });
const BOOL: Kind = { type: 'bool' };
const STRING: Kind = { type: 'string' };
const enumOf = (...values: string[]): Kind => ({ type: 'enum', values });

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', kind: int(0, 65535), default: '6379', immutable: true, description: 'TCP port for the Redis protocol (0 picks a free port).' },
  { name: 'bind', kind: STRING, default: '127.0.0.1', immutable: true, words: true, description: 'Addresses to listen on, space separated.' },
  { name: 'dir', kind: STRING, default: './data', immutable: true, description: 'Folder for data files.' },
  { name: 'requirepass', kind: STRING, default: '', description: 'Password of the default user; empty means no password.' },
  { name: 'maxclients', kind: int(1, UINT_MAX), default: String(limits.maxClients), description: 'Most simultaneous clients.' },
  { name: 'timeout', kind: int(0, INT_MAX), default: String(limits.idleTimeoutSeconds), description: 'Close a client idle this many seconds (0: never).' },
  { name: 'tcp-keepalive', kind: int(0, INT_MAX), default: '300', description: 'TCP keepalive interval in seconds (0: off).' },
  { name: 'databases', kind: int(1, 1024), default: String(limits.databases), immutable: true, description: 'Number of logical databases.' },
  { name: 'proto-max-bulk-len', kind: int(1024 * 1024, INT64_MAX, true), default: String(limits.protoMaxBulkLenBytes), description: 'Largest bulk string a client may send.' },
  { name: 'client-query-buffer-limit', kind: int(1024 * 1024, INT64_MAX, true), default: String(limits.clientQueryBufferBytes), description: 'Most unparsed input a client may have buffered.' },
  { name: 'hz', kind: int(0, INT_MAX, false, [1, 500]), default: String(limits.hz), description: 'Background task frequency (active expiry, idle clients).' },
  { name: 'loglevel', kind: enumOf('debug', 'verbose', 'notice', 'warning', 'nothing'), default: 'notice', description: 'Least severe log level written.' },
  { name: 'logfile', kind: STRING, default: '', immutable: true, description: 'Log file; empty means standard output.' },
  { name: 'pidfile', kind: STRING, default: '', immutable: true, description: 'File to write the process id to; empty means none.' },
  { name: 'slowlog-log-slower-than', kind: int(-1, INT64_MAX), default: String(limits.slowlogLogSlowerThanMicros), description: 'Log commands slower than this many microseconds (-1: off, 0: all). At 1000 or more, fast and O(1) commands are timed one call in 16 (docs/design/command-clock.md).' },
  { name: 'slowlog-max-len', kind: int(0, INT64_MAX), default: String(limits.slowlogMaxLen), description: 'Slow log entries kept.' },
  { name: 'latency-monitor-threshold', kind: int(0, INT64_MAX), default: '0', description: 'Record events slower than this many milliseconds (0: off).' },
  { name: 'active-expire-enabled', kind: BOOL, default: 'yes', description: 'Run the active expiry cycle (DEBUG SET-ACTIVE-EXPIRE toggles it too).' },
  { name: 'enable-debug-command', kind: enumOf('no', 'yes', 'local'), default: 'no', immutable: true, description: 'Allow DEBUG: no, yes, or local (loopback and embedded clients only), as Redis 7.' },
  { name: 'cluster-enabled', kind: BOOL, default: 'no', immutable: true, description: 'Serve as a cluster node: CLUSTER commands, hash-slot routing (MOVED, CROSSSLOT), database 0 only.' },
  { name: 'cluster-config-file', kind: STRING, default: 'nodes.conf', immutable: true, description: 'File in `dir` keeping this node\'s cluster identity across restarts.' },
  { name: 'cluster-announce-ip', kind: STRING, default: '', immutable: true, description: 'Address other nodes and clients are told to reach this node at; empty: the first bind address.' },
  { name: 'group-peers', kind: STRING, default: '', immutable: true, description: 'Replica group members as host:port[@busport],... (1, 3 or 5; the same list on every node, node ids 1..n in list order); empty: a server on its own. The Raft log under dir/raft then makes writes durable, not the append-only log. Keep the list the group started with on restarts: members added or removed later (GROUP ADD/REMOVE) are in the Raft log.' },
  { name: 'group-join', kind: BOOL, default: 'no', immutable: true, description: 'yes: this node joins an existing replica group: it waits until the group\'s leader adds it (GROUP ADD host:port on the leader) and learns the members from the leader; group-peers stays empty. Its node id is kept in cluster-config-file. Keep it set on restarts.' },
  { name: 'group-bus-port', kind: int(0, 65535), default: '0', immutable: true, description: 'Port of this node\'s peer links in a replica group; 0: the client port + 10000 (or the @busport of its group-peers entry).' },
  { name: 'group-follower-reads', kind: BOOL, default: 'yes', description: 'In a replica group, a follower serves a plain client\'s linearizable reads itself once a ReadIndex round with the leader confirmed how far it must have applied (yes), or hands them to the leader (no). Reads in MULTI, scripts and writes always go to the leader.' },
  { name: 'group-tick-ms', kind: int(5, 10000), default: '100', immutable: true, description: 'Milliseconds per Raft tick in a replica group: heartbeats every tick, an election after 10 to 20 ticks without a leader.' },
  { name: 'group-snapshot-entries', kind: int(0, INT64_MAX), default: '10000', description: 'In a replica group, snapshot the key space into Raft and compact the log once this many entries were applied since the last snapshot (0: no entry trigger).' },
  { name: 'group-snapshot-bytes', kind: int(0, INT64_MAX, true), default: String(64 * 1024 * 1024), description: 'In a replica group, snapshot and compact once the entries applied since the last snapshot hold this many bytes (memory units allowed; 0: no byte trigger).' },
  { name: 'group-log-keep-entries', kind: int(0, INT64_MAX), default: '1000', description: 'Entries a replica group member keeps in its Raft log behind a snapshot, so that followers a little behind catch up from the log instead of a snapshot.' },
  { name: 'appendonly', kind: BOOL, default: 'yes', description: 'Keep the append-only log of writes (Cairn server default yes, unlike Redis: durable by default).' },
  { name: 'appendfsync', kind: enumOf('always', 'everysec', 'no'), default: 'everysec', description: 'When the log is fsynced: always (before each write is acknowledged, group commit), everysec (in the background once a second), no (left to the OS).' },
  { name: 'appenddirname', kind: STRING, default: 'appendonlydir', immutable: true, description: 'Folder, inside dir, for the append-only log files and their manifest.' },
  { name: 'appendfilename', kind: STRING, default: 'appendonly.aof', immutable: true, description: 'Base name of the append-only log files (<name>.N.base.rdb, <name>.N.incr.aof, <name>.manifest).' },
  { name: 'dbfilename', kind: STRING, default: 'dump.rdb', description: 'Snapshot file name inside dir (SAVE, BGSAVE; Cairn\'s own snapshot format, not Redis RDB).' },
  { name: 'save', kind: { type: 'custom', normalize: (raw) => normalizeSaveOption(raw) }, default: '3600 1 300 100 60 10000', description: 'Snapshot rules "<seconds> <changes> ...": save after <seconds> if at least <changes> writes happened; "" disables.' },
  { name: 'aof-use-rdb-preamble', kind: BOOL, default: 'yes', description: 'A log rewrite writes its base as a snapshot (yes) or as log records (no).' },
  { name: 'auto-aof-rewrite-percentage', kind: int(0, INT_MAX), default: '100', description: 'Rewrite the log when it grew this many percent over its size after the last rewrite (0: never).' },
  { name: 'auto-aof-rewrite-min-size', kind: int(0, INT64_MAX, true), default: String(64 * 1024 * 1024), description: 'No automatic rewrite below this log size.' },
  { name: 'aof-load-truncated', kind: BOOL, default: 'yes', description: 'At start-up, cut a torn last log record with a warning (yes) or refuse to start (no).' },
  { name: 'stop-writes-on-bgsave-error', kind: BOOL, default: 'yes', description: 'Refuse writes (MISCONF) after a failed background save while save rules are set.' },
  { name: 'maxmemory', kind: int(0, INT64_MAX, true), default: '0', description: 'Memory limit in bytes (memory units allowed) for used_memory; past it keys are evicted by maxmemory-policy (0: no limit).' },
  { name: 'maxmemory-policy', kind: enumOf(...EVICTION_POLICIES), default: 'noeviction', description: 'Which keys go when used_memory exceeds maxmemory: noeviction (refuse denyoom writes with OOM), allkeys-/volatile- lru, lfu, random, or volatile-ttl.' },
  { name: 'maxmemory-samples', kind: int(1, 64), default: '5', description: 'Keys sampled per database for each eviction (more: closer to exact LRU/LFU/TTL, slower).' },
  { name: 'maxmemory-eviction-tenacity', kind: int(0, 100), default: '10', description: 'How long one eviction pass may run before letting the command proceed (100: until under the limit).' },
  { name: 'lfu-log-factor', kind: int(0, INT_MAX), default: '10', description: 'LFU counter growth: the higher, the more accesses it takes to raise the counter.' },
  { name: 'lfu-decay-time', kind: int(0, INT_MAX), default: '1', description: 'Minutes without access for the LFU counter to lose one point (0: never decays).' },
  { name: 'tracking-table-max-keys', kind: int(0, INT64_MAX), default: String(limits.trackingTableMaxKeys), description: 'Keys the client-side caching table remembers; beyond that the oldest are invalidated (0: no bound).' },
  { name: 'busy-reply-threshold', aliases: ['lua-time-limit'], kind: int(0, INT64_MAX), default: String(limits.busyReplyThresholdMs), description: 'Milliseconds a script may run before other clients get -BUSY and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE can stop it (0: never).' },
  { name: 'notify-keyspace-events', kind: { type: 'custom', normalize: (raw) => normalizeKeyspaceEventsOption(raw), display: (stored) => displayKeyspaceEventsOption(stored) }, default: '', description: 'Keyspace notification classes (K E g $ l s h z x e t m n d A), as Redis; empty: off.' },
  { name: 'memcached-port', kind: int(-1, 65535), default: '-1', immutable: true, description: 'TCP port for the memcached protocol (text, meta and binary); -1 leaves it off, 0 picks a free port (not in a replica group: followers relay memcached connections to the leader at its fixed port).' },
  { name: 'memcached-bind', kind: STRING, default: '', immutable: true, words: true, description: 'Addresses the memcached listener uses, space separated; empty means the same as bind.' },
  { name: 'memcached-db', kind: int(0, 1023), default: '0', immutable: true, description: 'The database memcached items live in (must be below databases).' },
  { name: 'memcached-item-size-max', kind: int(1024, 1024 * 1024 * 1024, true), default: String(memcachedLimits.itemSizeMaxDefault), description: 'Largest memcached item (value, key and 59 bytes of overhead), as memcached -I; larger stores get SERVER_ERROR object too large for cache.' },
  { name: 'client-output-buffer-limit', kind: { type: 'custom', normalize: (raw, current) => normalizeOutputBufferLimitOption(raw, current) }, default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', description: 'Per client class (normal, replica, pubsub): hard limit, soft limit, soft seconds; a client over them is closed.' },
];

const BY_NAME = new Map<string, OptionSpec>();
for (const o of OPTIONS) {
  BY_NAME.set(o.name, o);
  for (const a of o.aliases ?? []) BY_NAME.set(a, o);
}

export function findOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

const MEMORY_UNITS: Record<string, bigint> = { b: 1n, k: 1000n, kb: 1024n, m: 1_000_000n, mb: 1024n ** 2n, g: 1_000_000_000n, gb: 1024n ** 3n };
const UINT64_MAX = (1n << 64n) - 1n;

/** Parses "1gb", "100mb", "5k" as Redis's memtoull does (k=1000, kb=1024 ...); no sign allowed. */
export function parseMemoryExact(text: string): bigint | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(text);
  if (m === null || m[1]!.length > 20) return null;
  const bytes = BigInt(m[1]!) * MEMORY_UNITS[(m[2] ?? 'b').toLowerCase()]!;
  return bytes > UINT64_MAX ? null : bytes;
}

/** parseMemoryExact as a JS number (exact up to 2^53). */
export function parseMemory(text: string): number | null {
  const n = parseMemoryExact(text);
  return n === null ? null : Number(n);
}

/** Normalises and validates a value; returns the stored text or an error message. */
export function validateOption(spec: OptionSpec, raw: string, current: string = spec.default): { value: string } | { error: string } {
  const kind = spec.kind;
  switch (kind.type) {
    case 'int': {
      const n = kind.memory === true ? parseMemoryExact(raw) : parseI64(raw);
      if (n === null) return { error: kind.memory === true ? 'argument must be a memory value' : 'argument couldn\'t be parsed into an integer' };
      if (n < kind.min || n > kind.max) return { error: `argument must be between ${kind.min} and ${kind.max} inclusive` };
      if (kind.clampTo !== undefined) return { value: String(Math.min(Math.max(Number(n), kind.clampTo[0]), kind.clampTo[1])) };
      return { value: String(n) };
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'yes' && v !== 'no') return { error: 'argument must be \'yes\' or \'no\'' };
      return { value: v };
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!kind.values.includes(v)) return { error: 'argument(s) must be one of the following: ' + kind.values.join(', ') };
      return { value: v };
    }
    case 'string':
      return { value: raw };
    case 'custom':
      return kind.normalize(raw, current);
  }
}

function displayed(spec: OptionSpec, stored: string): string {
  return spec.kind.type === 'custom' && spec.kind.display !== undefined ? spec.kind.display(stored) : stored;
}

/** The live configuration: option values as text, with typed accessors for hot readers. */
export class Config {
  private readonly values = new Map<string, string>();
  /** Set when the server was started with a config file (CONFIG REWRITE target). */
  file: string | null = null;
  private readonly listeners: Array<(name: string, value: string) => void> = [];

  constructor() {
    for (const o of OPTIONS) this.values.set(o.name, o.default);
  }

  /** The value as CONFIG GET shows it. */
  get(name: string): string {
    const spec = findOption(name);
    if (spec === undefined) throw new Error(`unknown option ${name}`);
    return displayed(spec, this.values.get(spec.name)!);
  }

  /** The value as stored, for the code that applies it (differs from get() only with `display`). */
  stored(name: string): string {
    const spec = findOption(name);
    if (spec === undefined) throw new Error(`unknown option ${name}`);
    return this.values.get(spec.name)!;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Sets one option at start-up or at run time; returns an error message or null. */
  set(name: string, raw: string, atRuntime: boolean): string | null {
    const spec = findOption(name);
    if (spec === undefined) return `unknown option '${name}'`;
    if (atRuntime && spec.immutable === true) return `can't set immutable config`;
    const checked = validateOption(spec, raw, this.values.get(spec.name));
    if ('error' in checked) return checked.error;
    this.values.set(spec.name, checked.value);
    for (const l of this.listeners) l(spec.name, checked.value);
    return null;
  }

  onChange(listener: (name: string, value: string) => void): void {
    this.listeners.push(listener);
  }

  /** [name, value] for every option, in declaration order. */
  entries(): Array<[string, string]> {
    return OPTIONS.map((o) => [o.name, displayed(o, this.values.get(o.name)!)]);
  }
}

/**
 * Parses redis.conf syntax: one directive per line, `#` comments, arguments split with
 * Redis's quoting rules (double and single quotes). Returns [name, args] pairs or an error.
 */
export function parseConfigText(text: string): { directives: Array<[string, string[]]> } | { error: string; line: number } {
  const out: Array<[string, string[]]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = splitConfigArgs(line);
    if (words === null) return { error: 'Unbalanced quotes in configuration line', line: i + 1 };
    const [name, ...args] = words;
    out.push([name!.toLowerCase(), args]);
  }
  return { directives: out };
}

function splitConfigArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const q = line[i];
    if (q === '"' || q === "'") {
      let word = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        const c = line[i]!;
        if (c === '\\' && q === '"' && i + 1 < line.length) {
          const n = line[i + 1]!;
          word += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n;
          i += 2;
        } else if (c === q) {
          i++;
          break;
        } else {
          word += c;
          i++;
        }
      }
      out.push(word);
    } else {
      let word = '';
      while (i < line.length && !/\s/.test(line[i]!)) word += line[i++];
      out.push(word);
    }
  }
  return out;
}
