// Timeout arguments in milliseconds, as Redis 7.0's getTimeoutFromObjectOrReply (XREAD BLOCK,
// WAIT). 7.0 makes no range check: a deadline beyond int64 waits forever there, and one that far
// away never comes here either.
import * as errors from '../errors.js';
import { parseI64 } from '../numbers.js';
import type { Reply } from '../reply.js';

/** Milliseconds (0: wait forever), or the error reply for a bad argument. */
export function parseTimeoutMs(arg: string): number | Reply {
  const v = parseI64(arg);
  if (v === null) return errors.timeoutNotInteger();
  if (v < 0n) return errors.timeoutNegative();
  return Number(v);
}
