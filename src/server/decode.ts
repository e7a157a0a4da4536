// Turns a Reply into plain JavaScript values for in-process callers (embedded mode).
import { Buffer } from 'node:buffer';
import { ReplyKind, type Reply } from '../core/reply.js';
import { formatDouble17g } from '../core/numbers.js';

/** An error reply, thrown to embedded callers (as client libraries do). */
export class CairnReplyError extends Error {
  override name = 'ReplyError';
}

export type Decoded = string | number | bigint | boolean | null | Buffer | Decoded[] | Map<Decoded, Decoded> | Set<Decoded>;

/** Strings come back as Buffers (binary-safe) or as UTF-8 text. */
export function decodeReply(r: Reply, asBuffers: boolean): Decoded {
  switch (r.k) {
    case ReplyKind.Simple:
      return r.v as string;
    case ReplyKind.Error:
      throw new CairnReplyError(r.v as string);
    case ReplyKind.Int:
      return r.v as number | bigint;
    case ReplyKind.Bulk:
    case ReplyKind.Verbatim:
    case ReplyKind.BigNum:
      return text(r.v as string, asBuffers);
    case ReplyKind.Nil:
    case ReplyKind.NilArray:
      return null;
    case ReplyKind.Array:
    case ReplyKind.Push:
      return (r.v as Reply[]).map((x) => decodeNested(x, asBuffers));
    case ReplyKind.Set:
      return new Set((r.v as Reply[]).map((x) => decodeNested(x, asBuffers)));
    case ReplyKind.Map: {
      const m = new Map<Decoded, Decoded>();
      const flat = r.v as Reply[];
      for (let i = 0; i < flat.length; i += 2) m.set(decodeNested(flat[i]!, asBuffers), decodeNested(flat[i + 1]!, asBuffers));
      return m;
    }
    case ReplyKind.Double:
      return r.v as number;
    case ReplyKind.Bool:
      return r.v as boolean;
    default:
      return null;
  }
}

/** Inside arrays an error is a value (EXEC replies), not a throw. */
function decodeNested(r: Reply, asBuffers: boolean): Decoded {
  if (r.k === ReplyKind.Error) return new CairnReplyError(r.v as string) as unknown as Decoded;
  return decodeReply(r, asBuffers);
}

function text(latin1: string, asBuffers: boolean): string | Buffer {
  // ASCII is the same text in latin1 and UTF-8: no round trip through bytes (the common case).
  // A latin1 string is ASCII exactly when its UTF-8 length is its length (counted natively).
  if (!asBuffers && Buffer.byteLength(latin1, 'utf8') === latin1.length) return latin1;
  const buf = Buffer.from(latin1, 'latin1');
  return asBuffers ? buf : buf.toString('utf8');
}

/** Double replies as RESP2 would show them, for callers that want text. */
export const doubleText = formatDouble17g;
