// The bytes of a conf-change entry. Every replica decodes the same bytes when it applies the
// entry, so the format is fixed: version 1, then the change type, the node id (a float64, to
// hold any safe integer) and the context.
//
//   u8 version (1) | u8 type (1 add-node, 2 add-learner, 3 remove-node) | f64 nodeId (BE) | context
import type { ConfChange } from './types.js';

const VERSION = 1;
const TYPE_CODES = { 'add-node': 1, 'add-learner': 2, 'remove-node': 3 } as const;
const HEADER_BYTES = 10;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + cc.context.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, TYPE_CODES[cc.type]);
  view.setFloat64(2, cc.nodeId);
  out.set(cc.context, HEADER_BYTES);
  return out;
}

/** The change in `data`, or null when the bytes are not a valid change (then every replica
 *  ignores the entry alike). */
export function decodeConfChange(data: Uint8Array): ConfChange | null {
  if (data.byteLength < HEADER_BYTES) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint8(0) !== VERSION) return null;
  const code = view.getUint8(1);
  const type = code === 1 ? 'add-node' : code === 2 ? 'add-learner' : code === 3 ? 'remove-node' : null;
  if (type === null) return null;
  const nodeId = view.getFloat64(2);
  if (!Number.isSafeInteger(nodeId) || nodeId <= 0) return null;
  return { type, nodeId, context: data.slice(HEADER_BYTES) };
}
