// Conversions between command replies and Lua values, with Redis 7.0's rules (script_lua.c):
// replies become Lua values as the script's protocol (redis.setresp) would deliver them, and a
// script's return value becomes a reply by the fixed Lua-to-reply rules.
import { formatDouble17g } from '../../core/numbers.js';
import * as errors from '../../core/errors.js';
import { array, bool, bulk, bignum, double, int, map, NIL, ReplyKind, set, simple, verbatim, type Reply } from '../../core/reply.js';
import { fromLua, lua, name, pushString, toLua, type LuaState } from './lua.js';

/**
 * Pushes an error table {err = "CODE message"} the way Redis's luaPushErrorBuff builds it:
 * a leading '-' marks a text that carries its own code; otherwise the code is ERR. Trailing
 * CR/LF are trimmed.
 */
export function pushErrorTable(L: LuaState, text: string): void {
  let code = 'ERR';
  let msg = text;
  if (text.startsWith('-')) {
    const space = text.indexOf(' ');
    if (space < 0) msg = text.slice(1);
    else {
      code = text.slice(1, space);
      msg = text.slice(space + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  lua.lua_createtable(L, 0, 1);
  pushString(L, `${code} ${msg}`);
  lua.lua_setfield(L, -2, name('err'));
}

/** Pushes a command's reply as a Lua value for a script speaking `resp` (redisProtocolToLuaType). */
export function pushReply(L: LuaState, r: Reply, resp: 2 | 3): void {
  lua.lua_checkstack(L, 4);
  switch (r.k) {
    case ReplyKind.Simple:
      return pushSingleField(L, 'ok', r.v as string);
    case ReplyKind.Error:
      pushErrorTable(L, '-' + (r.v as string));
      lua.lua_pushboolean(L, 1);
      lua.lua_setfield(L, -2, name('ignore_error_stats_update'));
      return;
    case ReplyKind.Int:
      return lua.lua_pushnumber(L, Number(r.v));
    case ReplyKind.Bulk:
      return pushString(L, r.v as string);
    case ReplyKind.Nil:
    case ReplyKind.NilArray:
      return resp === 2 ? lua.lua_pushboolean(L, 0) : lua.lua_pushnil(L);
    case ReplyKind.Array:
    case ReplyKind.Push:
      return pushArray(L, r.v as Reply[], resp);
    case ReplyKind.Map:
      if (resp === 2) return pushArray(L, r.v as Reply[], resp);
      return pushMap(L, r.v as Reply[]);
    case ReplyKind.Set:
      if (resp === 2) return pushArray(L, r.v as Reply[], resp);
      return pushSet(L, r.v as Reply[]);
    case ReplyKind.Double: {
      const v = r.v as number | string;
      if (resp === 2) return pushString(L, typeof v === 'string' ? v : formatDouble17g(v));
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushnumber(L, typeof v === 'string' ? Number(v) : v);
      lua.lua_setfield(L, -2, name('double'));
      return;
    }
    case ReplyKind.Bool:
      if (resp === 2) return lua.lua_pushnumber(L, r.v === true ? 1 : 0);
      return lua.lua_pushboolean(L, r.v === true ? 1 : 0);
    case ReplyKind.BigNum:
      if (resp === 2) return pushString(L, r.v as string);
      return pushSingleField(L, 'big_number', r.v as string);
    case ReplyKind.Verbatim:
      if (resp === 2) return pushString(L, r.v as string);
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, 2);
      pushString(L, r.v as string);
      lua.lua_setfield(L, -2, name('string'));
      pushString(L, 'txt');
      lua.lua_setfield(L, -2, name('format'));
      lua.lua_setfield(L, -2, name('verbatim_string'));
      return;
    default:
      return lua.lua_pushnil(L);
  }
}

function pushSingleField(L: LuaState, field: string, value: string): void {
  lua.lua_createtable(L, 0, 1);
  pushString(L, value);
  lua.lua_setfield(L, -2, name(field));
}

function pushArray(L: LuaState, items: Reply[], resp: 2 | 3): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    lua.lua_pushnumber(L, i + 1);
    pushReply(L, items[i]!, resp);
    lua.lua_settable(L, -3);
  }
}

function pushMap(L: LuaState, flat: Reply[]): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_createtable(L, 0, flat.length / 2);
  for (let i = 0; i + 1 < flat.length; i += 2) {
    pushReply(L, flat[i]!, 3);
    pushReply(L, flat[i + 1]!, 3);
    if (lua.lua_isnil(L, -2)) lua.lua_pop(L, 2); // a nil key cannot be stored (Redis would fail the same way)
    else lua.lua_settable(L, -3);
  }
  lua.lua_setfield(L, -2, name('map'));
}

function pushSet(L: LuaState, items: Reply[]): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_createtable(L, 0, items.length);
  for (const item of items) {
    pushReply(L, item, 3);
    if (lua.lua_isnil(L, -1)) {
      lua.lua_pop(L, 1);
      continue;
    }
    lua.lua_pushboolean(L, 1);
    lua.lua_settable(L, -3);
  }
  lua.lua_setfield(L, -2, name('set'));
}

/** Reads field `key` of the table at `idx` without metamethods; leaves it on the stack. */
function rawField(L: LuaState, idx: number, key: string): number {
  pushString(L, key);
  lua.lua_rawget(L, idx < 0 ? idx - 1 : idx);
  return lua.lua_type(L, -1);
}

/**
 * Converts the value on top of the stack to a reply and pops it (luaReplyToRedisReply).
 * `scriptResp` is the protocol the script chose with redis.setresp: it decides how booleans go out.
 */
export function popReply(L: LuaState, scriptResp: 2 | 3, depth = 0): Reply {
  const reply = toReply(L, scriptResp, depth);
  lua.lua_pop(L, 1);
  return reply;
}

function toReply(L: LuaState, scriptResp: 2 | 3, depth: number): Reply {
  if (!lua.lua_checkstack(L, 4) || depth > 1000) return errors.err('reached lua stack limit');
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return bulk(fromLua(lua.lua_tolstring(L, -1)));
    case lua.LUA_TBOOLEAN: {
      const b = lua.lua_toboolean(L, -1) as boolean;
      if (scriptResp === 2) return b ? int(1) : NIL;
      return bool(b);
    }
    case lua.LUA_TNUMBER:
      return int(truncateToInt64(lua.lua_tonumber(L, -1) as number));
    case lua.LUA_TTABLE:
      return tableToReply(L, scriptResp, depth);
    default:
      return NIL;
  }
}

/** (long long)d as C does for the doubles scripts return: toward zero, saturating where C would be undefined. */
function truncateToInt64(d: number): number | bigint {
  if (Number.isNaN(d)) return -9223372036854775808n;
  const t = Math.trunc(d);
  if (Number.isSafeInteger(t)) return t;
  if (t >= 9223372036854775807) return -9223372036854775808n; // x86 cvttsd2si yields INT64_MIN on overflow
  if (t <= -9223372036854775808) return -9223372036854775808n;
  return BigInt(t);
}

function tableToReply(L: LuaState, scriptResp: 2 | 3, depth: number): Reply {
  if (rawField(L, -1, 'err') === lua.LUA_TSTRING) {
    const msg = fromLua(lua.lua_tolstring(L, -1));
    lua.lua_pop(L, 1);
    return errors.fromScript(msg);
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, 'ok') === lua.LUA_TSTRING) {
    const ok = fromLua(lua.lua_tolstring(L, -1)).replace(/[\r\n]/g, ' ');
    lua.lua_pop(L, 1);
    return simple(ok);
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, 'double') === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1) as number;
    lua.lua_pop(L, 1);
    return double(d);
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, 'big_number') === lua.LUA_TSTRING) {
    const digits = fromLua(lua.lua_tolstring(L, -1)).replace(/[\r\n]/g, ' ');
    lua.lua_pop(L, 1);
    return bignum(digits);
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, 'verbatim_string') === lua.LUA_TTABLE) {
    const fmt = rawField(L, -1, 'format') === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, -1)) : null;
    lua.lua_pop(L, 1);
    const str = rawField(L, -1, 'string') === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(L, -1)) : null;
    lua.lua_pop(L, 2);
    if (fmt !== null && str !== null) return verbatim(str);
  } else {
    lua.lua_pop(L, 1);
  }
  if (rawField(L, -1, 'map') === lua.LUA_TTABLE) {
    const flat: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pushvalue(L, -2);
      flat.push(popReply(L, scriptResp, depth + 1));
      flat.push(popReply(L, scriptResp, depth + 1));
    }
    lua.lua_pop(L, 1);
    return map(flat);
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, 'set') === lua.LUA_TTABLE) {
    const items: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, -1);
      items.push(popReply(L, scriptResp, depth + 1));
    }
    lua.lua_pop(L, 1);
    return set(items);
  }
  lua.lua_pop(L, 1);
  const items: Reply[] = [];
  for (let j = 1; ; j++) {
    lua.lua_pushnumber(L, j);
    lua.lua_rawget(L, -2);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    items.push(popReply(L, scriptResp, depth + 1));
  }
  return array(items);
}

/**
 * The text Redis sends for a number argument of redis.call: `%.17g` (lua_tolstring would lose
 * precision), with glibc's spelling of infinities and NaN.
 */
export function numberArgument(d: number): string {
  if (Number.isNaN(d)) return '-nan';
  return formatDouble17g(d);
}

/** Pushes an array of Cairn strings as a Lua table (KEYS, ARGV). */
export function pushStringArray(L: LuaState, items: readonly string[], from: number, to: number): void {
  lua.lua_createtable(L, to - from, 0);
  for (let i = from; i < to; i++) {
    lua.lua_pushstring(L, toLua(items[i]!));
    lua.lua_rawseti(L, -2, i - from + 1);
  }
}
