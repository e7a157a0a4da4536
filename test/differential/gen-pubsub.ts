// Pub/sub scenarios for the collections generator: a fresh subscriber connection and connection
// a take turns (SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE, PUBLISH / SPUBLISH, PUBSUB introspection,
// commands refused in subscribed mode, UNSUBSCRIBE forms). The subscriber's whole transcript is
// compared turn by turn (scenarios.ts). Every scenario ends with bare UNSUBSCRIBE, PUNSUBSCRIBE
// and SUNSUBSCRIBE, so no subscription outlives it.
import type { PubsubAction } from './generator.js';
import type { CollectionGenerator, Entry } from './gen-core.js';

export const PUBSUB_ARITY: Record<string, number> = { PUBLISH: 3, SPUBLISH: 3, PUBSUB: -2 };

const CHANNELS = ['ch1', 'ch2', 'news', 'n1ws', '', 'bin\x00\xff', 'sh1'];
const PATTERNS = ['ch*', 'n?ws', '[ab]*', '*', 'ch[12]', '\\*', 'n*'];
const MESSAGES = ['hello', '', '\x00\xff\r\n', 'x'.repeat(100), '42'];

function subAction(g: CollectionGenerator): PubsubAction {
  const r = g.rng.next();
  const some = (from: readonly string[]): string[] => Array.from({ length: g.rng.between(1, 3) }, () => g.rng.pick(from));
  if (r < 0.3) return { who: 'sub', argv: ['SUBSCRIBE', ...some(CHANNELS)] };
  if (r < 0.45) return { who: 'sub', argv: ['PSUBSCRIBE', ...some(PATTERNS)] };
  if (r < 0.55) return { who: 'sub', argv: ['SSUBSCRIBE', g.rng.pick(['sh1', 'sh2'])] };
  if (r < 0.65) return { who: 'sub', argv: ['UNSUBSCRIBE', ...some(CHANNELS)] };
  if (r < 0.72) return { who: 'sub', argv: ['PUNSUBSCRIBE', ...some(PATTERNS)] };
  if (r < 0.77) return { who: 'sub', argv: ['SUNSUBSCRIBE', 'sh1'] };
  if (r < 0.82) return { who: 'sub', argv: g.rng.pick([['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE']]) };
  if (r < 0.88) return { who: 'sub', argv: g.rng.pick([['PING'], ['PING', 'payload'], ['PING', 'a', 'b']]) };
  if (r < 0.94) return { who: 'sub', argv: g.rng.pick([['GET', 'h1'], ['SET', 'k', 'v'], ['LLEN', 'l1'], ['SUBSCRIBE'], ['PSUBSCRIBE'], ['ECHO', 'x']]) };
  return { who: 'sub', argv: ['SUBSCRIBE', 'ch1', 'ch1'] };
}

function aAction(g: CollectionGenerator): PubsubAction {
  const r = g.rng.next();
  if (r < 0.5) return { who: 'a', argv: ['PUBLISH', g.rng.pick(CHANNELS), g.rng.pick(MESSAGES)] };
  if (r < 0.6) return { who: 'a', argv: ['SPUBLISH', g.rng.pick(['sh1', 'sh2', 'ch1']), g.rng.pick(MESSAGES)] };
  if (r < 0.7) return { who: 'a', argv: ['PUBSUB', 'CHANNELS', ...(g.rng.chance(0.5) ? [g.rng.pick(PATTERNS)] : [])], mode: { kind: 'multiset' } };
  if (r < 0.8) return { who: 'a', argv: ['PUBSUB', 'NUMSUB', ...Array.from({ length: g.rng.between(0, 3) }, () => g.rng.pick(CHANNELS))] };
  if (r < 0.86) return { who: 'a', argv: ['PUBSUB', 'NUMPAT'] };
  if (r < 0.9) return { who: 'a', argv: ['PUBSUB', 'SHARDCHANNELS', ...(g.rng.chance(0.5) ? ['sh*'] : [])], mode: { kind: 'multiset' } };
  if (r < 0.94) return { who: 'a', argv: ['PUBSUB', 'SHARDNUMSUB', 'sh1', 'sh2'] };
  return { who: 'a', argv: g.rng.pick([['PUBSUB', 'FOO'], ['PUBSUB', 'NUMPAT', 'x'], ['PUBLISH', 'ch1'], ['PUBSUB', 'CHANNELS', 'a', 'b']]) };
}

function scenario(g: CollectionGenerator): void {
  const actions: PubsubAction[] = [{ who: 'sub', argv: ['SUBSCRIBE', g.rng.pick(CHANNELS)] }];
  const n = g.rng.between(5, 14);
  for (let i = 0; i < n; i++) actions.push(g.rng.chance(0.45) ? subAction(g) : aAction(g));
  actions.push({ who: 'a', argv: ['PUBLISH', 'ch1', 'last'] });
  actions.push({ who: 'sub', argv: ['UNSUBSCRIBE'] }, { who: 'sub', argv: ['PUNSUBSCRIBE'] }, { who: 'sub', argv: ['SUNSUBSCRIBE'] });
  g.pubsub(actions);
}

export const PUBSUB_ENTRIES: Entry[] = [
  { cmd: 'PUBSUB-SCENARIO', weight: 0.8, family: 'pubsub', special: true, make: (g) => scenario(g) },
  // PUBLISH in the flow of commands: nobody listens, so it answers 0 (in MULTI too).
  { cmd: 'PUBLISH', weight: 0.8, family: 'pubsub', make: (g, e) => e('PUBLISH', ['PUBLISH', g.rng.pick(CHANNELS), g.rng.pick(MESSAGES)]) },
  { cmd: 'PUBSUB', weight: 0.7, family: 'pubsub', make: (g, e) => e('PUBSUB', ['PUBSUB', 'NUMSUB', 'ch1']) },
];
