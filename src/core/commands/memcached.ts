// How RESP clients see and set what memcached keeps with an item (docs/design/memcached.md):
// MCMETA reads an item's client flags and CAS unique, MCSETFLAGS sets its flags. MCSETFLAGS is
// also how memcached writes with non-zero flags are logged, right after their value's effect.
import * as errors from '../errors.js';
import { array, int, NIL, ONE, ZERO, type Reply } from '../reply.js';
import { written, type CommandSpec, type CoreContext } from './spec.js';

const base = { group: 'string', acl: ['string'], since: '0.1.0' } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;
const FLAGS_MAX = 0xffffffff;

function mcmeta(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const e = ctx.db.lookupRead(key);
  if (e === undefined) return NIL;
  if (e.type !== 'string') return errors.wrongType();
  let meta = ctx.db.itemMetaOf(key);
  if (meta === undefined) {
    meta = { flags: 0, cas: 0, bits: 0 };
    ctx.db.setItemMeta(key, meta);
  }
  // The CAS a memcached `gets` would return now (assigned on first use, as there).
  if (meta.cas === 0) meta.cas = ctx.ks.nextCas();
  return array([int(meta.flags), int(meta.cas)]);
}

function mcsetflags(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const text = argv[2]!;
  const flags = /^\d{1,10}$/.test(text) ? Number(text) : -1;
  if (flags < 0 || flags > FLAGS_MAX) return errors.mcFlagsInvalid();
  const e = ctx.db.lookupWrite(key);
  if (e === undefined) return ZERO;
  if (e.type !== 'string') return errors.wrongType();
  const meta = ctx.db.itemMetaOf(key);
  // A change of the item: a new CAS, as any memcached write gives.
  ctx.db.setItemMeta(key, { flags, cas: ctx.ks.nextCas(), bits: meta?.bits ?? 0 });
  written(ctx);
  return ONE;
}

export const memcachedCommands: CommandSpec[] = [
  {
    ...base, name: 'mcmeta', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, acl: ['read', 'string', 'fast'],
    summary: 'Returns the memcached client flags and CAS unique of a string key as [flags, cas]; nil when the key is missing.',
    complexity: 'O(1)', syntax: 'MCMETA key',
    handler: mcmeta,
  },
  {
    ...base, name: 'mcsetflags', arity: 3, flags: ['write', 'fast'], keys: oneKey, acl: ['write', 'string', 'fast'],
    summary: 'Sets the memcached client flags (0 to 4294967295) of a string key and gives it a new CAS; 1 if the key exists, else 0.',
    complexity: 'O(1)', syntax: 'MCSETFLAGS key flags',
    handler: mcsetflags,
  },
];
