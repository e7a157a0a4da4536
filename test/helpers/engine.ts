// In-process engine for unit tests: a manual clock, a fixed seed, and a session that
// returns raw Reply objects or decoded values.
import { ManualClock } from '../../src/server/clock.js';
import { Config } from '../../src/server/config.js';
import { Engine } from '../../src/server/engine.js';
import { EmbeddedSession } from '../../src/embedded.js';
import { decodeReply, type Decoded } from '../../src/server/decode.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import type { Effect } from '../../src/core/keyspace.js';

export interface TestEngine {
  engine: Engine;
  clock: ManualClock;
  effects: Effect[];
  session(): EmbeddedSession;
  /** Runs on the default session; returns the decoded value, or `{ error }` for an error reply. */
  run(...args: Array<string | number>): Decoded | { error: string };
  raw(...args: Array<string | number>): Reply;
}

export function testEngine(options: { config?: Record<string, string>; seed?: number } = {}): TestEngine {
  const clock = new ManualClock();
  const config = new Config();
  for (const [k, v] of Object.entries(options.config ?? {})) {
    const problem = config.set(k, v, false);
    if (problem !== null) throw new Error(problem);
  }
  const effects: Effect[] = [];
  const engine = new Engine({ clock, seed: options.seed ?? 42, config, hooks: { effects: (e) => effects.push(...e) } });
  const main = new EmbeddedSession(engine);
  const raw = (...args: Array<string | number>): Reply => main.raw(args.map(String));
  return {
    engine,
    clock,
    effects,
    session: () => new EmbeddedSession(engine),
    raw,
    run: (...args) => {
      const r = raw(...args);
      if (r.k === ReplyKind.Error) return { error: r.v as string };
      return decodeReply(r, false);
    },
  };
}
