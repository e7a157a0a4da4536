// Field names repeat across the records of an application (every session hash has "user",
// "expires", "csrf"...), while each request brings its own copy of them: stored as they come,
// a million small hashes hold a million copies of each name. A compact hash stores instead the
// copy a recent hash already holds, found in a small direct-mapped cache. The cost is one
// comparison per new field; the memory is bounded (SLOTS names of at most MAX_LENGTH chars);
// which of two equal strings is kept is invisible to clients, so the core stays deterministic.

/** Cache slots (a power of two): room for the field names of many record shapes at once. */
const SLOTS = 1024;
/** Longer strings are rarely names, and comparing them would cost more than it saves. */
const MAX_LENGTH = 32;

const cache: string[] = new Array<string>(SLOTS).fill('');

/** `name`, or an equal string already held by another hash. */
export function sharedFieldName(name: string): string {
  const n = name.length;
  if (n === 0 || n > MAX_LENGTH) return name;
  // Length, first, middle and last code units: cheap, and spreads the usual names apart.
  const slot = (n * 31 + name.charCodeAt(0) * 7 + name.charCodeAt(n >> 1) * 131 + name.charCodeAt(n - 1) * 1031) & (SLOTS - 1);
  const held = cache[slot]!;
  if (held === name) return held;
  cache[slot] = name;
  return name;
}
