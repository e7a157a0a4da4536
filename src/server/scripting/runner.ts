// Running Lua scripts inside the command call: EVAL scripts by SHA1 and function libraries, the
// `redis` API's way back into the engine (redis.call goes through the same call path as any
// client command), and the busy state: a script that runs past busy-reply-threshold yields to the
// event loop between slices so other clients get -BUSY and SCRIPT KILL / FUNCTION KILL /
// SHUTDOWN NOSAVE can reach it (docs/design/lua-scripting.md). Nothing else runs meanwhile.
import { createHash } from 'node:crypto';
import type { CommandSpec } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import { BLOCKED, OK, ReplyKind, type Reply } from '../../core/reply.js';
import { REDIS_COMPAT_VERSION } from '../../version.js';
import type { ServerContext } from '../context.js';
import type { Engine } from '../engine.js';
import { SILENT_TRANSPORT, Session } from '../session.js';
import { numberArgument, popReply, pushErrorTable, pushReply, pushStringArray } from './lua-convert.js';
import { LuaSandbox, type RedisApi } from './lua-sandbox.js';
import { fromLua, lauxlib, lua, luaMessage51, name, toLua, type LuaState } from './lua.js';
import { FunctionLibraries } from './functions.js';
import { parseEvalShebang, parseLibraryShebang, type ScriptFlags } from './shebang.js';
import { Lrand48 } from './lrand48.js';

interface CachedScript {
  readonly body: string;
  readonly ref: number;
  readonly flags: ScriptFlags;
}

/** One script or function call in progress. */
export interface ScriptRun {
  readonly caller: Session;
  readonly client: Session;
  readonly isEval: boolean;
  /** The SHA1 of an EVAL script or the function's name (error texts, FUNCTION STATS). */
  readonly name: string;
  readonly argv: readonly string[];
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  readonly oomAtStart: boolean;
  readonly sandbox: LuaSandbox;
  readonly thread: LuaState;
  readonly threadRef: number;
  readonly chunkSource: string;
  readonly startedMicros: number;
  /** Keys expire by the time the script started, as Redis 7 freezes time for a script. */
  readonly frozenMs: number;
  /** Whether the script may give the event loop a turn (a network client, outside MULTI). */
  readonly canYield: boolean;
  readonly heapAtStart: number | null;
  wrote: boolean;
  resp: 2 | 3;
  /** redis.set_repl flags: 0 drops the effects of the writes that follow. */
  repl: number;
  killed: boolean;
  instructions: number;
  sliceStartMicros: number;
  /** FUNCTION LOAD runs library code under a time limit instead of the busy machinery. */
  loadDeadlineMicros: number | null;
}


export type EvalMode = { readonly bySha: boolean; readonly readOnly: boolean };

export class ScriptRunner {
  private evalSandbox: LuaSandbox | null = null;
  private functionSandbox: LuaSandbox | null = null;
  private readonly scripts = new Map<string, CachedScript>();
  functions = new FunctionLibraries();
  /** The script or function running now (its frames are on the Lua stack). */
  current: ScriptRun | null = null;
  /** Set while a script past busy-reply-threshold has yielded to the event loop. */
  suspended: ScriptRun | null = null;
  private readonly rng = new Lrand48();
  private readonly scriptClient: Session;
  private readonly api: RedisApi;
  private runsSinceGc = 0;

  constructor(private readonly engine: Engine) {
    this.scriptClient = new Session(0, SILENT_TRANSPORT, 'lua', '', engine.clock.nowMs(), false);
    this.scriptClient.canBlock = false;
    const s = this.scriptClient;
    s.ctx = {
      ks: engine.ks, db: engine.ks.db(0), client: s, session: s, engine, effectRewritten: false, blockingAllowed: false, readyKey: null,
      block: (_keys, _timeoutMs, timeoutReply) => timeoutReply,
    };
    this.api = {
      call: (L) => this.redisCall(L, true),
      pcall: (L) => this.redisCall(L, false),
      setresp: (L) => this.setResp(L),
      setRepl: (L) => this.setRepl(L),
      log: (L) => this.log(L),
      sha1hex: (L) => this.sha1hexApi(L),
      random: (L) => this.random(L),
      randomseed: (L) => this.randomseed(L),
      registerFunction: (L) => this.functions.registerFromLua(L),
    };
  }

  /** True while a script has the server (between its slices too). */
  get busy(): boolean {
    return this.suspended !== null;
  }

  /** The number of scripts in the EVAL cache (INFO memory number_of_cached_scripts). */
  get cachedScripts(): number {
    return this.scripts.size;
  }

  /** What the engine asks before running a command while a script is busy (Redis processCommand). */
  admission(spec: CommandSpec<ServerContext>, fullName: string, argv: readonly string[]): Reply | null {
    const run = this.suspended;
    if (run === null) return null;
    if (!spec.flags.includes('allow_busy')) return errors.busyScript(run.isEval);
    if (fullName === 'shutdown' && !argv.slice(1).some((a) => a.toUpperCase() === 'NOSAVE')) return errors.busyScript(run.isEval);
    return null;
  }

  private sandbox(kind: 'eval' | 'function'): LuaSandbox {
    const version = { text: REDIS_COMPAT_VERSION, num: versionNumber(REDIS_COMPAT_VERSION) };
    if (kind === 'eval') return (this.evalSandbox ??= new LuaSandbox('eval', this.api, version));
    return (this.functionSandbox ??= new LuaSandbox('function', this.api, version));
  }

  // ---- the script cache ------------------------------------------------------------------

  /** Compiles and caches a script; returns its SHA1 or the error reply. */
  load(body: string): { sha: string; script: CachedScript } | { error: Reply } {
    const sha = sha1hex(body);
    const cached = this.scripts.get(sha);
    if (cached !== undefined) return { sha, script: cached };
    const parsed = parseEvalShebang(body);
    if ('error' in parsed) return parsed;
    const compiled = this.sandbox('eval').compile(parsed.code, '@user_script');
    if ('error' in compiled) return { error: errors.scriptCompile(compiled.error) };
    const script = { body, ref: compiled.ref, flags: parsed.flags };
    this.scripts.set(sha, script);
    return { sha, script };
  }

  exists(sha: string): boolean {
    return this.scripts.has(sha.toLowerCase());
  }

  /** SCRIPT FLUSH: forgets every cached script and starts a fresh Lua state, as Redis does. */
  flushScripts(): void {
    this.scripts.clear();
    this.evalSandbox = null;
  }

  /** FUNCTION FLUSH and RESTORE FLUSH: a fresh state for the libraries. */
  resetFunctionState(): void {
    this.functionSandbox = null;
  }

  // ---- EVAL and FCALL ----------------------------------------------------------------------

  eval(ctx: ServerContext, argv: string[], mode: EvalMode): Reply {
    const keys = numkeys(argv);
    if (typeof keys !== 'number') return keys;
    let script: CachedScript;
    let sha: string;
    if (mode.bySha) {
      sha = argv[1]!.toLowerCase();
      const found = this.scripts.get(sha);
      if (found === undefined) return errors.noScript();
      script = found;
    } else {
      const loaded = this.load(argv[1]!);
      if ('error' in loaded) return loaded.error;
      script = loaded.script;
      sha = loaded.sha;
    }
    const refused = this.checkFlags(script.flags, mode.readOnly);
    if (refused !== null) return refused;
    const sandbox = this.sandbox('eval');
    return this.start(ctx, argv, {
      isEval: true, name: sha, sandbox, ref: script.ref, chunkSource: '@user_script',
      readOnly: mode.readOnly || (!script.flags.compat && script.flags.noWrites),
      allowOom: !script.flags.compat && script.flags.allowOom,
      keys,
    });
  }

  fcall(ctx: ServerContext, argv: string[], readOnly: boolean): Reply {
    const fn = this.functions.find(argv[1]!);
    if (fn === undefined) return errors.functionNotFound();
    const keys = numkeys(argv);
    if (typeof keys !== 'number') return keys;
    const refused = this.checkFlags(fn.flags, readOnly);
    if (refused !== null) return refused;
    return this.start(ctx, argv, {
      isEval: false, name: fn.name, sandbox: this.sandbox('function'), ref: fn.ref, chunkSource: '@user_function',
      readOnly: readOnly || fn.flags.noWrites, allowOom: fn.flags.allowOom, keys,
    });
  }

  /** The checks Redis makes before a script with flags runs (scriptPrepareForRun). */
  private checkFlags(flags: ScriptFlags, readOnlyCommand: boolean): Reply | null {
    if (flags.compat || flags.noWrites) return null;
    if (readOnlyCommand) return errors.writeScriptWithRo();
    if (!flags.allowOom && this.outOfMemory()) return errors.oom();
    return null;
  }

  private outOfMemory(): boolean {
    const max = this.engine.eviction.maxmemory;
    return max > 0 && this.engine.usedMemory() > max;
  }

  private start(
    ctx: ServerContext,
    argv: string[],
    what: { isEval: boolean; name: string; sandbox: LuaSandbox; ref: number; chunkSource: string; readOnly: boolean; allowOom: boolean; keys: number },
  ): Reply {
    const engine = this.engine;
    const L = what.sandbox.L;
    const thread = lua.lua_newthread(L);
    const keepAlive = registryRef(L);
    const caller = ctx.session;
    const client = this.scriptClient;
    client.db = caller.db;
    client.resp = 2;
    client.user = caller.user;
    const now = engine.clock.monotonicMicros();
    const run: ScriptRun = {
      caller, client, isEval: what.isEval, name: what.name, argv, readOnly: what.readOnly, allowOom: what.allowOom,
      oomAtStart: this.outOfMemory(), sandbox: what.sandbox, thread, threadRef: keepAlive, chunkSource: what.chunkSource,
      startedMicros: now, frozenMs: engine.ks.now,
      canYield: ctx.blockingAllowed && caller.transport.kind === 'tcp' && engine.blocking.scheduler !== null,
      heapAtStart: engine.hooks.memory?.().heapUsed ?? null,
      wrote: false, resp: 2, repl: 3, killed: false, instructions: 0, sliceStartMicros: now, loadDeadlineMicros: null,
    };
    // The function and its arguments go on the new thread: KEYS and ARGV globals for EVAL,
    // two table arguments for a function.
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, what.ref);
    let nargs = 0;
    const firstKey = 3;
    const firstArg = firstKey + what.keys;
    if (what.isEval) {
      pushStringArray(thread, argv, firstKey, firstArg);
      what.sandbox.setGlobalFromTop('KEYS', thread);
      pushStringArray(thread, argv, firstArg, argv.length);
      what.sandbox.setGlobalFromTop('ARGV', thread);
    } else {
      pushStringArray(thread, argv, firstKey, firstArg);
      pushStringArray(thread, argv, firstArg, argv.length);
      nargs = 2;
    }
    this.current = run;
    lua.lua_sethook(thread, this.hook, lua.LUA_MASKCOUNT, limits.scriptHookInstructions);
    return this.resume(run, nargs);
  }

  /** Runs the script until it ends or yields; a yield past the threshold makes the server busy. */
  private resume(run: ScriptRun, nargs: number): Reply {
    this.engine.ks.now = run.frozenMs;
    run.sliceStartMicros = this.engine.clock.monotonicMicros();
    const status = lua.lua_resume(run.thread, null, nargs) as number;
    if (status === lua.LUA_YIELD) {
      const first = this.suspended === null;
      this.suspended = run;
      if (first) this.engine.log.warning('a script is running slowly; other clients get BUSY until it ends', { script: run.name });
      this.engine.blocking.scheduler!(0, () => this.continueSuspended(run));
      return BLOCKED;
    }
    return this.finish(run, status);
  }

  private continueSuspended(run: ScriptRun): void {
    if (this.suspended !== run) return;
    this.current = run;
    const reply = this.resume(run, 0);
    if (reply === BLOCKED) return;
    this.suspended = null;
    const engine = this.engine;
    engine.flushEffects(true);
    engine.blocking.serveReadyKeys();
    run.caller.transport.unblocked(reply);
  }

  private finish(run: ScriptRun, status: number): Reply {
    const T = run.thread;
    let reply: Reply;
    if (status === lua.LUA_OK) {
      if (lua.lua_gettop(T) === 0) lua.lua_pushnil(T);
      lua.lua_settop(T, 1);
      reply = popReply(T, run.resp);
    } else {
      reply = this.errorReply(run, T);
    }
    lua.lua_sethook(T, null, 0, 0);
    unrefRegistry(run.sandbox.L, run.threadRef);
    this.current = null;
    this.engine.ks.now = this.engine.commandNowMs();
    if (++this.runsSinceGc >= 50) {
      // A small collection step now and then, as Redis does, instead of an occasional long one.
      this.runsSinceGc = 0;
      lua.lua_gc(run.sandbox.L, lua.LUA_GCSTEP, 50);
    }
    return reply;
  }

  /** Shapes a script error as Redis's error handler does: message, then where it happened. */
  private errorReply(run: ScriptRun, T: LuaState): Reply {
    const where = errorLocation(T);
    lua.lua_checkstack(T, 5);
    let message: string;
    if (lua.lua_type(T, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(T, -1, name('err'));
      const t = lua.lua_type(T, -1);
      message = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(T, -1)) : 'ERR unknown error';
      lua.lua_pop(T, 1);
    } else {
      const t = lua.lua_type(T, -1);
      const text = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(T, -1)) : t === lua.LUA_TNIL ? 'nil' : fromLua(lua.lua_typename(T, t));
      message = `ERR ${luaMessage51(text)}`;
    }
    const suffix = where === null ? '' : ` script: ${run.name}, on ${where.source}:${where.line}.`;
    return errors.fromScript(message + suffix);
  }

  /** The count hook: time, kill requests, memory; yields when the script is past the threshold. */
  private readonly hook = (T: LuaState): void => {
    const run = this.current;
    if (run === null) return;
    run.instructions += limits.scriptHookInstructions;
    if (run.killed) {
      // Raised at every line from now on, so pcall cannot keep the script alive.
      lua.lua_sethook(T, this.hook, lua.LUA_MASKLINE, 0);
      pushErrorTable(T, errors.scriptApiText.killed);
      lua.lua_error(T);
      return;
    }
    if (run.heapAtStart !== null && run.instructions % limits.scriptMemoryCheckInstructions < limits.scriptHookInstructions) {
      const heap = this.engine.hooks.memory?.().heapUsed ?? 0;
      if (heap - run.heapAtStart > limits.scriptMemoryBytesMax) {
        pushErrorTable(T, errors.scriptApiText.memory);
        lua.lua_error(T);
        return;
      }
    }
    const now = this.engine.clock.monotonicMicros();
    if (run.loadDeadlineMicros !== null) {
      if (now > run.loadDeadlineMicros) {
        pushErrorTable(T, errors.libraryLoadTimeout().v as string);
        lua.lua_error(T);
      }
      return;
    }
    if (!run.canYield || !lua.lua_isyieldable(T)) return;
    if (this.suspended === run) {
      if (now - run.sliceStartMicros >= limits.scriptBusySliceMs * 1000) lua.lua_yield(T, 0);
      return;
    }
    const thresholdMs = this.engine.config.int('busy-reply-threshold');
    if (thresholdMs > 0 && now - run.startedMicros >= thresholdMs * 1000) lua.lua_yield(T, 0);
  };

  /** SCRIPT KILL (isEval) or FUNCTION KILL. */
  kill(isEval: boolean): Reply {
    const run = this.suspended;
    if (run === null) return errors.notBusy();
    if (run.wrote) return errors.unkillable();
    if (run.isEval !== isEval) return errors.busyScript(run.isEval);
    run.killed = true;
    return OK;
  }

  /** FUNCTION STATS running_script: the function running now, or null. */
  runningFunction(): { name: string; argv: readonly string[]; durationMs: number } | null {
    const run = this.suspended;
    if (run === null || run.isEval) return null;
    return { name: run.name, argv: run.argv, durationMs: Math.floor((this.engine.clock.monotonicMicros() - run.startedMicros) / 1000) };
  }

  // ---- FUNCTION LOAD -----------------------------------------------------------------------

  /** Compiles and runs a library's code with the load-time API; returns the library name. */
  loadLibrary(code: string, replace: boolean): Reply {
    const sandbox = this.sandbox('function');
    return this.functions.load(code, replace, sandbox, (fnRef) => this.runLoader(sandbox, fnRef));
  }

  /** The source code of every library, in load order (snapshots, FUNCTION DUMP). */
  libraryCodes(): string[] {
    return [...this.functions.libraries.values()].map((l) => l.code);
  }

  deleteLibrary(libraryName: string): boolean {
    return this.functions.delete(libraryName, this.functionSandbox);
  }

  /** FUNCTION FLUSH: no libraries, and a fresh Lua state for the next ones. */
  flushFunctions(): void {
    this.functions.clear();
    this.functionSandbox = null;
  }

  /** FUNCTION RESTORE with its policy: all or nothing. */
  restoreLibraries(codes: readonly string[], policy: 'APPEND' | 'FLUSH' | 'REPLACE'): Reply {
    const incoming = new Set<string>();
    for (const code of codes) {
      const meta = parseLibraryShebang(code);
      if ('error' in meta) return meta.error;
      incoming.add(meta.name);
    }
    const current = [...this.functions.libraries.values()];
    let kept: string[] = [];
    if (policy === 'APPEND') {
      for (const lib of current) if (incoming.has(lib.name)) return errors.libraryExistsOnRestore(lib.name);
      kept = current.map((l) => l.code);
    } else if (policy === 'REPLACE') {
      kept = current.filter((l) => !incoming.has(l.name)).map((l) => l.code);
    }
    return this.replaceAllLibraries([...kept, ...codes]) ?? OK;
  }

  /** Loads exactly these libraries into a fresh state, swapping them in only if all load. */
  replaceAllLibraries(codes: readonly string[]): Reply | null {
    const version = { text: REDIS_COMPAT_VERSION, num: versionNumber(REDIS_COMPAT_VERSION) };
    const fresh = new FunctionLibraries();
    const sandbox = new LuaSandbox('function', { ...this.api, registerFunction: (L) => fresh.registerFromLua(L) }, version);
    for (const code of codes) {
      const loaded = fresh.compileAndRegister(code, false, sandbox, (ref) => this.runLoader(sandbox, ref));
      if ('error' in loaded) return loaded.error;
    }
    this.functions = fresh;
    this.functionSandbox = sandbox;
    return null;
  }

  /** Runs a library's main chunk under FUNCTION LOAD's time limit; returns an error message or null. */
  private runLoader(sandbox: LuaSandbox, ref: number): string | null {
    const L = sandbox.L;
    const thread = lua.lua_newthread(L);
    const keepAlive = registryRef(L);
    const now = this.engine.clock.monotonicMicros();
    const run: ScriptRun = {
      caller: this.scriptClient, client: this.scriptClient, isEval: false, name: 'load', argv: [], readOnly: true, allowOom: false,
      oomAtStart: false, sandbox, thread, threadRef: keepAlive, chunkSource: '@user_function', startedMicros: now, frozenMs: this.engine.ks.now,
      canYield: false, heapAtStart: this.engine.hooks.memory?.().heapUsed ?? null, wrote: false, resp: 2, repl: 3, killed: false,
      instructions: 0, sliceStartMicros: now, loadDeadlineMicros: now + limits.functionLoadTimeoutMs * 1000,
    };
    const previous = this.current;
    this.current = run;
    sandbox.setLoading(true);
    lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_sethook(thread, this.hook, lua.LUA_MASKCOUNT, limits.scriptHookInstructions);
    let status: number;
    try {
      status = lua.lua_resume(thread, null, 0) as number;
    } finally {
      sandbox.setLoading(false);
      this.current = previous;
    }
    let error: string | null = null;
    if (status !== lua.LUA_OK) {
      lua.lua_checkstack(thread, 5);
      if (lua.lua_type(thread, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(thread, -1, name('err'));
        error = lua.lua_type(thread, -1) === lua.LUA_TSTRING ? fromLua(lua.lua_tolstring(thread, -1)) : 'ERR unknown error';
      } else {
        const t = lua.lua_type(thread, -1);
        error = `ERR ${t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? luaMessage51(fromLua(lua.lua_tolstring(thread, -1))) : 'unknown error'}`;
      }
    }
    lua.lua_sethook(thread, null, 0, 0);
    unrefRegistry(L, keepAlive);
    return error;
  }

  // ---- the redis API -----------------------------------------------------------------------

  private redisCall(L: LuaState, raise: boolean): number {
    const run = this.current;
    if (run === null || run.loadDeadlineMicros !== null) {
      pushErrorTable(L, errors.scriptApiText.outsideScript);
      return lua.lua_error(L);
    }
    const argc = lua.lua_gettop(L) as number;
    if (argc === 0) return this.apiError(L, errors.scriptApiText.noArguments, raise);
    const argv: string[] = new Array(argc);
    for (let i = 1; i <= argc; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TNUMBER) argv[i - 1] = numberArgument(lua.lua_tonumber(L, i) as number);
      else if (t === lua.LUA_TSTRING) argv[i - 1] = fromLua(lua.lua_tolstring(L, i));
      else {
        lua.lua_settop(L, 0);
        return this.apiError(L, errors.scriptApiText.badArgument, raise);
      }
    }
    lua.lua_settop(L, 0);
    const outcome = this.dispatch(run, argv);
    if (typeof outcome === 'string') return this.apiError(L, outcome, raise);
    pushReply(L, outcome, run.resp);
    if (raise && outcome.k === ReplyKind.Error) return lua.lua_error(L);
    return 1;
  }

  private apiError(L: LuaState, text: string, raise: boolean): number {
    pushErrorTable(L, text);
    lua.lua_pushboolean(L, 1);
    lua.lua_setfield(L, -2, name('ignore_error_stats_update'));
    return raise ? lua.lua_error(L) : 1;
  }

  /** One command from a script: Redis's scriptCall checks, then the engine's own call path. */
  private dispatch(run: ScriptRun, argv: string[]): Reply | string {
    const engine = this.engine;
    const found = engine.resolve(argv);
    if (found === '' || found === 'unknown') return errors.scriptApiText.unknownCommand;
    if ('error' in found) return found.fullName === undefined ? errors.scriptApiText.unknownCommand : errors.scriptApiText.wrongArity;
    const { spec, fullName } = found;
    if (spec.flags.includes('noscript')) return errors.scriptApiText.noScript;
    const isWrite = spec.flags.includes('write');
    if (isWrite) {
      if (run.readOnly) return errors.scriptApiText.writeInReadOnly;
      const refusal = engine.persistence?.admit(run.client, spec, fullName) ?? null; // MISCONF
      if (refusal !== null) return '-' + (refusal.v as string);
    }
    if (!run.allowOom && !run.wrote && run.oomAtStart && spec.flags.includes('denyoom')) return '-' + (errors.oom().v as string);
    if (isWrite) run.wrote = true;
    const effectsBefore = engine.ks.pendingEffects();
    const reply = engine.call(run.client, spec, argv, fullName);
    if (run.repl === 0) engine.ks.dropEffectsFrom(effectsBefore);
    return reply;
  }

  private setResp(L: LuaState): number {
    const run = this.current;
    if (lua.lua_gettop(L) !== 1) return this.raiseApi(L, errors.scriptApiText.setrespArgs);
    const v = lua.lua_tonumber(L, 1) as number;
    if (v !== 2 && v !== 3) return this.raiseApi(L, errors.scriptApiText.respVersion);
    if (run !== null) {
      run.resp = v;
      run.client.resp = v;
    }
    return 0;
  }

  private setRepl(L: LuaState): number {
    const run = this.current;
    if (lua.lua_gettop(L) !== 1) return this.raiseApi(L, errors.scriptApiText.setReplArgs);
    const flags = Math.trunc(lua.lua_tonumber(L, 1) as number);
    if ((flags & ~3) !== 0) return this.raiseApi(L, errors.scriptApiText.replFlags);
    if (run !== null) run.repl = flags;
    return 0;
  }

  private log(L: LuaState): number {
    const argc = lua.lua_gettop(L) as number;
    if (argc < 2) return this.raiseApi(L, errors.scriptApiText.logArgs);
    if (!lua.lua_isnumber(L, 1)) return this.raiseApi(L, errors.scriptApiText.logLevelType);
    const level = Math.trunc(lua.lua_tonumber(L, 1) as number);
    if (level < 0 || level > 3) return this.raiseApi(L, errors.scriptApiText.logLevel);
    const parts: string[] = [];
    for (let i = 2; i <= argc; i++) {
      const t = lua.lua_type(L, i);
      if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) parts.push(fromLua(lua.lua_tolstring(L, i)));
    }
    const text = parts.join(' ');
    const log = this.engine.log;
    if (level === 0) log.debug(text);
    else if (level === 1) log.verbose(text);
    else if (level === 2) log.notice(text);
    else log.warning(text);
    return 0;
  }

  private sha1hexApi(L: LuaState): number {
    if (lua.lua_gettop(L) !== 1) return this.raiseApi(L, errors.scriptApiText.wrongArgs);
    const t = lua.lua_type(L, 1);
    const s = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? fromLua(lua.lua_tolstring(L, 1)) : '';
    lua.lua_pushstring(L, toLua(sha1hex(s)));
    return 1;
  }

  private random(L: LuaState): number {
    const r = (this.rng.next() % 0x7fffffff) / 0x7fffffff;
    const argc = lua.lua_gettop(L) as number;
    if (argc === 0) {
      lua.lua_pushnumber(L, r);
      return 1;
    }
    if (argc > 2) return this.raiseApi(L, 'wrong number of arguments', false);
    const lo = argc === 2 ? checkInt(L, 1) : 1;
    const hi = checkInt(L, argc);
    if (lo > hi) return this.raiseApi(L, `bad argument #${argc} to 'random' (interval is empty)`, false);
    lua.lua_pushnumber(L, Math.floor(r * (hi - lo + 1)) + lo);
    return 1;
  }

  private randomseed(L: LuaState): number {
    this.rng.seed(checkInt(L, 1));
    return 0;
  }

  /** Raises an API error as Redis does: an {err=...} table (withCode) or a plain message. */
  private raiseApi(L: LuaState, text: string, asTable = true): number {
    if (asTable) pushErrorTable(L, text);
    else {
      lua.lua_pushstring(L, toLua(text));
    }
    return lua.lua_error(L);
  }
}

/** numkeys of EVAL/FCALL: the key count, or the error reply. */
function numkeys(argv: readonly string[]): number | Reply {
  const text = argv[2]!;
  if (!/^-?\d{1,19}$/.test(text)) return errors.notInteger();
  const n = Number(text);
  if (n < 0) return errors.numkeysNegative();
  if (n > argv.length - 3) return errors.numkeysTooMany();
  return n;
}

function checkInt(L: LuaState, i: number): number {
  if (!lua.lua_isnumber(L, i)) {
    const t = lua.lua_type(L, i);
    const got = t === lua.LUA_TNONE ? 'no value' : fromLua(lua.lua_typename(L, t));
    lua.lua_pushstring(L, toLua(`bad argument #${i} to 'random' (number expected, got ${got})`));
    lua.lua_error(L);
  }
  return Math.trunc(lua.lua_tonumber(L, i) as number) | 0;
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

/** 7.0.15 -> 0x07000f, as redis.REDIS_VERSION_NUM. */
function versionNumber(v: string): number {
  const [a, b, c] = v.split('.').map(Number) as [number, number, number];
  return (a << 16) | (b << 8) | c;
}

/** Pops the value on top of L into the registry (keeps a thread alive while it runs). */
function registryRef(L: LuaState): number {
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
}

function unrefRegistry(L: LuaState, ref: number): void {
  lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
}

/** Where a dead thread's error happened: the innermost Lua frame (a JS function's caller). */
function errorLocation(T: LuaState): { source: string; line: number } | null {
  for (let level = 0; level < 2; level++) {
    const ar = new lua.lua_Debug();
    if (!lua.lua_getstack(T, level, ar)) return null;
    lua.lua_getinfo(T, toLua('Sl'), ar);
    const what = ar.what === null || ar.what === undefined ? '' : fromLua(ar.what);
    if (what === 'C' || what === 'J') continue; // a native (JavaScript) function: its caller is the place
    const source = ar.source === null || ar.source === undefined ? '' : fromLua(ar.source);
    if (ar.currentline < 0) return null;
    return { source, line: ar.currentline as number };
  }
  return null;
}
