// Hash slots exactly as Redis Cluster computes them, so that cluster-aware clients route keys
// to the node Cairn expects: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key, or
// of its hash tag, modulo 16384. Keys are latin1 strings, one char per byte.

/** Number of hash slots; fixed by the Redis Cluster protocol, not a tunable limit. */
export const SLOT_COUNT = 16384;

const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}

/** CRC16-XMODEM of chars [start, end) of a latin1 string. */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

/**
 * The slot of a key. When the key holds `{tag}` with a non-empty tag (the first `{` and the
 * first `}` after it), only the tag is hashed, so related keys can share a slot.
 */
export function keyHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(key) & (SLOT_COUNT - 1);
}
