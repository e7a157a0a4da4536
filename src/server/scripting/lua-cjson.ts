// The `cjson` library scripts use (Redis bundles lua-cjson 2.1): encode and decode with its
// rules: empty tables encode as objects, arrays may be sparse up to a ratio, '/' is escaped,
// numbers use %.14g, JSON null decodes to the cjson.null sentinel.
import { formatG } from './lua-number.js';
import { fromLua, lua, name, raise, setFunction, toLua, type LuaState } from './lua.js';

/** cjson.null: a light userdata every script compares against by identity. */
export const CJSON_NULL = Object.freeze({ cjsonNull: true });

const MAX_DEPTH = 1000;
const SPARSE_RATIO = 2;
const SPARSE_SAFE = 10;

export function openCjson(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFunction(L, 'encode', encode);
  setFunction(L, 'decode', decode);
  lua.lua_pushlightuserdata(L, CJSON_NULL);
  lua.lua_setfield(L, -2, name('null'));
  lua.lua_pushliteral(L, 'cjson');
  lua.lua_setfield(L, -2, name('_NAME'));
  lua.lua_pushliteral(L, '2.1.0');
  lua.lua_setfield(L, -2, name('_VERSION'));
}

function encode(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raise(L, 'bad argument #1 to \'encode\' (expected 1 argument)');
  const out: string[] = [];
  encodeValue(L, 1, 0, out);
  lua.lua_pushstring(L, toLua(out.join('')));
  return 1;
}

function encodeValue(L: LuaState, idx: number, depth: number, out: string[]): void {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      out.push(quote(fromLua(lua.lua_tolstring(L, idx))));
      return;
    case lua.LUA_TNUMBER:
      out.push(encodeNumber(L, lua.lua_tonumber(L, idx) as number));
      return;
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false');
      return;
    case lua.LUA_TNIL:
      out.push('null');
      return;
    case lua.LUA_TTABLE:
      encodeTable(L, lua.lua_absindex(L, idx), depth + 1, out);
      return;
    default:
      if (lua.lua_type(L, idx) === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, idx) === CJSON_NULL) {
        out.push('null');
        return;
      }
      raise(L, `Cannot serialise ${typeName(L, idx)}: type not supported`);
  }
}

function typeName(L: LuaState, idx: number): string {
  return fromLua(lua.lua_typename(L, lua.lua_type(L, idx)));
}

function encodeNumber(L: LuaState, n: number): string {
  if (!Number.isFinite(n)) raise(L, 'Cannot serialise number: must not be NaN or Inf');
  return formatG(n, 14);
}

/** The array length if the table is an array (positive integer keys, not too sparse), -1 otherwise. */
function arrayLength(L: LuaState, t: number): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2) as number;
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (SPARSE_RATIO > 0 && max > items * SPARSE_RATIO && max > SPARSE_SAFE) return -2;
  return max;
}

function encodeTable(L: LuaState, t: number, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) raise(L, `Cannot serialise, excessive nesting (${depth})`);
  lua.lua_checkstack(L, 4);
  const len = arrayLength(L, t);
  if (len === -2) raise(L, 'Cannot serialise table: excessively sparse array');
  if (len > 0) {
    out.push('[');
    for (let i = 1; i <= len; i++) {
      if (i > 1) out.push(',');
      lua.lua_rawgeti(L, t, i);
      encodeValue(L, -1, depth, out);
      lua.lua_pop(L, 1);
    }
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    if (!first) out.push(',');
    first = false;
    const kt = lua.lua_type(L, -2);
    if (kt === lua.LUA_TSTRING) out.push(quote(fromLua(lua.lua_tolstring(L, -2))));
    else if (kt === lua.LUA_TNUMBER) out.push(`"${encodeNumber(L, lua.lua_tonumber(L, -2) as number)}"`);
    else raise(L, 'Cannot serialise table: table key must be a number or string');
    out.push(':');
    encodeValue(L, -1, depth, out);
    lua.lua_pop(L, 1);
  }
  out.push('}');
}

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x2f: '\\/', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

function quote(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x2f && c !== 0x7f) continue;
    out += s.slice(from, i) + (ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`);
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

// ---- decode -------------------------------------------------------------------------------

class Decoder {
  pos = 0;
  constructor(readonly L: LuaState, readonly s: string) {}

  fail(expected: string, found: string, at = this.pos): never {
    raise(this.L, `Expected ${expected} but found ${found} at character ${at + 1}`);
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  tokenName(): string {
    if (this.pos >= this.s.length) return 'T_END';
    const c = this.s[this.pos]!;
    if ('{}[],:'.includes(c)) return `'${c}'`;
    return 'invalid token';
  }

  value(depth: number): void {
    const L = this.L;
    this.skipSpace();
    const s = this.s;
    if (this.pos >= s.length) this.fail('value', 'T_END');
    const c = s[this.pos]!;
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return lua.lua_pushstring(L, toLua(this.string()));
    if (s.startsWith('true', this.pos)) {
      this.pos += 4;
      return lua.lua_pushboolean(L, 1);
    }
    if (s.startsWith('false', this.pos)) {
      this.pos += 5;
      return lua.lua_pushboolean(L, 0);
    }
    if (s.startsWith('null', this.pos)) {
      this.pos += 4;
      return lua.lua_pushlightuserdata(L, CJSON_NULL);
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(s.slice(this.pos, this.pos + 400));
    if (m !== null && m[0] !== '-') {
      this.pos += m[0].length;
      return lua.lua_pushnumber(L, Number(m[0]));
    }
    this.fail('value', this.tokenName());
  }

  nest(depth: number): void {
    if (depth > MAX_DEPTH) raise(this.L, `Found too many nested data structures (${depth}) at character ${this.pos + 1}`);
    lua.lua_checkstack(this.L, 4);
  }

  object(depth: number): void {
    this.nest(depth);
    const L = this.L;
    this.pos++;
    lua.lua_newtable(L);
    this.skipSpace();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] !== '"') this.fail('object key string', this.tokenName());
      lua.lua_pushstring(L, toLua(this.string()));
      this.skipSpace();
      if (this.s[this.pos] !== ':') this.fail('colon', this.tokenName());
      this.pos++;
      this.value(depth);
      lua.lua_rawset(L, -3);
      this.skipSpace();
      const c = this.s[this.pos];
      this.pos++;
      if (c === '}') return;
      if (c !== ',') this.fail('comma or object end', this.tokenNameAt(this.pos - 1), this.pos - 1);
    }
  }

  tokenNameAt(at: number): string {
    const saved = this.pos;
    this.pos = at;
    const n = this.tokenName();
    this.pos = saved;
    return n;
  }

  array(depth: number): void {
    this.nest(depth);
    const L = this.L;
    this.pos++;
    lua.lua_newtable(L);
    this.skipSpace();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let i = 1; ; i++) {
      this.value(depth);
      lua.lua_rawseti(L, -2, i);
      this.skipSpace();
      const c = this.s[this.pos];
      this.pos++;
      if (c === ']') return;
      if (c !== ',') this.fail('comma or array end', this.tokenNameAt(this.pos - 1), this.pos - 1);
    }
  }

  /** A JSON string as latin1 bytes: \u escapes become UTF-8, other bytes pass through. */
  string(): string {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= s.length) this.fail('string', 'T_END', start);
      const c = s[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      this.pos += 2;
      const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simpleEscapes[e] !== undefined) {
        out += simpleEscapes[e];
        continue;
      }
      if (e === 'u') {
        let cp = this.hex4();
        if (cp >= 0xd800 && cp <= 0xdbff && s[this.pos] === '\\' && s[this.pos + 1] === 'u') {
          this.pos += 2;
          const lo = this.hex4();
          if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          else this.fail('value', 'invalid token', start);
        }
        out += Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
        continue;
      }
      this.fail('value', 'invalid token', start);
    }
  }

  hex4(): number {
    const h = this.s.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('value', 'invalid token');
    this.pos += 4;
    return parseInt(h, 16);
  }
}

function decode(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raise(L, 'bad argument #1 to \'decode\' (expected 1 argument)');
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING && lua.lua_type(L, 1) !== lua.LUA_TNUMBER) {
    raise(L, `bad argument #1 to 'decode' (string expected, got ${typeName(L, 1)})`);
  }
  const d = new Decoder(L, fromLua(lua.lua_tolstring(L, 1)));
  d.value(0);
  d.skipSpace();
  if (d.pos < d.s.length) d.fail('the end', d.tokenName());
  return 1;
}
