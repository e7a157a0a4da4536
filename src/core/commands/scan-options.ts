// The options of HSCAN, SSCAN and ZSCAN (MATCH, COUNT, and NOVALUES where allowed), parsed
// once with Redis's rules: COUNT must be a positive integer, unknown words are syntax errors.
import * as errors from '../errors.js';
import { limits } from '../limits.js';
import { parseInteger } from '../numbers.js';
import { array, bulk, EMPTY_ARRAY, type Reply } from '../reply.js';
import { isWord } from './spec.js';

export interface ScanOptions {
  /** Positions to visit in this call, bounded by limits.scanCountMax. */
  readonly count: number;
  /** null matches everything ('*' is treated as no pattern). */
  readonly pattern: string | null;
  readonly noValues: boolean;
}

/** The reply to a scan of a missing key. */
export const EMPTY_SCAN: Reply = array([bulk('0'), EMPTY_ARRAY]);

/** Parses argv[from..] as scan options; `allowNoValues` admits HSCAN's NOVALUES (Redis 7.4). */
export function parseScanOptions(argv: readonly string[], from: number, allowNoValues = false): ScanOptions | Reply {
  let count = 10;
  let pattern: string | null = null;
  let noValues = false;
  for (let i = from; i < argv.length; i++) {
    const hasValue = i + 1 < argv.length;
    if (isWord(argv[i]!, 'COUNT') && hasValue) {
      const n = parseInteger(argv[++i]!);
      if (n === null) return errors.notInteger();
      if (n < 1) return errors.syntax();
      count = n;
    } else if (isWord(argv[i]!, 'MATCH') && hasValue) {
      const p = argv[++i]!;
      pattern = p === '*' ? null : p;
    } else if (allowNoValues && isWord(argv[i]!, 'NOVALUES')) {
      noValues = true;
    } else {
      return errors.syntax();
    }
  }
  return { count: Math.min(count, limits.scanCountMax), pattern, noValues };
}

export function isScanOptions(x: ScanOptions | Reply): x is ScanOptions {
  return 'noValues' in x;
}
