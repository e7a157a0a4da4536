// What memcached keeps with an item beyond its value: client flags, the CAS unique and the meta
// protocol's bits. Stored in Database.itemMeta, a side table that only keys memcached used pay
// for, dropped by the key space whenever the key's value changes (docs/design/memcached.md).

/** The item has been read since it was stored (mg `h`, me `fetch`). */
export const FETCHED = 1;
/** Marked stale by `md ... I` or an `ms ... I` with an older CAS (mg answers `X`). */
export const STALE = 2;
/** A client already got the recache win token (mg answers `Z` to the others). */
export const WIN_SENT = 4;

export interface ItemMeta {
  /** Client flags, 32-bit unsigned. */
  flags: number;
  /** CAS unique; 0 until memcached first needs one for this value. */
  cas: number;
  /** FETCHED | STALE | WIN_SENT. */
  bits: number;
  /**
   * The item's length in memcached when an incr/decr left a shorter number there (memcached
   * rewrites it in place, padded with spaces; Cairn stores the digits): a later incr whose
   * digits still fit is in place too, keeping the bits. Absent: the value's length.
   */
  width?: number;
}

/**
 * Estimated heap bytes of one record: a Map slot (key pointer, value pointer, hash, chain),
 * about 40 bytes, plus the record object (header and three small-integer or double fields),
 * about 48: counted in used_memory so maxmemory sees the table.
 */
export const ITEM_META_BYTES = 88;
