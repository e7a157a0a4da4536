// What Cairn knows about each value type, collected from the type modules: the DUMP tag and
// body codec, and the encoding OBJECT ENCODING reports. Adding a type = one module + one line here.
import type { Entry, ValueType } from '../keyspace.js';
import type { PayloadReader, PayloadWriter } from '../payload.js';
import { stringType } from './string.js';
import { zsetType } from './zset.js';
import { setType } from './set.js';
import { hashType } from './hash.js';
import { listType } from './list.js';
import { streamType } from './stream.js';

export interface TypeOps {
  /** The DUMP tag byte: fixed forever once released. */
  readonly tag: number;
  /** Appends the value's body to a DUMP payload (or snapshot record). */
  encode(value: unknown, out: PayloadWriter): void;
  /** Reads exactly one value's body; throws MalformedPayload on bad input. */
  decode(input: PayloadReader): unknown;
  /** OBJECT ENCODING's answer for this entry. */
  encodingOf(e: Entry): string;
  /** An independent copy that keeps the encoding (COPY); without it COPY goes through the codec. */
  clone?(value: unknown): unknown;
  /** Estimated heap bytes of the value, in O(1) (bounded) time: memory accounting and eviction (src/core/memory.ts). */
  memoryOf(value: unknown): number;
}

/** Estimated heap bytes of a value of any type. */
export function valueBytes(type: ValueType, value: unknown): number {
  return TYPE_OPS[type]!.memoryOf(value);
}

export const TYPE_OPS: { readonly [T in ValueType]?: TypeOps } = {
  string: stringType,
  zset: zsetType,
  set: setType,
  hash: hashType,
  list: listType,
  stream: streamType,
};
