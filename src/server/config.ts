// Configuration options, declared once: the command line (--name value), the config file
// (redis.conf syntax) and CONFIG GET/SET/REWRITE all read this table.
import { limits } from '../core/limits.js';
import { INT64_MAX, parseI64 } from '../core/numbers.js';

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
  | { readonly type: 'enum'; readonly values: readonly string[] };

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
  { name: 'slowlog-log-slower-than', kind: int(-1, INT64_MAX), default: String(limits.slowlogLogSlowerThanMicros), description: 'Log commands slower than this many microseconds (-1: off, 0: all).' },
  { name: 'slowlog-max-len', kind: int(0, INT64_MAX), default: String(limits.slowlogMaxLen), description: 'Slow log entries kept.' },
  { name: 'latency-monitor-threshold', kind: int(0, INT64_MAX), default: '0', description: 'Record events slower than this many milliseconds (0: off).' },
  { name: 'active-expire-enabled', kind: BOOL, default: 'yes', description: 'Run the active expiry cycle (DEBUG SET-ACTIVE-EXPIRE toggles it too).' },
  { name: 'enable-debug-command', kind: enumOf('no', 'yes', 'local'), default: 'no', immutable: true, description: 'Allow DEBUG: no, yes, or local (loopback and embedded clients only), as Redis 7.' },
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
export function validateOption(spec: OptionSpec, raw: string): { value: string } | { error: string } {
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
  }
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

  get(name: string): string {
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
    const checked = validateOption(spec, raw);
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
    return OPTIONS.map((o) => [o.name, this.values.get(o.name)!]);
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
