// The `bit` library (LuaBitOp, bundled with Redis): 32-bit operations on Lua numbers.
// Arguments are normalised as LuaBitOp does: rounded to the nearest integer, taken modulo 2^32,
// and results are signed 32-bit numbers.
import { fromLua, lua, raise, setFunction, toLua, type LuaState } from './lua.js';

function arg(L: LuaState, i: number, fname: string): number {
  if (lua.lua_type(L, i) !== lua.LUA_TNUMBER && lua.lua_isnumber(L, i) === false) {
    const got = lua.lua_type(L, i) === lua.LUA_TNONE ? 'no value' : fromLua(lua.lua_typename(L, lua.lua_type(L, i)));
    raise(L, `bad argument #${i} to '${fname}' (number expected, got ${got})`);
  }
  return tobit(lua.lua_tonumber(L, i) as number);
}

/** LuaBitOp's conversion: round half to even (the 2^52+2^51 trick), then wrap to int32. */
export function tobit(n: number): number {
  if (!Number.isFinite(n)) return 0;
  let r = Math.round(n);
  if (Math.abs(n % 1) === 0.5 && r % 2 !== 0) r -= 1; // ties go to even
  return Number(BigInt.asIntN(32, BigInt(r)));
}

function push(L: LuaState, n: number): number {
  lua.lua_pushnumber(L, n | 0);
  return 1;
}

function fold(fname: string, op: (a: number, b: number) => number): (L: LuaState) => number {
  return (L) => {
    let acc = arg(L, 1, fname);
    for (let i = 2, n = lua.lua_gettop(L); i <= n; i++) acc = op(acc, arg(L, i, fname));
    return push(L, acc);
  };
}

export function openBit(L: LuaState): void {
  lua.lua_createtable(L, 0, 12);
  setFunction(L, 'tobit', (L) => push(L, arg(L, 1, 'tobit')));
  setFunction(L, 'bnot', (L) => push(L, ~arg(L, 1, 'bnot')));
  setFunction(L, 'band', fold('band', (a, b) => a & b));
  setFunction(L, 'bor', fold('bor', (a, b) => a | b));
  setFunction(L, 'bxor', fold('bxor', (a, b) => a ^ b));
  setFunction(L, 'lshift', (L) => push(L, arg(L, 1, 'lshift') << (arg(L, 2, 'lshift') & 31)));
  setFunction(L, 'rshift', (L) => push(L, arg(L, 1, 'rshift') >>> (arg(L, 2, 'rshift') & 31)));
  setFunction(L, 'arshift', (L) => push(L, arg(L, 1, 'arshift') >> (arg(L, 2, 'arshift') & 31)));
  setFunction(L, 'rol', (L) => {
    const x = arg(L, 1, 'rol');
    const n = arg(L, 2, 'rol') & 31;
    return push(L, (x << n) | (x >>> ((32 - n) & 31)));
  });
  setFunction(L, 'ror', (L) => {
    const x = arg(L, 1, 'ror');
    const n = arg(L, 2, 'ror') & 31;
    return push(L, (x >>> n) | (x << ((32 - n) & 31)));
  });
  setFunction(L, 'bswap', (L) => {
    const x = arg(L, 1, 'bswap');
    return push(L, ((x >>> 24) & 0xff) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24));
  });
  setFunction(L, 'tohex', (L) => {
    const x = arg(L, 1, 'tohex');
    let n = lua.lua_isnoneornil(L, 2) ? 8 : arg(L, 2, 'tohex');
    const upper = n < 0;
    if (upper) n = -n;
    if (n > 8) n = 8;
    let hex = (x >>> 0).toString(16).padStart(8, '0').slice(8 - n);
    if (upper) hex = hex.toUpperCase();
    lua.lua_pushstring(L, toLua(hex));
    return 1;
  });
}
