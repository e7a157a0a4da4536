// memcached's binary protocol (deprecated upstream, but memjs and other clients speak only it):
// 24-byte headers, big-endian fields, quiet variants that answer only on failure. Framing and
// the commands on one connection. Status codes and error bodies are memcached 1.6's.
import { memcachedErrors as E } from '../../core/errors.js';
import type { StoreMode } from '../../core/memcached/executor.js';
import { memcachedLimits } from '../../core/limits.js';
import { MEMCACHED_COMPAT_VERSION } from '../../version.js';
import { isRefusal, refusalText, type MemcachedBackend, type Refusal } from './backend.js';

export const REQUEST_MAGIC = 0x80;
const RESPONSE_MAGIC = 0x81;
const HEADER_BYTES = 24;

export const Op = {
  GET: 0x00, SET: 0x01, ADD: 0x02, REPLACE: 0x03, DELETE: 0x04, INCREMENT: 0x05, DECREMENT: 0x06,
  QUIT: 0x07, FLUSH: 0x08, GETQ: 0x09, NOOP: 0x0a, VERSION: 0x0b, GETK: 0x0c, GETKQ: 0x0d,
  APPEND: 0x0e, PREPEND: 0x0f, STAT: 0x10, SETQ: 0x11, ADDQ: 0x12, REPLACEQ: 0x13, DELETEQ: 0x14,
  INCREMENTQ: 0x15, DECREMENTQ: 0x16, QUITQ: 0x17, FLUSHQ: 0x18, APPENDQ: 0x19, PREPENDQ: 0x1a,
  TOUCH: 0x1c, GAT: 0x1d, GATQ: 0x1e, GATK: 0x23, GATKQ: 0x24,
} as const;

export const Status = {
  OK: 0x00, KEY_ENOENT: 0x01, KEY_EEXISTS: 0x02, E2BIG: 0x03, EINVAL: 0x04, NOT_STORED: 0x05,
  DELTA_BADVAL: 0x06, UNKNOWN_COMMAND: 0x81, ENOMEM: 0x82, TMPFAIL: 0x86,
} as const;

export interface BinaryRequest {
  readonly opcode: number;
  readonly opaque: number;
  readonly cas: bigint;
  readonly extras: Buffer;
  readonly key: string;
  readonly value: string;
}

export type BinaryFrame = BinaryRequest | { readonly close: string };

/** Splits the input into requests; a bad magic byte or an absurd body closes the connection. */
export class BinaryParser {
  private buf: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private queued = 0;

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  bufferedBytes(): number {
    return this.buf.length + this.queued;
  }

  next(): BinaryFrame | null {
    if (this.buf.length < HEADER_BYTES && this.queued > 0) this.gather();
    if (this.buf.length < HEADER_BYTES) return null;
    const b = this.buf;
    if (b[0] !== REQUEST_MAGIC) return { close: `bad magic 0x${b[0]!.toString(16)}` };
    const keyLength = b.readUInt16BE(2);
    const extrasLength = b[4]!;
    const bodyLength = b.readUInt32BE(8);
    if (bodyLength > memcachedLimits.binaryBodyBytesMax || keyLength + extrasLength > bodyLength) return { close: 'bad body length' };
    const total = HEADER_BYTES + bodyLength;
    if (b.length < total) {
      if (b.length + this.queued < total) return null;
      this.gather();
    }
    const c = this.buf;
    const keyStart = HEADER_BYTES + extrasLength;
    const request: BinaryRequest = {
      opcode: c[1]!,
      opaque: c.readUInt32BE(12),
      cas: c.readBigUInt64BE(16),
      extras: Buffer.from(c.subarray(HEADER_BYTES, keyStart)),
      key: c.toString('latin1', keyStart, keyStart + keyLength),
      value: c.toString('latin1', keyStart + keyLength, total),
    };
    this.buf = c.subarray(total);
    return request;
  }

  private gather(): void {
    this.buf = Buffer.concat([this.buf, ...this.chunks]);
    this.chunks = [];
    this.queued = 0;
  }
}

function response(opcode: number, opaque: number, status: number, cas: bigint | number, extras: Buffer | null, key: string, value: string): Buffer {
  const extrasLength = extras?.length ?? 0;
  const body = extrasLength + key.length + value.length;
  const out = Buffer.allocUnsafe(HEADER_BYTES + body);
  out[0] = RESPONSE_MAGIC;
  out[1] = opcode;
  out.writeUInt16BE(key.length, 2);
  out[4] = extrasLength;
  out[5] = 0;
  out.writeUInt16BE(status, 6);
  out.writeUInt32BE(body, 8);
  out.writeUInt32BE(opaque, 12);
  out.writeBigUInt64BE(BigInt(cas), 16);
  if (extras !== null) extras.copy(out, HEADER_BYTES);
  out.write(key, HEADER_BYTES + extrasLength, 'latin1');
  out.write(value, HEADER_BYTES + extrasLength + key.length, 'latin1');
  return out;
}

const QUIET: ReadonlyMap<number, number> = new Map([
  [Op.GETQ, Op.GET], [Op.GETKQ, Op.GETK], [Op.SETQ, Op.SET], [Op.ADDQ, Op.ADD], [Op.REPLACEQ, Op.REPLACE],
  [Op.DELETEQ, Op.DELETE], [Op.INCREMENTQ, Op.INCREMENT], [Op.DECREMENTQ, Op.DECREMENT], [Op.QUITQ, Op.QUIT],
  [Op.FLUSHQ, Op.FLUSH], [Op.APPENDQ, Op.APPEND], [Op.PREPENDQ, Op.PREPEND], [Op.GATQ, Op.GAT], [Op.GATKQ, Op.GATK],
]);

const STORE_MODES: ReadonlyMap<number, StoreMode> = new Map([
  [Op.SET, 'set'], [Op.ADD, 'add'], [Op.REPLACE, 'replace'], [Op.APPEND, 'append'], [Op.PREPEND, 'prepend'],
]);

function flagsExtras(flags: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(flags >>> 0, 0);
  return b;
}

/** Expiration fields are 32-bit; memcached reads them as a signed exptime. */
function exptimeAt(extras: Buffer, offset: number): number {
  return extras.readInt32BE(offset);
}

export class BinarySession {
  constructor(
    private readonly backend: MemcachedBackend,
    private readonly out: (bytes: Buffer) => void,
  ) {}

  /** Handles one request; 'close' when the connection must end (quit, bad framing). */
  handle(frame: BinaryFrame): 'continue' | 'close' {
    if ('close' in frame) return 'close';
    const quietOf = QUIET.get(frame.opcode);
    const quiet = quietOf !== undefined;
    const opcode = quietOf ?? frame.opcode;
    const r = frame;
    const fail = (status: number, text: string): void => this.out(response(r.opcode, r.opaque, status, 0, null, '', text));
    const refused = (why: Refusal): void => fail(why === 'out-of-memory' ? Status.ENOMEM : Status.TMPFAIL, why === 'out-of-memory' ? E.binaryOutOfMemory : refusalText(why));
    if (r.key.length > memcachedLimits.keyBytesMax) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
    switch (opcode) {
      case Op.GET:
      case Op.GETK:
      case Op.GAT:
      case Op.GATK: {
        const touching = opcode === Op.GAT || opcode === Op.GATK;
        if (r.extras.length !== (touching ? 4 : 0) || r.key.length === 0 || r.value.length !== 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const touch = touching ? exptimeAt(r.extras, 0) : null;
        const item = this.backend.run(touching ? 'update' : 'read', r.key, (mc) => {
          const found = mc.fetch(r.key, { wantCas: true, touch });
          mc.prefixStats.recordGet(r.key, found !== undefined);
          return found;
        });
        if (isRefusal(item)) return refused(item), 'continue';
        const withKey = opcode === Op.GETK || opcode === Op.GATK;
        if (item === undefined) {
          if (!quiet) this.out(response(r.opcode, r.opaque, Status.KEY_ENOENT, 0, null, withKey ? r.key : '', E.binaryNotFound));
          return 'continue';
        }
        this.out(response(r.opcode, r.opaque, Status.OK, item.cas, flagsExtras(item.flags), withKey ? r.key : '', item.value));
        return 'continue';
      }
      case Op.SET:
      case Op.ADD:
      case Op.REPLACE:
      case Op.APPEND:
      case Op.PREPEND: {
        let mode = STORE_MODES.get(opcode)!;
        const concat = mode === 'append' || mode === 'prepend';
        if (r.extras.length !== (concat ? 0 : 8) || r.key.length === 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const flags = concat ? 0 : r.extras.readUInt32BE(0);
        const exptime = concat ? 0 : exptimeAt(r.extras, 4);
        if (r.cas !== 0n && (mode === 'set' || mode === 'replace')) mode = 'cas';
        const tooLarge = this.backend.run('read', null, (mc) => {
          const refused = mc.tooLarge(r.key.length, r.value.length, flags);
          if (!refused) mc.prefixStats.recordSet(r.key);
          return refused;
        });
        if (tooLarge === true) {
          this.backend.run('update', r.key, (mc) => mc.rejectTooLarge(mode, r.key));
          return fail(Status.E2BIG, E.binaryTooLarge), 'continue';
        }
        const res = this.backend.run('store', r.key, (mc) => mc.store({ mode, key: r.key, flags, exptime, value: r.value, cas: r.cas }));
        if (isRefusal(res)) return refused(res), 'continue';
        switch (res.status) {
          case 'STORED':
            if (!quiet) this.out(response(r.opcode, r.opaque, Status.OK, res.cas, null, '', ''));
            break;
          case 'EXISTS':
            fail(Status.KEY_EEXISTS, E.binaryExists);
            break;
          case 'NOT_FOUND':
            fail(Status.KEY_ENOENT, E.binaryNotFound);
            break;
          case 'NOT_STORED':
            if (mode === 'add') fail(Status.KEY_EEXISTS, E.binaryExists);
            else if (mode === 'replace') fail(Status.KEY_ENOENT, E.binaryNotFound);
            else fail(Status.NOT_STORED, E.binaryNotStored);
            break;
        }
        return 'continue';
      }
      case Op.DELETE: {
        if (r.extras.length !== 0 || r.key.length === 0 || r.value.length !== 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const res = this.backend.run('update', r.key, (mc) => (mc.prefixStats.recordDelete(r.key), mc.delete(r.key, { cas: r.cas })));
        if (isRefusal(res)) return refused(res), 'continue';
        if (res === 'DELETED') {
          if (!quiet) this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', ''));
        } else if (res === 'EXISTS') fail(Status.KEY_EEXISTS, E.binaryExists);
        else fail(Status.KEY_ENOENT, E.binaryNotFound);
        return 'continue';
      }
      case Op.INCREMENT:
      case Op.DECREMENT: {
        if (r.extras.length !== 20 || r.key.length === 0 || r.value.length !== 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const delta = r.extras.readBigUInt64BE(0);
        const initial = r.extras.readBigUInt64BE(8);
        const expiration = r.extras.readUInt32BE(16);
        // An expiration of 0xffffffff means "do not create on a miss".
        const vivify = expiration === 0xffffffff ? null : expiration | 0;
        const res = this.backend.run(vivify === null ? 'update' : 'store', r.key, (mc) =>
          mc.delta({ key: r.key, incr: opcode === Op.INCREMENT, delta, cas: r.cas, vivify, initial }),
        );
        if (isRefusal(res)) return refused(res), 'continue';
        if (res.status === 'OK') {
          if (!quiet) {
            const body = Buffer.allocUnsafe(8);
            body.writeBigUInt64BE(res.value, 0);
            this.out(response(r.opcode, r.opaque, Status.OK, res.cas, null, '', body.toString('latin1')));
          }
        } else if (res.status === 'NON_NUMERIC') fail(Status.DELTA_BADVAL, E.binaryNonNumeric);
        else if (res.status === 'EXISTS') fail(Status.KEY_EEXISTS, E.binaryExists);
        else fail(Status.KEY_ENOENT, E.binaryNotFound);
        return 'continue';
      }
      case Op.TOUCH: {
        if (r.extras.length !== 4 || r.key.length === 0 || r.value.length !== 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const exptime = exptimeAt(r.extras, 0);
        const item = this.backend.run('update', r.key, (mc) => (mc.touch(r.key, exptime) ? mc.fetch(r.key, { bump: false }) ?? null : undefined));
        if (isRefusal(item)) return refused(item), 'continue';
        if (item === undefined) fail(Status.KEY_ENOENT, E.binaryNotFound);
        else this.out(response(r.opcode, r.opaque, Status.OK, item?.cas ?? 0, flagsExtras(item?.flags ?? 0), '', ''));
        return 'continue';
      }
      case Op.FLUSH: {
        if ((r.extras.length !== 0 && r.extras.length !== 4) || r.key.length !== 0 || r.value.length !== 0) return fail(Status.EINVAL, E.binaryInvalid), 'continue';
        const delay = r.extras.length === 4 ? exptimeAt(r.extras, 0) : 0;
        const res = this.backend.run('flush', null, (mc) => mc.flushAll(delay));
        if (isRefusal(res)) return refused(res), 'continue';
        if (!quiet) this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', ''));
        return 'continue';
      }
      case Op.NOOP:
        this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', ''));
        return 'continue';
      case Op.VERSION:
        this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', MEMCACHED_COMPAT_VERSION));
        return 'continue';
      case Op.QUIT:
        if (!quiet) this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', ''));
        return 'close';
      case Op.STAT: {
        if (r.key === 'reset') {
          this.backend.statsReset();
        } else {
          const lines = this.backend.stats(r.key);
          if (lines === null) return fail(Status.KEY_ENOENT, E.binaryNotFound), 'continue';
          for (const [name, value] of lines) this.out(response(r.opcode, r.opaque, Status.OK, 0, null, name, value));
        }
        this.out(response(r.opcode, r.opaque, Status.OK, 0, null, '', ''));
        return 'continue';
      }
      default:
        fail(Status.UNKNOWN_COMMAND, E.binaryUnknown);
        return 'continue';
    }
  }
}
