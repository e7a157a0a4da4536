// Redis's glob matcher (util.c stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes,
// byte-wise over latin1 strings, with an optional ASCII case fold.

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  // stringmatchlen's main loop needs a byte of text to start, so an empty text matches only the
  // empty pattern (not even "*": KEYS * and SCAN without MATCH list the empty key by a shortcut).
  if (text.length === 0) return pattern.length === 0;
  return matchFrom(pattern, 0, text, 0, nocase, { budget: 1_000_000 });
}

/** The recursion and backtracking of '*' is bounded so a hostile pattern cannot stall the server. */
function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean, guard: { budget: number }): boolean {
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si <= slen) {
    if (--guard.budget < 0) return false;
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: { // '*'
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        for (let k = si; k <= slen; k++) {
          if (matchFrom(p, pi + 1, s, k, nocase, guard)) return true;
          if (guard.budget < 0) return false;
        }
        return false;
      }
      case 63: // '?'
        if (si >= slen) return false;
        si++;
        pi++;
        break;
      case 91: { // '['
        if (si >= slen) return false;
        pi++;
        const not = p.charCodeAt(pi) === 94; // '^'
        if (not) pi++;
        let matched = false;
        const c = fold(s.charCodeAt(si), nocase);
        for (;;) {
          if (pi >= plen) {
            pi--; // Redis: an unterminated class ends at the pattern's end
            break;
          }
          const cc = p.charCodeAt(pi);
          if (cc === 92 && pi + 2 < plen + 1 && pi + 1 < plen) { // '\'
            pi++;
            if (fold(p.charCodeAt(pi), nocase) === c) matched = true;
          } else if (cc === 93) { // ']'
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) { // a-z
            let start = fold(cc, nocase);
            let end = fold(p.charCodeAt(pi + 2), nocase);
            if (start > end) [start, end] = [end, start];
            pi += 2;
            if (c >= start && c <= end) matched = true;
          } else if (fold(cc, nocase) === c) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        pi++;
        break;
      }
      default:
        if (pc === 92 && pi + 1 < plen) pi++; // '\' escapes the next char
        if (si >= slen) return false;
        if (fold(p.charCodeAt(pi), nocase) !== fold(s.charCodeAt(si), nocase)) return false;
        si++;
        pi++;
        break;
    }
  }
  while (pi < plen && p.charCodeAt(pi) === 42) pi++;
  return pi === plen && si === slen;
}

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

/** True when a pattern matches everything (lets SCAN/KEYS skip the matcher). */
export function isMatchAll(pattern: string): boolean {
  return pattern === '*';
}
