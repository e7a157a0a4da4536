// The `struct` library (Roberto Ierusalimschy's struct.c, bundled with Redis): pack and unpack
// binary records. Formats: > < ! (endianness, alignment), x (pad), b B h H l L T i[n] I[n]
// (integers), f d (floats), s (zero-terminated string), c[n] (fixed string; c0 takes its length
// from the previous value when unpacking).
import { fromLua, lua, raise, setFunction, type LuaState } from './lua.js';

const NATIVE_ALIGN = 8;

interface FormatState {
  little: boolean;
  align: number;
}

interface Item {
  readonly op: string;
  readonly size: number;
}

function* items(L: LuaState, fmt: string, st: FormatState): Generator<Item> {
  let i = 0;
  const readNum = (dflt: number): number => {
    const m = /^\d+/.exec(fmt.slice(i));
    if (m === null) return dflt;
    i += m[0].length;
    return Number(m[0]);
  };
  while (i < fmt.length) {
    const op = fmt[i++]!;
    switch (op) {
      case ' ': break;
      case '>': st.little = false; break;
      case '<': st.little = true; break;
      case '!': st.align = readNum(NATIVE_ALIGN); break;
      case 'x': yield { op, size: 1 }; break;
      case 'b': case 'B': yield { op, size: 1 }; break;
      case 'h': case 'H': yield { op, size: 2 }; break;
      case 'l': case 'L': case 'T': yield { op, size: 8 }; break;
      case 'i': case 'I': {
        const size = readNum(4);
        if (size > 8 || size < 1) raise(L, `integral size ${size} is larger than limit of 8`);
        yield { op, size };
        break;
      }
      case 'f': yield { op, size: 4 }; break;
      case 'd': yield { op, size: 8 }; break;
      case 's': yield { op, size: 0 }; break;
      case 'c': yield { op, size: readNum(1) }; break;
      default: raise(L, `invalid format option '${op}'`);
    }
  }
}

function padding(size: number, offset: number, st: FormatState, op: string): number {
  if (op === 'c' || op === 's' || op === 'x') return 0;
  let align = size;
  if (align <= 1 || st.align <= 1) return 0;
  if (align > st.align) align = st.align;
  if ((align & (align - 1)) !== 0) return 0;
  return (align - (offset & (align - 1))) & (align - 1);
}

function intBytes(v: bigint, size: number, little: boolean): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(size * 8, v);
  for (let k = 0; k < size; k++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return little ? out : out.reverse();
}

function pack(L: LuaState): number {
  const fmt = fromLua(lauxCheckString(L, 1, 'pack'));
  const st: FormatState = { little: true, align: 1 };
  const out: number[] = [];
  let arg = 2;
  for (const it of items(L, fmt, st)) {
    const pad = padding(it.size, out.length, st, it.op);
    for (let k = 0; k < pad; k++) out.push(0);
    switch (it.op) {
      case 'x': out.push(0); break;
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        const n = checkNumber(L, arg++, 'pack');
        out.push(...intBytes(BigInt(Math.trunc(n)), it.size, st.little));
        break;
      }
      case 'f': case 'd': {
        const n = checkNumber(L, arg++, 'pack');
        const buf = Buffer.alloc(it.size);
        if (it.size === 4) st.little ? buf.writeFloatLE(n) : buf.writeFloatBE(n);
        else st.little ? buf.writeDoubleLE(n) : buf.writeDoubleBE(n);
        out.push(...buf);
        break;
      }
      case 'c': case 's': {
        const s = lauxCheckString(L, arg++, 'pack');
        let size = it.op === 's' ? s.length + 1 : it.size;
        if (it.op === 'c' && size === 0) size = s.length;
        if (it.op === 'c' && s.length < size) raise(L, `bad argument #${arg - 1} to 'pack' (string too short)`);
        for (let k = 0; k < size; k++) out.push(k < s.length ? s[k]! : 0);
        break;
      }
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(out));
  return 1;
}

function unpack(L: LuaState): number {
  const fmt = fromLua(lauxCheckString(L, 1, 'unpack'));
  const data = lauxCheckString(L, 2, 'unpack');
  let pos = lua.lua_isnoneornil(L, 3) ? 0 : checkNumber(L, 3, 'unpack') - 1;
  if (pos < 0 || pos > data.length) raise(L, "bad argument #3 to 'unpack' (offset must be 1 or greater)");
  const st: FormatState = { little: true, align: 1 };
  let results = 0;
  let lastNumber = 0;
  const need = (n: number) => {
    if (pos + n > data.length) raise(L, "bad argument #2 to 'unpack' (data string too short)");
  };
  for (const it of items(L, fmt, st)) {
    pos += padding(it.size, pos, st, it.op);
    lua.lua_checkstack(L, 2);
    switch (it.op) {
      case 'x': pos += 1; break;
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        need(it.size);
        let v = 0n;
        for (let k = 0; k < it.size; k++) {
          const byte = BigInt(data[pos + (st.little ? it.size - 1 - k : k)]!);
          v = (v << 8n) | byte;
        }
        const signed = it.op === 'b' || it.op === 'h' || it.op === 'l' || it.op === 'i';
        if (signed) v = BigInt.asIntN(it.size * 8, v);
        lastNumber = Number(v);
        lua.lua_pushnumber(L, lastNumber);
        results++;
        pos += it.size;
        break;
      }
      case 'f': case 'd': {
        need(it.size);
        const buf = Buffer.from(data.subarray(pos, pos + it.size));
        const n = it.size === 4 ? (st.little ? buf.readFloatLE() : buf.readFloatBE()) : (st.little ? buf.readDoubleLE() : buf.readDoubleBE());
        lastNumber = n;
        lua.lua_pushnumber(L, n);
        results++;
        pos += it.size;
        break;
      }
      case 'c': {
        let size = it.size;
        if (size === 0) {
          if (results === 0) raise(L, 'format \'c0\' needs a previous size');
          size = lastNumber;
          lua.lua_pop(L, 1);
          results--;
        }
        need(size);
        lua.lua_pushstring(L, data.slice(pos, pos + size));
        results++;
        pos += size;
        break;
      }
      case 's': {
        let end = pos;
        while (end < data.length && data[end] !== 0) end++;
        if (end >= data.length) raise(L, "bad argument #2 to 'unpack' (unfinished string in data)");
        lua.lua_pushstring(L, data.slice(pos, end));
        results++;
        pos = end + 1;
        break;
      }
    }
  }
  lua.lua_pushnumber(L, pos + 1);
  return results + 1;
}

function size(L: LuaState): number {
  const fmt = fromLua(lauxCheckString(L, 1, 'size'));
  const st: FormatState = { little: true, align: 1 };
  let total = 0;
  for (const it of items(L, fmt, st)) {
    if (it.op === 's' || (it.op === 'c' && it.size === 0)) raise(L, "bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)");
    total += padding(it.size, total, st, it.op) + it.size;
  }
  lua.lua_pushnumber(L, total);
  return 1;
}

function lauxCheckString(L: LuaState, i: number, fname: string): Uint8Array {
  const t = lua.lua_type(L, i);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) {
    const got = t === lua.LUA_TNONE ? 'no value' : fromLua(lua.lua_typename(L, t));
    raise(L, `bad argument #${i} to '${fname}' (string expected, got ${got})`);
  }
  return lua.lua_tolstring(L, i) as Uint8Array;
}

function checkNumber(L: LuaState, i: number, fname: string): number {
  if (lua.lua_type(L, i) !== lua.LUA_TNUMBER && !lua.lua_isnumber(L, i)) {
    const t = lua.lua_type(L, i);
    const got = t === lua.LUA_TNONE ? 'no value' : fromLua(lua.lua_typename(L, t));
    raise(L, `bad argument #${i} to '${fname}' (number expected, got ${got})`);
  }
  return lua.lua_tonumber(L, i) as number;
}

export function openStruct(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFunction(L, 'pack', pack);
  setFunction(L, 'unpack', unpack);
  setFunction(L, 'size', size);
}
