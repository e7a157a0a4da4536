// The Lua engine Cairn runs scripts on: fengari (Lua 5.3 written in JavaScript, synchronous),
// loaded with the settings that bring it closest to Redis's Lua 5.1 (docs/design/lua-engine.md),
// and the few helpers every scripting module needs to move bytes between Cairn's latin1 strings
// and Lua strings (Uint8Array in fengari).
import { createRequire } from 'node:module';

/** The parts of fengari's API Cairn uses; fengari ships no type declarations. */
export interface Fengari {
  lua: any;
  lauxlib: any;
  lualib: any;
  to_luastring(s: string): Uint8Array;
}

/**
 * fengari reads its build-time settings from FENGARICONF when it is first loaded.
 * LUA_COMPAT_FLOATSTRING makes integral floats print as Lua 5.1 does (`10/2` is "5", not "5.0"),
 * which scripts written for Redis rely on when they concatenate or tostring() numbers.
 */
function loadFengari(): Fengari {
  const require = createRequire(import.meta.url);
  const previous = process.env.FENGARICONF;
  const conf = { ...(previous !== undefined && previous !== '' ? JSON.parse(previous) as object : {}), LUA_COMPAT_FLOATSTRING: true };
  process.env.FENGARICONF = JSON.stringify(conf);
  try {
    return require('fengari') as Fengari;
  } finally {
    if (previous === undefined) delete process.env.FENGARICONF;
    else process.env.FENGARICONF = previous;
  }
}

export const fengari = loadFengari();
export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;

/** A lua_State handle. */
export type LuaState = any;

const SHORT = 64;

/** A Cairn string (latin1, one char per byte) as Lua string bytes. */
export function toLua(s: string): Uint8Array {
  const n = s.length;
  if (n > SHORT) return Buffer.from(s, 'latin1');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Lua string bytes as a Cairn string. */
export function fromLua(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > SHORT) return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Interned Lua strings for the ASCII names used on every call (field names, globals). */
const names = new Map<string, Uint8Array>();
export function name(s: string): Uint8Array {
  let b = names.get(s);
  if (b === undefined) {
    b = fengari.to_luastring(s);
    names.set(s, b);
  }
  return b;
}

export function pushString(L: LuaState, s: string): void {
  lua.lua_pushstring(L, toLua(s));
}

/** The value at `idx` as a Cairn string when it is a string or a number (Lua's own number text), else null. */
export function toStringAt(L: LuaState, idx: number): string | null {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return null;
  return fromLua(lua.lua_tolstring(L, idx));
}

/** Raises a Lua error as luaL_error does: the message after the position of the calling Lua code. */
export function raise(L: LuaState, message: string): never {
  return raiseAt(L, 1, message);
}

/** Raises a Lua error whose value is exactly `message`. */
export function raisePlain(L: LuaState, message: string): never {
  lua.lua_pushstring(L, toLua(message));
  lua.lua_error(L);
  throw new Error('unreachable: lua_error returned');
}

/** Raises a Lua error prefixed with the position of the Lua code at `level` (1: the caller of a JS function). */
export function raiseAt(L: LuaState, level: number, message: string): never {
  lauxlib.luaL_where(L, level);
  const where = fromLua(lua.lua_tolstring(L, -1));
  lua.lua_pop(L, 1);
  return raisePlain(L, where + message);
}

/** Registers a JS function as field `key` of the table on top of the stack. */
export function setFunction(L: LuaState, key: string, fn: (L: LuaState) => number): void {
  lua.lua_pushcfunction(L, fn);
  lua.lua_setfield(L, -2, name(key));
}

export function setNumber(L: LuaState, key: string, n: number): void {
  lua.lua_pushnumber(L, n);
  lua.lua_setfield(L, -2, name(key));
}

export function setStringField(L: LuaState, key: string, s: string): void {
  pushString(L, s);
  lua.lua_setfield(L, -2, name(key));
}

/**
 * Rewrites Lua 5.3 error texts into Lua 5.1's wording where scripts and tests see them:
 * "attempt to index a nil value (local 't')" becomes "attempt to index local 't' (a nil value)",
 * and "near <eof>" becomes "near '<eof>'".
 */
export function luaMessage51(text: string): string {
  return text
    .replace(/attempt to (.+?) an? (\w+) value \((local|global|field|upvalue|method|constant) '([^']*)'\)/, (_m, op: string, type: string, kind: string, id: string) =>
      `attempt to ${op} ${kind === 'constant' ? 'field' : kind} '${id}' (a ${type} value)`)
    .replace(/ near <eof>$/, " near '<eof>'");
}
