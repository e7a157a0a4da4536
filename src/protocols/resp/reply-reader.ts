// Reads RESP2/RESP3 replies back into Reply values: a follower of a replica group hands a
// client's command to the leader over an ordinary RESP connection and relays the answer as if
// it were its own. Bytes are latin1 (one char per byte), as everywhere in Cairn.
import { relayedFromLeader } from '../../core/errors.js';
import { array, bignum, bool, bulk, doubleText, int, map, NIL, NIL_ARRAY, push, set, simple, verbatim, type Reply } from '../../core/reply.js';

/** Nesting deeper than this is refused (a leader never sends it; a bad peer must not blow the stack). */
const MAX_DEPTH = 64;

export class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;

  feed(chunk: Buffer): void {
    this.buf = this.at >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.at), chunk]);
    this.at = 0;
  }

  /** The next whole reply, null when more bytes are needed; throws on bytes that are not RESP. */
  next(): Reply | null {
    const start = this.at;
    const r = this.read(0);
    if (r === undefined) {
      this.at = start;
      return null;
    }
    return r;
  }

  private line(): string | undefined {
    const nl = this.buf.indexOf('\r\n', this.at, 'latin1');
    if (nl < 0) return undefined;
    const text = this.buf.toString('latin1', this.at, nl);
    this.at = nl + 2;
    return text;
  }

  private read(depth: number): Reply | undefined {
    if (depth > MAX_DEPTH) throw new Error('reply nested too deep');
    if (this.at >= this.buf.length) return undefined;
    const type = String.fromCharCode(this.buf[this.at]!);
    this.at++;
    const text = this.line();
    if (text === undefined) return undefined;
    switch (type) {
      case '+': return simple(text);
      case '-': return relayedFromLeader(text);
      case ':': {
        const n = BigInt(text);
        return int(n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);
      }
      case '_': return NIL;
      case ',': return doubleText(text);
      case '#': return bool(text === 't');
      case '(': return bignum(text);
      case '$':
      case '=':
      case '!': {
        const length = Number(text);
        if (length < 0) return NIL;
        if (this.buf.length - this.at < length + 2) return undefined;
        const body = this.buf.toString('latin1', this.at, this.at + length);
        this.at += length + 2;
        if (type === '!') return relayedFromLeader(body);
        return type === '=' ? verbatim(body.slice(4)) : bulk(body);
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const count = Number(text);
        if (count < 0) return NIL_ARRAY;
        const n = type === '%' || type === '|' ? count * 2 : count;
        const items: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const item = this.read(depth + 1);
          if (item === undefined) return undefined;
          items.push(item);
        }
        if (type === '|') return this.read(depth); // attributes annotate the reply that follows
        return type === '*' ? array(items) : type === '~' ? set(items) : type === '>' ? push(items) : map(items);
      }
      default:
        throw new Error(`not a RESP reply (type byte ${JSON.stringify(type)})`);
    }
  }
}
