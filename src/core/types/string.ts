// Strings: latin1 JS strings (one char per byte), stored as they are.
import type { Entry } from '../keyspace.js';
import { isCanonicalInt64 } from '../numbers.js';
import type { TypeOps } from './registry.js';
import { stringBytes } from '../memory.js';

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are "raw". */
const EMBSTR_SIZE_LIMIT = 44;

export const stringType: TypeOps = {
  tag: 1,
  encode: (value, out) => out.string(value as string),
  decode: (input) => input.string(),
  memoryOf: (value) => stringBytes((value as string).length),
  encodingOf: (e: Entry): string => {
    const s = e.value as string;
    // A string changed in place (APPEND, SETRANGE) stays raw, even when it reads as a number.
    if (e.rawEncoding) return 'raw';
    if (!e.neverIntEncoded && isCanonicalInt64(s)) return 'int';
    return s.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
  },
};
