// Function libraries (FUNCTION LOAD): each library is Lua code whose main chunk registers named
// functions with redis.register_function. Libraries are data: they are logged (FUNCTION LOAD is a
// write), kept in snapshots and dumped with FUNCTION DUMP, and survive restarts.
import * as errors from '../../core/errors.js';
import { bulk, type Reply } from '../../core/reply.js';
import { fromLua, lauxlib, lua, name as luaName, type LuaState } from './lua.js';
import type { LuaSandbox } from './lua-sandbox.js';
import { pushErrorTable } from './lua-convert.js';
import { flagsFrom, parseLibraryShebang, type ScriptFlags } from './shebang.js';

export interface LuaFunction {
  readonly name: string;
  readonly description: string | null;
  readonly flags: ScriptFlags;
  /** Registry reference of the callback in the function Lua state. */
  readonly ref: number;
  readonly library: string;
}

export interface Library {
  readonly name: string;
  readonly code: string;
  readonly functions: Map<string, LuaFunction>;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

export class FunctionLibraries {
  readonly libraries = new Map<string, Library>();
  private readonly byFunction = new Map<string, LuaFunction>();
  /** The library being loaded: register_function adds to it. */
  private pending: { library: string; functions: Map<string, LuaFunction> } | null = null;

  find(fn: string): LuaFunction | undefined {
    return this.byFunction.get(fn);
  }

  get functionCount(): number {
    return this.byFunction.size;
  }

  /**
   * FUNCTION LOAD: compiles the code, runs its main chunk (runLoader) and installs the library.
   * Returns the library name, or the error reply.
   */
  load(code: string, replace: boolean, sandbox: LuaSandbox, runLoader: (ref: number) => string | null): Reply {
    const result = this.compileAndRegister(code, replace, sandbox, runLoader);
    if ('error' in result) return result.error;
    return bulk(result.library.name);
  }

  /** The work of load, returning the library (also used by RESTORE and start-up). */
  compileAndRegister(code: string, replace: boolean, sandbox: LuaSandbox, runLoader: (ref: number) => string | null): { library: Library } | { error: Reply } {
    const meta = parseLibraryShebang(code);
    if ('error' in meta) return meta;
    if (!NAME_RE.test(meta.name)) return { error: errors.err(errors.scriptApiText.libraryNameInvalid) };
    const existing = this.libraries.get(meta.name);
    if (existing !== undefined && !replace) return { error: errors.libraryExists(meta.name) };
    const compiled = sandbox.compile(meta.code, '@user_function');
    if ('error' in compiled) return { error: errors.functionCompile(compiled.error) };
    this.pending = { library: meta.name, functions: new Map() };
    let failure: string | null;
    try {
      failure = runLoader(compiled.ref);
    } finally {
      sandbox.release(compiled.ref);
    }
    const registered = this.pending.functions;
    this.pending = null;
    const dropAll = () => {
      for (const fn of registered.values()) sandbox.release(fn.ref);
    };
    if (failure !== null) {
      dropAll();
      return { error: errors.functionRegistering(failure) };
    }
    if (registered.size === 0) return { error: errors.noFunctionsRegistered() };
    for (const fnName of registered.keys()) {
      const other = this.byFunction.get(fnName);
      if (other !== undefined && other.library !== meta.name) {
        dropAll();
        return { error: errors.functionExists(fnName) };
      }
    }
    if (existing !== undefined) this.remove(existing, sandbox);
    const library: Library = { name: meta.name, code, functions: registered };
    this.libraries.set(meta.name, library);
    for (const fn of registered.values()) this.byFunction.set(fn.name, fn);
    return { library };
  }

  /** Removes a library (FUNCTION DELETE); false when there is none by that name. */
  delete(libraryName: string, sandbox: LuaSandbox | null): boolean {
    const lib = this.libraries.get(libraryName);
    if (lib === undefined) return false;
    this.remove(lib, sandbox);
    return true;
  }

  private remove(lib: Library, sandbox: LuaSandbox | null): void {
    for (const fn of lib.functions.values()) {
      this.byFunction.delete(fn.name);
      sandbox?.release(fn.ref);
    }
    this.libraries.delete(lib.name);
  }

  clear(): void {
    this.libraries.clear();
    this.byFunction.clear();
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=..., callback=..., flags=..., description=...}. */
  registerFromLua(L: LuaState): number {
    const pending = this.pending;
    if (pending === null) return raiseTable(L, errors.scriptApiText.registerOutsideLoad);
    const argc = lua.lua_gettop(L) as number;
    let fnName: string | null = null;
    let description: string | null = null;
    let flags: ScriptFlags = { compat: false, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
    if (argc === 1 && lua.lua_type(L, 1) === lua.LUA_TTABLE) {
      let haveCallback = false;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1) !== 0) {
        if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) return raiseTable(L, errors.scriptApiText.registerUnknownArgument);
        const key = fromLua(lua.lua_tolstring(L, -2));
        if (key === 'function_name') {
          if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) return raiseTable(L, errors.scriptApiText.registerFunctionName);
          fnName = fromLua(lua.lua_tolstring(L, -1));
        } else if (key === 'description') {
          if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) return raiseTable(L, errors.scriptApiText.registerDescription);
          description = fromLua(lua.lua_tolstring(L, -1));
        } else if (key === 'callback') {
          if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) return raiseTable(L, errors.scriptApiText.registerCallback);
          haveCallback = true;
        } else if (key === 'flags') {
          const parsed = readFlags(L);
          if (parsed === null) return raiseTable(L, errors.scriptApiText.registerFlags);
          if (typeof parsed === 'string') return raiseTable(L, errors.scriptApiText.registerUnknownFlag);
          flags = parsed;
        } else {
          return raiseTable(L, errors.scriptApiText.registerUnknownArgument);
        }
        lua.lua_pop(L, 1);
      }
      if (fnName === null) return raiseTable(L, errors.scriptApiText.registerNameMissing);
      if (!haveCallback) return raiseTable(L, errors.scriptApiText.registerCallbackMissing);
      lua.lua_getfield(L, 1, luaName('callback'));
    } else {
      if (argc !== 2) return raiseTable(L, errors.scriptApiText.registerArity);
      if (lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseTable(L, errors.scriptApiText.registerFunctionName);
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return raiseTable(L, errors.scriptApiText.registerCallback);
      fnName = fromLua(lua.lua_tolstring(L, 1));
      lua.lua_pushvalue(L, 2);
    }
    if (!NAME_RE.test(fnName)) return raiseTable(L, errors.scriptApiText.libraryNameInvalid); // sic: Redis 7.0 names libraries here
    if (pending.functions.has(fnName)) return raiseTable(L, 'Function already exists in the library');
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
    pending.functions.set(fnName, { name: fnName, description, flags, ref, library: pending.library });
    return 0;
  }
}

/** The flags table of register_function: flag words, or the unknown word, or null when not a table of strings. */
function readFlags(L: LuaState): ScriptFlags | string | null {
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return null;
  const words: string[] = [];
  const n = lua.lua_rawlen(L, -1) as number;
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, -1, i);
    if (lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      lua.lua_pop(L, 1);
      return null;
    }
    words.push(fromLua(lua.lua_tolstring(L, -1)));
    lua.lua_pop(L, 1);
  }
  return flagsFrom(words);
}

function raiseTable(L: LuaState, text: string): number {
  pushErrorTable(L, text);
  return lua.lua_error(L) as number;
}
