// The first line of a script (`#!lua flags=no-writes,allow-oom`) and of a function library
// (`#!lua name=mylib`): parsed as Redis 7.0 does (eval.c evalExtractShebangFlags, functions.c).
import * as errors from '../../core/errors.js';
import type { Reply } from '../../core/reply.js';

export interface ScriptFlags {
  /** A script without a shebang line: Redis's pre-7 behaviour (no up-front checks). */
  readonly compat: boolean;
  readonly noWrites: boolean;
  readonly allowOom: boolean;
  readonly allowStale: boolean;
  readonly noCluster: boolean;
  readonly allowCrossSlot: boolean;
}

export const COMPAT_FLAGS: ScriptFlags = { compat: true, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };

/** The flag words scripts and functions may declare, as Redis names them. */
export const FLAG_NAMES = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;

export function flagsFrom(words: readonly string[]): ScriptFlags | string {
  const f = { compat: false, noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
  for (const w of words) {
    if (w === 'no-writes') f.noWrites = true;
    else if (w === 'allow-oom') f.allowOom = true;
    else if (w === 'allow-stale') f.allowStale = true;
    else if (w === 'no-cluster') f.noCluster = true;
    else if (w === 'allow-cross-slot-keys') f.allowCrossSlot = true;
    else return w;
  }
  return f;
}

export function flagWords(f: ScriptFlags): string[] {
  const out: string[] = [];
  if (f.noWrites) out.push('no-writes');
  if (f.allowOom) out.push('allow-oom');
  if (f.allowStale) out.push('allow-stale');
  if (f.noCluster) out.push('no-cluster');
  if (f.allowCrossSlot) out.push('allow-cross-slot-keys');
  return out;
}

/**
 * An EVAL script's flags and the code Lua compiles: the shebang line is left out but its line
 * break kept, so line numbers in errors count from the shebang as Redis's do.
 */
export function parseEvalShebang(body: string): { flags: ScriptFlags; code: string } | { error: Reply } {
  if (!body.startsWith('#!')) return { flags: COMPAT_FLAGS, code: body };
  const eol = body.indexOf('\n');
  const line = eol < 0 ? body : body.slice(0, eol);
  const parts = line.split(' ').filter((p) => p !== '');
  if (parts[0] !== '#!lua') return { error: errors.shebangEngine(parts[0] ?? '') };
  let flags: ScriptFlags = { ...COMPAT_FLAGS, compat: false };
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: errors.shebangOption(part) };
    const words = part.slice('flags='.length).split(',').filter((w) => w !== '');
    const parsed = flagsFrom(words);
    if (typeof parsed === 'string') return { error: errors.shebangFlag(parsed) };
    flags = parsed;
  }
  return { flags, code: eol < 0 ? '' : body.slice(eol) };
}

/** A library's shebang: its name and the code after the first line (line break kept). */
export function parseLibraryShebang(code: string): { name: string; code: string } | { error: Reply } {
  if (!code.startsWith('#!')) return { error: errors.libraryMetadataMissing() };
  const eol = code.indexOf('\n');
  const line = eol < 0 ? code : code.slice(0, eol);
  const parts = line.split(' ').filter((p) => p !== '');
  const engine = parts[0]!.slice(2);
  if (engine.toLowerCase() !== 'lua') return { error: errors.engineNotFound(engine) };
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('name=')) return { error: errors.libraryMetadataInvalid(part) };
    if (name !== null) return { error: errors.libraryNameTwice() };
    name = part.slice('name='.length);
  }
  if (name === null) return { error: errors.libraryNameMissing() };
  return { name, code: eol < 0 ? '' : code.slice(eol) };
}
