// memcached's classic text commands on one connection: storage (set add replace append prepend
// cas), retrieval (get gets gat gats), touch, incr/decr, delete, flush_all, stats, version,
// verbosity, quit, with noreply; meta commands go to meta.ts. Replies and error lines are
// memcached 1.6.18's, byte for byte, including its tokenizer's quirks (checked by the
// differential tests against a real memcached).
import { memcachedErrors as E } from '../../core/errors.js';
import type { StoreMode } from '../../core/memcached/executor.js';
import { parseFlags, parseI32, parseU64 } from '../../core/memcached/numbers.js';
import { MEMCACHED_COMPAT_VERSION } from '../../version.js';
import { isRefusal, refusalText, type MemcachedBackend } from './backend.js';
import { MetaCommands } from './meta.js';
import { tokenize, validKey, type TextFrame, type TextParser } from './text-parser.js';

interface PendingStore {
  readonly mode: StoreMode;
  readonly key: string;
  readonly flags: number;
  readonly exptime: number;
  readonly cas: bigint;
  readonly noreply: boolean;
}

export type FrameOutcome = 'continue' | 'close';

const STORAGE: ReadonlyMap<string, StoreMode> = new Map([
  ['set', 'set'], ['add', 'add'], ['replace', 'replace'], ['append', 'append'], ['prepend', 'prepend'], ['cas', 'cas'],
]);

export class TextSession {
  private pending: PendingStore | null = null;
  private readonly meta: MetaCommands;

  constructor(
    private readonly backend: MemcachedBackend,
    private readonly parser: TextParser,
    /** Appends reply bytes (latin1 text) to the connection's output. */
    private readonly out: (text: string) => void,
  ) {
    this.meta = new MetaCommands(backend, parser, out);
  }

  handle(frame: TextFrame): FrameOutcome {
    if (frame.kind === 'close') return 'close';
    if (frame.kind === 'data') {
      const meta = this.meta.takePending();
      if (meta !== null) return this.meta.complete(meta, frame), 'continue';
      this.completeStore(frame.data, frame.ok);
      return 'continue';
    }
    return this.command(frame.line);
  }

  private reply(text: string, noreply: boolean): void {
    if (!noreply) this.out(text + '\r\n');
  }

  private command(line: string): FrameOutcome {
    const t = tokenize(line);
    if (t.length === 0) return this.reply(E.unknownCommand, false), 'continue';
    const name = t[0]!;
    const mode = STORAGE.get(name);
    if (mode !== undefined) return this.storage(mode, t), 'continue';
    if (name.length === 2 && name[0] === 'm') return this.meta.command(name, t) ? 'continue' : (this.reply(E.unknownCommand, false), 'continue');
    switch (name) {
      case 'get':
      case 'gets':
        if (t.length < 2) return this.reply(E.unknownCommand, false), 'continue';
        this.retrieve(t, 1, name === 'gets', null);
        return 'continue';
      case 'gat':
      case 'gats': {
        if (t.length < 2) return this.reply(E.unknownCommand, false), 'continue';
        const exptime = parseI32(t[1]!);
        if (exptime === null) return this.reply(E.invalidExptime, false), 'continue';
        this.retrieve(t, 2, name === 'gats', exptime);
        return 'continue';
      }
      case 'incr':
      case 'decr':
        this.arithmetic(t, name === 'incr');
        return 'continue';
      case 'delete':
        this.delete(t);
        return 'continue';
      case 'touch':
        this.touch(t);
        return 'continue';
      case 'flush_all':
        this.flushAll(t);
        return 'continue';
      case 'stats':
        this.stats(t);
        return 'continue';
      case 'version':
        this.reply(`VERSION ${MEMCACHED_COMPAT_VERSION}`, false);
        return 'continue';
      case 'verbosity':
        this.verbosity(t);
        return 'continue';
      case 'quit':
        return 'close';
    }
    // An HTTP request sent to the memcached port: memcached hangs up on it.
    if (t[t.length - 1]!.startsWith('HTTP/')) return 'close';
    this.reply(E.unknownCommand, false);
    return 'continue';
  }

  private storage(mode: StoreMode, t: string[]): void {
    const words = mode === 'cas' ? [6, 7] : [5, 6];
    if (t.length !== words[0] && t.length !== words[1]) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    const key = t[1]!;
    const flags = parseFlags(t[2]!);
    const exptime = parseI32(t[3]!);
    const length = parseI32(t[4]!);
    const cas = mode === 'cas' ? parseU64(t[5]!) : 0n;
    if (!validKey(key) || flags === null || exptime === null || length === null || length < 0 || cas === null) {
      return this.reply(E.badFormat, noreply);
    }
    // memcached counts a set for `stats detail` once the item is allocated, whatever follows.
    const result = this.backend.run('read', null, (mc) => {
      const refused = mc.tooLarge(key.length, length, flags);
      if (!refused) mc.prefixStats.recordSet(key);
      return refused;
    });
    if (result === true) {
      this.parser.swallow(length);
      this.backend.run('update', key, (mc) => mc.rejectTooLarge(mode, key));
      return this.reply(E.tooLarge, noreply);
    }
    this.pending = { mode, key, flags, exptime, cas, noreply };
    this.parser.readData(length);
  }

  private completeStore(data: string, ok: boolean): void {
    const p = this.pending!;
    this.pending = null;
    if (!ok) {
      this.backend.run('read', null, (mc) => mc.countBadDataChunk());
      return this.reply(E.badDataChunk, p.noreply);
    }
    const r = this.backend.run('store', p.key, (mc) => mc.store({ mode: p.mode, key: p.key, flags: p.flags, exptime: p.exptime, value: data, cas: p.cas }));
    this.reply(isRefusal(r) ? refusalText(r) : r.status, p.noreply);
  }

  private retrieve(t: string[], first: number, withCas: boolean, touch: number | null): void {
    let out = '';
    for (let i = first; i < t.length; i++) {
      const key = t[i]!;
      if (!validKey(key)) {
        this.out(out);
        return this.reply(E.badFormat, false);
      }
      const item = this.backend.run(touch === null ? 'read' : 'update', key, (mc) => {
        const found = mc.fetch(key, { wantCas: withCas, touch });
        mc.prefixStats.recordGet(key, found !== undefined);
        return found;
      });
      if (isRefusal(item)) {
        this.out(out);
        return this.reply(refusalText(item), false);
      }
      if (item === undefined) continue;
      out += `VALUE ${key} ${item.flags} ${item.value.length}${withCas ? ` ${item.cas}` : ''}\r\n${item.value}\r\n`;
    }
    this.out(out + 'END\r\n');
  }

  private arithmetic(t: string[], incr: boolean): void {
    if (t.length !== 3 && t.length !== 4) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    const key = t[1]!;
    if (!validKey(key)) return this.reply(E.badFormat, noreply);
    const delta = parseU64(t[2]!);
    if (delta === null) return this.reply(E.invalidDelta, noreply);
    const r = this.backend.run('update', key, (mc) => mc.delta({ key, incr, delta }));
    if (isRefusal(r)) return this.reply(refusalText(r), noreply);
    switch (r.status) {
      case 'OK':
        return this.reply(r.value.toString(), noreply);
      case 'NOT_FOUND':
        return this.reply('NOT_FOUND', noreply);
      case 'NON_NUMERIC':
        return this.reply(E.nonNumeric, noreply);
      case 'EXISTS':
        return this.reply('EXISTS', noreply);
    }
  }

  private delete(t: string[]): void {
    if (t.length < 2 || t.length > 4) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    if (t.length > 2) {
      // memcached still accepts the old "delete <key> 0" form.
      const holdIsZero = t[2] === '0';
      const valid = (t.length === 3 && (holdIsZero || noreply)) || (t.length === 4 && holdIsZero && noreply);
      if (!valid) return this.reply(E.deleteUsage, noreply);
    }
    const key = t[1]!;
    if (!validKey(key)) return this.reply(E.badFormat, noreply);
    const r = this.backend.run('update', key, (mc) => (mc.prefixStats.recordDelete(key), mc.delete(key)));
    this.reply(isRefusal(r) ? refusalText(r) : r, noreply);
  }

  private touch(t: string[]): void {
    if (t.length !== 3 && t.length !== 4) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    const key = t[1]!;
    if (!validKey(key)) return this.reply(E.badFormat, noreply);
    const exptime = parseI32(t[2]!);
    if (exptime === null) return this.reply(E.invalidExptime, noreply);
    const r = this.backend.run('update', key, (mc) => mc.touch(key, exptime));
    this.reply(isRefusal(r) ? refusalText(r) : r ? 'TOUCHED' : 'NOT_FOUND', noreply);
  }

  private flushAll(t: string[]): void {
    if (t.length > 3) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    let delay = 0;
    if (t.length !== (noreply ? 2 : 1)) {
      const parsed = parseI32(t[1]!);
      if (parsed === null) return this.reply(E.invalidExptime, noreply);
      delay = parsed;
    }
    const r = this.backend.run('flush', null, (mc) => mc.flushAll(delay));
    this.reply(isRefusal(r) ? refusalText(r) : 'OK', noreply);
  }

  private verbosity(t: string[]): void {
    if (t.length !== 2 && t.length !== 3) return this.reply(E.unknownCommand, false);
    const noreply = t[t.length - 1] === 'noreply';
    const level = parseFlags(t[1]!);
    if (level === null) return this.reply(E.badFormat, noreply);
    this.backend.verbosity = Math.min(level, 2);
    this.reply('OK', noreply);
  }

  /** `stats detail on|off|dump`: per-prefix counters (src/core/memcached/prefix-stats.ts). */
  private statsDetail(t: string[]): void {
    const what = t[2];
    if (what === 'on' || what === 'off') {
      this.backend.run('read', null, (mc) => void (mc.prefixStats.enabled = what === 'on'));
      return this.reply('OK', false);
    }
    if (what !== 'dump') return this.reply(E.statsDetailUsage, false);
    const lines = this.backend.run('read', null, (mc) => mc.prefixStats.dump());
    if (isRefusal(lines)) return this.reply(refusalText(lines), false);
    this.out(lines.map((l) => l + '\r\n').join('') + 'END\r\n');
  }

  private stats(t: string[]): void {
    const section = t.length > 1 ? t[1]! : '';
    if (section === 'detail') return this.statsDetail(t);
    if (section === 'reset') {
      this.backend.statsReset();
      return this.reply('RESET', false);
    }
    const lines = this.backend.stats(section);
    if (lines === null) return this.reply(E.unknownCommand, false);
    let out = '';
    for (const [name, value] of lines) out += `STAT ${name} ${value}\r\n`;
    this.out(out + 'END\r\n');
  }
}
