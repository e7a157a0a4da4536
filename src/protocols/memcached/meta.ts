// memcached's meta commands (mg ms md ma mn me): one key, single-character flags with optional
// tokens, two-letter return codes. Flag parsing follows memcached 1.6.18's _meta_flag_preparse
// (any meta flag is accepted by any meta command, duplicates refused); returned flags come back
// in the order they were sent, then Z, X and W.
import { memcachedErrors as E } from '../../core/errors.js';
import { deadlineOf, EXPIRED, secondsLeft } from '../../core/memcached/exptime.js';
import type { StoreMode } from '../../core/memcached/executor.js';
import { parseFlags, parseI32, parseU64 } from '../../core/memcached/numbers.js';
import { memcachedLimits } from '../../core/limits.js';
import { isRefusal, refusalText, type MemcachedBackend } from './backend.js';
import { validKey, type TextParser } from './text-parser.js';

/** memcached's MFLAG_MAX_OPT_LENGTH: words of a meta command, the terminal token included. */
const META_TOKENS_MAX = 20;

interface MetaFlags {
  /** Flag characters in the order sent, with their tokens (the rest of each word). */
  readonly order: Array<readonly [string, string]>;
  readonly has: Set<string>;
  key: string;
  readonly base64: boolean;
  exptime: number | null; // T
  vivify: number | null; // N
  recache: number | null; // R
  cas: bigint; // C
  clientFlags: number; // F
  mode: string; // M
  delta: bigint; // D
  initial: bigint; // J
}

interface PendingMetaStore {
  readonly f: MetaFlags;
  readonly mode: StoreMode;
  readonly noreply: boolean;
}

export class MetaCommands {
  private pending: PendingMetaStore | null = null;

  constructor(
    private readonly backend: MemcachedBackend,
    private readonly parser: TextParser,
    private readonly out: (text: string) => void,
  ) {}

  takePending(): PendingMetaStore | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }

  /** Runs a two-letter command starting with 'm'; false when it is not a meta command. */
  command(name: string, t: string[]): boolean {
    switch (name) {
      case 'mn':
        this.count();
        this.out('MN\r\n');
        return true;
      case 'mg':
      case 'ms':
      case 'md':
      case 'ma':
      case 'me':
        break;
      default:
        return false;
    }
    if (t.length < 2) return this.line(E.unknownCommand), true;
    this.count();
    if (t[1]!.length > memcachedLimits.keyBytesMax) return this.line(E.badFormat), true;
    if (name === 'me') return this.debug(t), true;
    if (name === 'ms') return this.set(t), true;
    if (t.length + 1 > META_TOKENS_MAX) return this.line(E.flagsTooLong), true;
    const f = parseMetaFlags(t, 2);
    if (typeof f === 'string') return this.line(name === 'ma' && f !== E.keyDecoding ? E.maFlags : f), true;
    if (name === 'mg') this.get(f);
    else if (name === 'md') this.delete(f);
    else this.arithmetic(f);
    return true;
  }

  /** cmd_meta (memcached 1.6.18 reports it but only counts through its proxy; Cairn counts meta commands). */
  private count(): void {
    this.backend.run('read', null, (mc) => void mc.stats.cmdMeta++);
  }

  private line(text: string): void {
    this.out(text + '\r\n');
  }

  private get(f: MetaFlags): void {
    const key = f.key;
    const kind = f.vivify !== null ? 'store' : f.exptime !== null ? 'update' : 'read';
    let now = 0;
    const item = this.backend.run(kind, key, (mc) => {
      now = mc.ks.now;
      return mc.fetch(key, {
        bump: !f.has.has('u'), wantCas: f.has.has('c'), touch: f.exptime, vivify: f.vivify, recache: f.recache, meta: true,
        touchBeforeRecache: flagBefore(f, 'T', 'R'), vivifyAfterTouch: flagBefore(f, 'T', 'N'),
      });
    });
    if (isRefusal(item)) return this.line(refusalText(item));
    if (item === undefined) {
      if (!f.has.has('q')) this.line('EN' + echoed(f));
      return;
    }
    let head = f.has.has('v') ? `VA ${item.value.length}` : 'HD';
    // memcached applies T and N where they stand among the flags: `t` shows the TTL as of its place.
    let ttl = item.expiresAtBefore;
    for (const [c, token] of f.order) {
      switch (c) {
        case 'T': ttl = deadlineAsExpiry(f.exptime!, now); break;
        case 'N': if (item.created) ttl = deadlineAsExpiry(f.vivify!, now); break;
        case 's': head += ` s${item.value.length}`; break;
        case 't': head += ` t${secondsLeft(ttl, now)}`; break;
        case 'c': head += ` c${item.cas}`; break;
        case 'f': head += ` f${item.flags}`; break;
        case 'l': head += ` l${Math.max(0, Math.floor((now - item.accessedAtBefore) / 1000))}`; break;
        case 'h': head += ` h${item.fetchedBefore ? 1 : 0}`; break;
        case 'O': head += ` O${token}`; break;
        case 'k': head += keyToken(f); break;
      }
    }
    if (item.winSentBefore) head += ' Z';
    if (item.stale) head += ' X';
    if (item.won) head += ' W';
    this.out(head + '\r\n' + (f.has.has('v') ? item.value + '\r\n' : ''));
  }

  private set(t: string[]): void {
    if (t.length < 3) return this.line(E.badFormat);
    if (t.length + 1 > META_TOKENS_MAX) return this.line(E.flagsTooLong);
    const length = parseI32(t[2]!);
    if (length === null || length < 0) return this.line(E.badFormat);
    const refuse = (text: string): void => {
      this.parser.swallow(length);
      this.line(text);
    };
    const f = parseMetaFlags(t, 3);
    if (typeof f === 'string') return refuse(f);
    let mode: StoreMode;
    switch (f.mode) {
      case '': case 'S': case 's': mode = 'set'; break;
      case 'E': case 'e': mode = 'add'; break;
      case 'A': case 'a': mode = 'append'; break;
      case 'P': case 'p': mode = 'prepend'; break;
      case 'R': case 'r': mode = 'replace'; break;
      default: return refuse(E.msMode);
    }
    // A CAS turns set and replace into a compare-and-swap (memcached's process_mset_command).
    if (f.cas !== 0n && (mode === 'set' || mode === 'replace')) mode = 'cas';
    const key = f.key;
    const tooLarge = this.backend.run('read', null, (mc) => mc.tooLarge(key.length, length, f.clientFlags));
    if (tooLarge === true) {
      this.backend.run('update', key, (mc) => mc.rejectTooLarge('set', key));
      return refuse(E.tooLarge);
    }
    this.pending = { f, mode, noreply: f.has.has('q') };
    this.parser.readData(length);
  }

  /** The data block of an ms. */
  complete(p: PendingMetaStore, frame: { data: string; ok: boolean }): void {
    if (!frame.ok) return this.line(E.badDataChunk);
    const f = p.f;
    const r = this.backend.run('store', f.key, (mc) =>
      mc.store({ mode: p.mode, key: f.key, flags: f.clientFlags, exptime: f.exptime ?? 0, value: frame.data, cas: f.cas, invalidate: f.has.has('I') }),
    );
    if (isRefusal(r)) return this.line(refusalText(r));
    const code = r.status === 'STORED' ? 'HD' : r.status === 'NOT_STORED' ? 'NS' : r.status === 'EXISTS' ? 'EX' : 'NF';
    if (code === 'HD' && p.noreply) return;
    let head = code;
    for (const [c, token] of f.order) {
      if (c === 'O') head += ` O${token}`;
      else if (c === 'k') head += keyToken(f);
      else if (c === 'c') head += ` c${r.cas}`;
    }
    this.line(head);
  }

  private delete(f: MetaFlags): void {
    const key = f.key;
    const r = this.backend.run('update', key, (mc) => mc.delete(key, { cas: f.cas, invalidate: f.has.has('I'), touch: f.has.has('I') ? f.exptime : null }));
    if (isRefusal(r)) return this.line(refusalText(r));
    if (r === 'DELETED' && f.has.has('q')) return;
    this.line((r === 'DELETED' ? 'HD' : r === 'EXISTS' ? 'EX' : 'NF') + echoed(f));
  }

  private arithmetic(f: MetaFlags): void {
    let incr: boolean;
    switch (f.mode) {
      case '': case 'I': case 'i': case '+': incr = true; break;
      case 'D': case 'd': case '-': incr = false; break;
      default: return this.line(E.maMode);
    }
    const key = f.key;
    const kind = f.vivify !== null ? 'store' : 'update';
    let now = 0;
    const r = this.backend.run(kind, key, (mc) => {
      now = mc.ks.now;
      return mc.delta({ key, incr, delta: f.delta, cas: f.cas, vivify: f.vivify, initial: f.initial, touch: f.exptime });
    });
    if (isRefusal(r)) return this.line(refusalText(r));
    if (r.status === 'NON_NUMERIC') return this.line(E.nonNumeric);
    if (r.status === 'NOT_FOUND') return this.line('NF' + echoed(f));
    if (r.status === 'EXISTS') return this.line('EX' + echoed(f));
    if (f.has.has('q') && r.created !== true) return; // memcached answers a created item even with q
    const value = r.value.toString();
    let head = f.has.has('v') ? `VA ${value.length}` : 'HD';
    for (const [c, token] of f.order) {
      if (c === 'c') head += ` c${r.cas}`;
      else if (c === 't') head += ` t${secondsLeft(r.expiresAt, now)}`;
      else if (c === 'O') head += ` O${token}`;
      else if (c === 'k') head += keyToken(f);
    }
    this.out(head + '\r\n' + (f.has.has('v') ? value + '\r\n' : ''));
  }

  private debug(t: string[]): void {
    const base64 = t.length > 2 && t[2] === 'b';
    const key = base64 ? decodeKey(t[1]!) : t[1]!;
    if (key === null) return this.line(E.keyDecoding);
    if (!base64 && !validKey(key)) return this.line(E.badFormat);
    const d = this.backend.run('read', key, (mc) => mc.debug(key));
    if (isRefusal(d)) return this.line(refusalText(d));
    if (d === undefined) return this.line('EN');
    this.line(`ME ${t[1]} exp=${d.expiresInSeconds} la=${d.idleSeconds} cas=${d.cas} fetch=${d.fetched ? 'yes' : 'no'} cls=1 size=${d.size}`);
  }
}

/** An exptime as an expiry time in ms (0: none); an expired one reads as 0 seconds left. */
function deadlineAsExpiry(exptime: number, now: number): number {
  const d = deadlineOf(exptime, now);
  return d === EXPIRED ? now : d;
}

/** Both flags were sent, `first` before `second`. */
function flagBefore(f: MetaFlags, first: string, second: string): boolean {
  const a = f.order.findIndex(([c]) => c === first);
  const b = f.order.findIndex(([c]) => c === second);
  return a >= 0 && b >= 0 && a < b;
}

/** The flags every meta reply echoes, miss or not: opaque and key. */
function echoed(f: MetaFlags): string {
  let s = '';
  for (const [c, token] of f.order) {
    if (c === 'O') s += ` O${token}`;
    else if (c === 'k') s += keyToken(f);
  }
  return s;
}

/** ` k<key>`, and for a base64 key its base64 form followed by ` b`, as memcached returns it. */
function keyToken(f: MetaFlags): string {
  return f.base64 ? ` k${Buffer.from(f.key, 'latin1').toString('base64')} b` : ` k${f.key}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeKey(text: string): string | null {
  if (!BASE64.test(text)) return null;
  const key = Buffer.from(text, 'base64').toString('latin1');
  return key.length === 0 || key.length > memcachedLimits.keyBytesMax ? null : key;
}

/** memcached's _meta_flag_preparse over t[start..]; an error line on failure. */
function parseMetaFlags(t: string[], start: number): MetaFlags | string {
  const f: MetaFlags = {
    order: [], has: new Set(), key: t[1]!, base64: t.slice(start).some((w) => w[0] === 'b'),
    exptime: null, vivify: null, recache: null, cas: 0n, clientFlags: 0, mode: '', delta: 1n, initial: 0n,
  };
  let error: string | null = null;
  const num = (token: string): number | null => {
    const n = parseI32(token);
    if (n === null) error ??= E.badToken;
    return n;
  };
  for (let i = start; i < t.length; i++) {
    const word = t[i]!;
    const c = word[0]!;
    const token = word.slice(1);
    if (c.charCodeAt(0) >= 127 || f.has.has(c)) return E.duplicateFlag;
    f.has.add(c);
    f.order.push([c, token]);
    switch (c) {
      case 'b': break;
      case 'N': f.vivify = num(token); break;
      case 'T': f.exptime = num(token); break;
      case 'R': f.recache = num(token); break;
      case 'l': case 'O': case 'P': case 'L': case 'k': case 's': case 't': case 'c': case 'f':
      case 'v': case 'h': case 'u': case 'q': case 'I':
        break;
      case 'F': {
        const flags = parseFlags(token);
        if (flags === null) error ??= E.badFormat;
        else f.clientFlags = flags;
        break;
      }
      case 'C': {
        const cas = parseU64(token);
        if (cas === null) error ??= E.badToken;
        else f.cas = cas;
        break;
      }
      case 'M':
        if (word.length !== 2) error ??= E.mTokenLength;
        else f.mode = token;
        break;
      case 'J': {
        const v = parseU64(token);
        if (v === null) error ??= E.initialValue;
        else f.initial = v;
        break;
      }
      case 'D': {
        const v = parseU64(token);
        if (v === null) error ??= E.deltaValue;
        else f.delta = v;
        break;
      }
      default:
        return E.invalidFlag;
    }
    if (c === 'O' && token.length > memcachedLimits.opaqueBytesMax) error ??= E.opaqueTooLong;
  }
  if (error !== null) return error;
  if (f.base64) {
    const key = decodeKey(f.key);
    if (key === null) return E.keyDecoding;
    f.key = key;
  } else if (!validKey(f.key)) return E.badFormat;
  return f;
}
