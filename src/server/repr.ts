// Redis's sdscatrepr: a quoted, escaped view of a binary string (MONITOR lines, logs).

export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 92: out += '\\\\'; break;
      case 34: out += '\\"'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 7: out += '\\a'; break;
      case 8: out += '\\b'; break;
      default:
        out += c >= 32 && c <= 126 ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
