// One sandboxed Lua state as Redis 7.0 builds it (script_lua.c): the base, table, string and
// math libraries plus cjson, cmsgpack, bit and struct; no os, io, package or debug; Lua 5.1 names
// scripts still use (unpack, loadstring, table.getn, math.mod ...); a read-only global table that
// refuses new globals and raises on unknown ones; read-only library tables. EVAL scripts and
// function libraries each get their own state, as in Redis.
import { openBit } from './lua-bit.js';
import { openCjson } from './lua-cjson.js';
import { openCmsgpack } from './lua-cmsgpack.js';
import { openStruct } from './lua-struct.js';
import { fengari, fromLua, lauxlib, lua, luaMessage51, lualib, name, raiseAt, toLua, type LuaState } from './lua.js';

/** The JS side of the `redis` table: what a running script may ask of the server. */
export interface RedisApi {
  call(L: LuaState): number;
  pcall(L: LuaState): number;
  setresp(L: LuaState): number;
  setRepl(L: LuaState): number;
  log(L: LuaState): number;
  sha1hex(L: LuaState): number;
  random(L: LuaState): number;
  randomseed(L: LuaState): number;
  /** FUNCTION LOAD only: redis.register_function. */
  registerFunction(L: LuaState): number;
}

export type SandboxKind = 'eval' | 'function';

/**
 * Lua run once at start-up to finish the sandbox. Receives the real globals, the library tables
 * to protect and the JS helpers; returns the protected globals proxy and, for function states,
 * the API table library code sees while FUNCTION LOAD runs.
 */
const PRELUDE = `
local G, readonly_error, missing_global, load_redis = ...
local protected = setmetatable({}, { __mode = 'k' })
local raw_setmetatable, raw_rawset, lua_pcall, t_unpack, t_pack = setmetatable, rawset, pcall, table.unpack, table.pack
local next = next

local function protect(t)
  local proxy = {}
  protected[proxy] = true
  raw_setmetatable(proxy, {
    __index = t, __newindex = readonly_error,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
    __metatable = false,
  })
  return proxy
end

-- Lua 5.1 names scripts written for Redis use.
G.unpack = t_unpack
G.loadstring = function(s, chunkname) return load(s, chunkname, 't') end
G.gcinfo = function() return math.floor(collectgarbage('count')) end
table.getn = function(t) return #t end
table.maxn = function(t) local m = 0 for k in next, t do if type(k) == 'number' and k > m then m = k end end return m end
table.foreach = function(t, f) for k, v in next, t do local r = f(k, v) if r ~= nil then return r end end end
table.foreachi = function(t, f) for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10) end
math.pow = math.pow or function(x, y) return x ^ y end
math.ldexp = math.ldexp or function(m, e) return m * 2.0 ^ e end
math.frexp = math.frexp or function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m = m / 2; e = e + 1 elseif math.abs(m) < 0.5 then m = m * 2; e = e - 1 end
  return m, e
end
math.cosh = math.cosh or function(x) return (math.exp(x) + math.exp(-x)) / 2 end
math.sinh = math.sinh or function(x) return (math.exp(x) - math.exp(-x)) / 2 end
math.tanh = math.tanh or function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
string.gfind = string.gmatch

-- Lua 5.1 truncates a non-integral number given to an integer format (%d ...); 5.3 refuses it.
local s_format, m_type, m_floor, m_ceil = string.format, math.type, math.floor, math.ceil
string.format = function(fmt, ...)
  local args = t_pack(...)
  if type(fmt) == 'string' then
    local i = 0
    for spec in fmt:gmatch('%%[-+ #0]*%d*%.?%d*(.)') do
      if spec ~= '%' then
        i = i + 1
        local v = args[i]
        if (spec == 'd' or spec == 'i' or spec == 'x' or spec == 'X' or spec == 'o' or spec == 'c')
          and m_type(v) == 'float' and v == v and v ~= math.huge and v ~= -math.huge then
          args[i] = v >= 0 and m_floor(v) or m_ceil(v)
        end
      end
    end
  end
  return s_format(fmt, t_unpack(args, 1, args.n))
end

-- Names Lua 5.1 does not have.
G.rawlen, G.utf8, G.require, G.package = nil, nil, nil, nil
table.pack, table.unpack, table.move = nil, nil, nil
math.type, math.tointeger, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
string.pack, string.unpack, string.packsize = nil, nil, nil

-- Redis 7's pcall hands back the message of an error table, as older versions did with strings.
G.pcall = function(...)
  local r = t_pack(lua_pcall(...))
  if not r[1] and type(r[2]) == 'table' then
    local e = r[2].err
    if type(e) == 'string' or type(e) == 'number' then return false, e end
  end
  return t_unpack(r, 1, r.n)
end

G.rawset = function(t, k, v)
  if protected[t] then readonly_error(t, k, v) end
  return raw_rawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if protected[t] then readonly_error(t) end
  return raw_setmetatable(t, mt)
end

for _, lib in ipairs({ 'string', 'table', 'math', 'coroutine', 'cjson', 'cmsgpack', 'bit', 'struct', 'redis' }) do
  if G[lib] ~= nil then G[lib] = protect(G[lib]) end
end
getmetatable('').__index = G.string

-- The globals scripts see: empty and read-only; reads fall through to G, which raises on
-- names it does not have. Function states switch what G's reads fall through to while a
-- library loads (the restricted 'redis' table).
local env = {}
protected[env] = true
local env_mt = { __index = G, __newindex = readonly_error, __pairs = function() return next, G, nil end, __metatable = false }
raw_setmetatable(env, env_mt)
G._G = env
raw_setmetatable(G, { __index = missing_global })
local load_index = nil
if load_redis ~= nil then
  raw_setmetatable(load_redis, { __index = missing_global })
  load_index = raw_setmetatable({ redis = protect(load_redis) }, { __index = G })
end
return env, env_mt, load_index
`;

export class LuaSandbox {
  readonly L: LuaState;
  /** Registry reference of the real globals table (KEYS and ARGV are set there). */
  private readonly globalsRef: number;
  private readonly envRef: number;
  private readonly envMetaRef: number;
  /** Function states: the globals seen while FUNCTION LOAD runs library code. */
  private readonly loadGlobalsRef: number;

  constructor(
    readonly kind: SandboxKind,
    api: RedisApi,
    version: { text: string; num: number },
  ) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    lua.lua_atnativeerror(L, (L2: LuaState) => {
      // A JavaScript exception inside Lua (a bug, or V8 refusing an allocation) becomes a Lua error.
      const e = lua.lua_touserdata(L2, -1) as unknown;
      lua.lua_pushstring(L2, toLua(e instanceof RangeError ? `out of memory (${e.message})` : `internal error: ${String((e as Error)?.message ?? e)}`));
      return 1;
    });
    for (const [libName, open] of [['_G', lualib.luaopen_base], ['table', lualib.luaopen_table], ['string', lualib.luaopen_string], ['math', lualib.luaopen_math], ['coroutine', lualib.luaopen_coroutine]] as const) {
      lauxlib.luaL_requiref(L, fengari.to_luastring(libName), open, 1);
      lua.lua_pop(L, 1);
    }
    for (const [libName, open] of [['cjson', openCjson], ['cmsgpack', openCmsgpack], ['bit', openBit], ['struct', openStruct]] as const) {
      open(L);
      lua.lua_setglobal(L, name(libName));
    }
    // Names the base library adds that Redis does not offer.
    for (const g of ['dofile', 'loadfile', 'print']) {
      lua.lua_pushnil(L);
      lua.lua_setglobal(L, name(g));
    }
    this.pushRedisTable(api, version, 'run');
    lua.lua_setglobal(L, name('redis'));
    lua.lua_getglobal(L, name('math'));
    lua.lua_pushcfunction(L, api.random);
    lua.lua_setfield(L, -2, name('random'));
    lua.lua_pushcfunction(L, api.randomseed);
    lua.lua_setfield(L, -2, name('randomseed'));
    lua.lua_pop(L, 1);
    lua.lua_pushcfunction(L, (L2: LuaState) => {
      // The error handler Redis exposes; errors are shaped after the run (lua-errors.ts).
      lua.lua_settop(L2, 1);
      return 1;
    });
    lua.lua_setglobal(L, name('__redis__err__handler'));

    if (lauxlib.luaL_loadbuffer(L, fengari.to_luastring(PRELUDE), null, name('=prelude')) !== 0) {
      throw new Error(`scripting prelude: ${fromLua(lua.lua_tolstring(L, -1))}`);
    }
    lua.lua_pushglobaltable(L);
    lua.lua_pushcfunction(L, (L2: LuaState) => raiseAt(L2, 1, 'Attempt to modify a readonly table'));
    lua.lua_pushcfunction(L, (L2: LuaState) => {
      const key = lua.lua_type(L2, 2) === lua.LUA_TSTRING || lua.lua_type(L2, 2) === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(L2, 2)) : '?';
      return raiseAt(L2, 1, `Script attempted to access nonexistent global variable '${key}'`);
    });
    if (kind === 'function') this.pushRedisTable(api, version, 'load');
    else lua.lua_pushnil(L);
    lua.lua_call(L, 4, 3);
    // Stack: env, env_mt, load_index (function states: the globals library code sees while
    // FUNCTION LOAD runs it, where 'redis' offers register_function, log and the version only).
    this.loadGlobalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.envMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushglobaltable(L);
    this.globalsRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_gc(L, lua.LUA_GCCOLLECT, 0);
  }

  private pushRedisTable(api: RedisApi, version: { text: string; num: number }, phase: 'run' | 'load'): void {
    const L = this.L;
    lua.lua_createtable(L, 0, 24);
    const fn = (key: string, f: (L: LuaState) => number) => {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, name(key));
    };
    const num = (key: string, n: number) => {
      lua.lua_pushnumber(L, n);
      lua.lua_setfield(L, -2, name(key));
    };
    fn('log', api.log);
    num('LOG_DEBUG', 0);
    num('LOG_VERBOSE', 1);
    num('LOG_NOTICE', 2);
    num('LOG_WARNING', 3);
    num('REDIS_VERSION_NUM', version.num);
    lua.lua_pushstring(L, toLua(version.text));
    lua.lua_setfield(L, -2, name('REDIS_VERSION'));
    if (phase === 'load') {
      fn('register_function', api.registerFunction);
      return;
    }
    fn('call', api.call);
    fn('pcall', api.pcall);
    fn('setresp', api.setresp);
    fn('sha1hex', api.sha1hex);
    fn('error_reply', errorReply);
    fn('status_reply', statusReply);
    fn('set_repl', api.setRepl);
    num('REPL_NONE', 0);
    num('REPL_AOF', 1);
    num('REPL_SLAVE', 2);
    num('REPL_REPLICA', 2);
    num('REPL_ALL', 3);
    if (this.kind === 'eval') {
      // Always on since Redis 7 (effects replication); kept for scripts that still call it.
      fn('replicate_commands', (L2) => {
        lua.lua_pushboolean(L2, 1);
        return 1;
      });
      // The script debugger is not offered: outside a debugging session Redis's breakpoint
      // answers false and debug does nothing, which is what scripts get here.
      fn('breakpoint', (L2) => {
        lua.lua_pushboolean(L2, 0);
        return 1;
      });
      fn('debug', () => 0);
    }
  }

  /** Compiles `body` with the sandbox's globals; returns a registry reference or the Lua error text. */
  compile(body: string, chunkName: string): { ref: number } | { error: string } {
    const L = this.L;
    if (lauxlib.luaL_loadbufferx(L, toLua(body), null, fengari.to_luastring(chunkName), fengari.to_luastring('t')) !== 0) {
      const msg = luaMessage51(fromLua(lua.lua_tolstring(L, -1) ?? new Uint8Array()));
      lua.lua_pop(L, 1);
      return { error: msg };
    }
    this.pushEnv();
    lua.lua_setupvalue(L, -2, 1); // the chunk's _ENV
    return { ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
  }

  release(ref: number): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, ref);
  }

  pushEnv(): void {
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, this.envRef);
  }

  /** Sets a global in the real globals table, bypassing the protection (KEYS, ARGV). */
  setGlobalFromTop(key: string, L: LuaState = this.L): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef);
    lua.lua_insert(L, -2);
    lua.lua_setfield(L, -2, name(key));
    lua.lua_pop(L, 1);
  }

  /** Function states: while a library loads, its reads fall through to the load-time globals. */
  setLoading(loading: boolean): void {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envMetaRef);
    if (loading) lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.loadGlobalsRef);
    else lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.globalsRef);
    lua.lua_setfield(L, -2, name('__index'));
    lua.lua_pop(L, 1);
  }

  /** Heap the Lua state holds, in bytes (fengari estimates it like Lua's collectgarbage('count')). */
  memoryBytes(): number {
    return (lua.lua_gc(this.L, lua.LUA_GCCOUNT, 0) as number) * 1024 + (lua.lua_gc(this.L, lua.LUA_GCCOUNTB, 0) as number);
  }
}

function errorReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    pushErrorTableSimple(L, 'ERR wrong number or type of arguments');
    return 1;
  }
  const text = fromLua(lua.lua_tolstring(L, -1));
  const dashed = text.startsWith('-') ? text : `-${text}`;
  const space = dashed.indexOf(' ');
  const code = space < 0 ? 'ERR' : dashed.slice(1, space);
  const msg = (space < 0 ? dashed.slice(1) : dashed.slice(space + 1)).replace(/^[\r\n]+|[\r\n]+$/g, '');
  pushErrorTableSimple(L, `${code} ${msg}`);
  return 1;
}

function statusReply(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    pushErrorTableSimple(L, 'ERR wrong number or type of arguments');
    return 1;
  }
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, -2);
  lua.lua_setfield(L, -2, name('ok'));
  return 1;
}

function pushErrorTableSimple(L: LuaState, text: string): void {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, toLua(text));
  lua.lua_setfield(L, -2, name('err'));
}

