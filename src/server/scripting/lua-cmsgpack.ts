// The `cmsgpack` library (lua-cmsgpack, bundled with Redis): MessagePack encoding of Lua values.
// pack(...) encodes each argument and concatenates them; unpack(s) returns every value in s.
// Tables whose keys are exactly 1..n are arrays, others maps; integral numbers use the smallest
// integer form, others float32 when exact, else float64.
import { lua, raise, setFunction, type LuaState } from './lua.js';

/** lua-cmsgpack stops descending after this many nested tables and encodes nil instead. */
const MAX_NESTING = 16;

class Out {
  bytes: number[] = [];
  u8(b: number): void { this.bytes.push(b & 0xff); }
  be(v: number | bigint, n: number): void {
    let x = BigInt.asUintN(n * 8, BigInt(v));
    const tmp: number[] = [];
    for (let i = 0; i < n; i++) { tmp.push(Number(x & 0xffn)); x >>= 8n; }
    for (let i = n - 1; i >= 0; i--) this.bytes.push(tmp[i]!);
  }
}

function encodeNumber(out: Out, n: number): void {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 64) {
    if (n >= 0) {
      if (n < 128) out.u8(n);
      else if (n <= 0xff) { out.u8(0xcc); out.u8(n); }
      else if (n <= 0xffff) { out.u8(0xcd); out.be(n, 2); }
      else if (n <= 0xffffffff) { out.u8(0xce); out.be(n, 4); }
      else { out.u8(0xcf); out.be(BigInt(n), 8); }
    } else if (n >= -32) out.u8(0xe0 | (n & 0x1f));
    else if (n >= -128) { out.u8(0xd0); out.u8(n); }
    else if (n >= -32768) { out.u8(0xd1); out.be(n, 2); }
    else if (n >= -2147483648) { out.u8(0xd2); out.be(n, 4); }
    else { out.u8(0xd3); out.be(BigInt(n), 8); }
    return;
  }
  if (Math.fround(n) === n || Number.isNaN(n)) {
    const b = Buffer.alloc(4);
    b.writeFloatBE(n);
    out.u8(0xca);
    out.bytes.push(...b);
  } else {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    out.u8(0xcb);
    out.bytes.push(...b);
  }
}

function encodeBytes(out: Out, s: Uint8Array): void {
  const n = s.length;
  if (n < 32) out.u8(0xa0 | n);
  else if (n <= 0xff) { out.u8(0xd9); out.u8(n); }
  else if (n <= 0xffff) { out.u8(0xda); out.be(n, 2); }
  else { out.u8(0xdb); out.be(n, 4); }
  for (let i = 0; i < n; i++) out.bytes.push(s[i]!);
}

/** The array length when the table's keys are exactly 1..n, else -1 (lua-cmsgpack table_is_an_array). */
function arrayLength(L: LuaState, t: number): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) { lua.lua_pop(L, 1); return -1; }
    const k = lua.lua_tonumber(L, -1) as number;
    if (!Number.isInteger(k) || k <= 0) { lua.lua_pop(L, 1); return -1; }
    if (k > max) max = k;
    count++;
  }
  return max === count ? count : -1;
}

function encodeValue(L: LuaState, idx: number, out: Out, level: number): void {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING) return encodeBytes(out, lua.lua_tolstring(L, idx) as Uint8Array);
  if (t === lua.LUA_TBOOLEAN) return out.u8(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
  if (t === lua.LUA_TNUMBER) return encodeNumber(out, lua.lua_tonumber(L, idx) as number);
  if (t === lua.LUA_TTABLE && level < MAX_NESTING) {
    lua.lua_checkstack(L, 4);
    const tabIdx = lua.lua_absindex(L, idx);
    const len = arrayLength(L, tabIdx);
    if (len >= 0) {
      if (len < 16) out.u8(0x90 | len);
      else if (len <= 0xffff) { out.u8(0xdc); out.be(len, 2); }
      else { out.u8(0xdd); out.be(len, 4); }
      for (let i = 1; i <= len; i++) {
        lua.lua_rawgeti(L, tabIdx, i);
        encodeValue(L, -1, out, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    let n = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, tabIdx) !== 0) { n++; lua.lua_pop(L, 1); }
    if (n < 16) out.u8(0x80 | n);
    else if (n <= 0xffff) { out.u8(0xde); out.be(n, 2); }
    else { out.u8(0xdf); out.be(n, 4); }
    lua.lua_pushnil(L);
    while (lua.lua_next(L, tabIdx) !== 0) {
      encodeValue(L, -2, out, level + 1);
      encodeValue(L, -1, out, level + 1);
      lua.lua_pop(L, 1);
    }
    return;
  }
  out.u8(0xc0); // nil, and anything msgpack cannot carry
}

function pack(L: LuaState): number {
  const n = lua.lua_gettop(L);
  if (n === 0) raise(L, 'MessagePack pack needs input.');
  const out = new Out();
  for (let i = 1; i <= n; i++) encodeValue(L, i, out, 0);
  lua.lua_pushstring(L, Uint8Array.from(out.bytes));
  return 1;
}

class In {
  pos = 0;
  constructor(readonly L: LuaState, readonly b: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.b.length) raise(this.L, 'Missing bytes in input.');
  }
  uint(n: number): number {
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.b[this.pos++]!;
    return v;
  }
  int(n: number): number {
    const u = this.uint(n);
    const bits = 2 ** (n * 8);
    return u >= bits / 2 ? u - bits : u;
  }
  big(signed: boolean): number {
    this.need(8);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.b[this.pos++]!);
    return Number(signed ? BigInt.asIntN(64, v) : v);
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const s = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

function decodeValue(inp: In): void {
  const L = inp.L;
  lua.lua_checkstack(L, 4);
  inp.need(1);
  const c = inp.b[inp.pos++]!;
  if (c <= 0x7f) return lua.lua_pushnumber(L, c);
  if (c >= 0xe0) return lua.lua_pushnumber(L, c - 256);
  if ((c & 0xe0) === 0xa0) return lua.lua_pushstring(L, inp.bytes(c & 0x1f));
  if ((c & 0xf0) === 0x90) return decodeArray(inp, c & 0x0f);
  if ((c & 0xf0) === 0x80) return decodeMap(inp, c & 0x0f);
  switch (c) {
    case 0xc0: return lua.lua_pushnil(L);
    case 0xc2: return lua.lua_pushboolean(L, 0);
    case 0xc3: return lua.lua_pushboolean(L, 1);
    case 0xcc: return lua.lua_pushnumber(L, inp.uint(1));
    case 0xcd: return lua.lua_pushnumber(L, inp.uint(2));
    case 0xce: return lua.lua_pushnumber(L, inp.uint(4));
    case 0xcf: return lua.lua_pushnumber(L, inp.big(false));
    case 0xd0: return lua.lua_pushnumber(L, inp.int(1));
    case 0xd1: return lua.lua_pushnumber(L, inp.int(2));
    case 0xd2: return lua.lua_pushnumber(L, inp.int(4));
    case 0xd3: return lua.lua_pushnumber(L, inp.big(true));
    case 0xca: return lua.lua_pushnumber(L, Buffer.from(inp.bytes(4)).readFloatBE());
    case 0xcb: return lua.lua_pushnumber(L, Buffer.from(inp.bytes(8)).readDoubleBE());
    case 0xc4: case 0xd9: return lua.lua_pushstring(L, inp.bytes(inp.uint(1)));
    case 0xc5: case 0xda: return lua.lua_pushstring(L, inp.bytes(inp.uint(2)));
    case 0xc6: case 0xdb: return lua.lua_pushstring(L, inp.bytes(inp.uint(4)));
    case 0xdc: return decodeArray(inp, inp.uint(2));
    case 0xdd: return decodeArray(inp, inp.uint(4));
    case 0xde: return decodeMap(inp, inp.uint(2));
    case 0xdf: return decodeMap(inp, inp.uint(4));
    default: raise(L, 'Bad data format in input.');
  }
}

function decodeArray(inp: In, n: number): void {
  const L = inp.L;
  lua.lua_createtable(L, Math.min(n, 1 << 16), 0);
  for (let i = 1; i <= n; i++) {
    decodeValue(inp);
    lua.lua_rawseti(L, -2, i);
  }
}

function decodeMap(inp: In, n: number): void {
  const L = inp.L;
  lua.lua_createtable(L, 0, Math.min(n, 1 << 16));
  for (let i = 0; i < n; i++) {
    decodeValue(inp);
    decodeValue(inp);
    if (lua.lua_isnil(L, -2)) lua.lua_pop(L, 2);
    else lua.lua_settable(L, -3);
  }
}

/** Decodes up to `limit` values (0: all) from `offset`; returns the number pushed and the next offset. */
function decodeMany(L: LuaState, limit: number, offset: number): { count: number; next: number } {
  if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) raise(L, 'MessagePack unpack needs a string.');
  const inp = new In(L, lua.lua_tolstring(L, 1) as Uint8Array);
  inp.pos = offset;
  let count = 0;
  while (inp.pos < inp.b.length && (limit === 0 || count < limit)) {
    decodeValue(inp);
    count++;
  }
  return { count, next: inp.pos >= inp.b.length ? -1 : inp.pos };
}

function unpack(L: LuaState): number {
  return decodeMany(L, 0, 0).count;
}

function unpackLimited(L: LuaState, limit: number): number {
  const offset = lua.lua_isnoneornil(L, 3) ? 0 : Number(lua.lua_tonumber(L, 3));
  if (offset < 0) raise(L, 'Offset must be greater than or equal to zero.');
  lua.lua_pushnil(L); // placeholder for the next offset, filled in below
  const base = lua.lua_gettop(L);
  const { count, next } = decodeMany(L, limit, offset);
  lua.lua_pushnumber(L, next);
  lua.lua_replace(L, base);
  return count + 1;
}

export function openCmsgpack(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFunction(L, 'pack', pack);
  setFunction(L, 'unpack', unpack);
  setFunction(L, 'unpack_one', (L) => unpackLimited(L, 1));
  setFunction(L, 'unpack_limit', (L) => {
    const limit = lua.lua_isnoneornil(L, 2) ? 0 : Number(lua.lua_tonumber(L, 2));
    return unpackLimited(L, limit);
  });
}
