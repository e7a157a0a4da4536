// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB, SSUBSCRIBE, SUNSUBSCRIBE,
// SPUBLISH: Redis 7.0's replies, including their RESP2 (arrays) and RESP3 (pushes) forms.
import type { CommandSpec } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { array, bulk, bulks, int, NIL, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';
import { confirmation, type SubscriptionKind } from '../pubsub.js';
import { helpReply } from './client.js';

type Spec = CommandSpec<ServerContext>;

const subscribing = { group: 'pubsub', acl: [], flags: ['pubsub', 'noscript', 'loading', 'stale'] } as const;
const publishing = { group: 'pubsub', acl: [], flags: ['pubsub', 'loading', 'stale', 'fast'] } as const;
const inspecting = { group: 'pubsub', acl: [], flags: ['pubsub', 'loading', 'stale'] } as const;

export const pubsubCommands: Spec[] = [
  {
    ...subscribing, name: 'subscribe', arity: -2, since: '2.0.0',
    summary: 'Listens for messages published to the given channels.',
    complexity: 'O(N) where N is the number of channels to subscribe to', syntax: 'SUBSCRIBE channel [channel ...]',
    handler: (ctx, argv) => subscribe(ctx, argv, 'channels', 'subscribe'),
  },
  {
    ...subscribing, name: 'unsubscribe', arity: -1, since: '2.0.0',
    summary: 'Stops listening to the given channels, or to every channel when none is given.',
    complexity: 'O(N) where N is the number of channels to unsubscribe from', syntax: 'UNSUBSCRIBE [channel [channel ...]]',
    handler: (ctx, argv) => unsubscribe(ctx, argv, 'channels', 'unsubscribe'),
  },
  {
    ...subscribing, name: 'psubscribe', arity: -2, since: '2.0.0',
    summary: 'Listens for messages published to channels matching the given glob-style patterns.',
    complexity: 'O(N) where N is the number of patterns to subscribe to', syntax: 'PSUBSCRIBE pattern [pattern ...]',
    handler: (ctx, argv) => subscribe(ctx, argv, 'patterns', 'psubscribe'),
  },
  {
    ...subscribing, name: 'punsubscribe', arity: -1, since: '2.0.0',
    summary: 'Stops listening to the given patterns, or to every pattern when none is given.',
    complexity: 'O(N) where N is the number of patterns to unsubscribe from', syntax: 'PUNSUBSCRIBE [pattern [pattern ...]]',
    handler: (ctx, argv) => unsubscribe(ctx, argv, 'patterns', 'punsubscribe'),
  },
  {
    ...subscribing, name: 'ssubscribe', arity: -2, since: '7.0.0', keys: { first: 1, last: -1, step: 1 },
    summary: 'Listens for messages published to the given shard channels.',
    complexity: 'O(N) where N is the number of shard channels to subscribe to', syntax: 'SSUBSCRIBE shardchannel [shardchannel ...]',
    handler: (ctx, argv) => {
      // Inside MULTI the client expects one reply per command (Redis's DENY BLOCKING clients).
      if (ctx.session.canBlock && !ctx.blockingAllowed) return errors.denyBlockingClient('SSUBSCRIBE');
      return subscribe(ctx, argv, 'shardChannels', 'ssubscribe');
    },
  },
  {
    ...subscribing, name: 'sunsubscribe', arity: -1, since: '7.0.0', keys: { first: 1, last: -1, step: 1 },
    summary: 'Stops listening to the given shard channels, or to every shard channel when none is given.',
    complexity: 'O(N) where N is the number of shard channels to unsubscribe from', syntax: 'SUNSUBSCRIBE [shardchannel [shardchannel ...]]',
    handler: (ctx, argv) => unsubscribe(ctx, argv, 'shardChannels', 'sunsubscribe'),
  },
  {
    ...publishing, name: 'publish', arity: 3, since: '2.0.0',
    summary: 'Sends a message to a channel; returns how many subscribers received it.',
    complexity: 'O(N+M) where N is the number of subscribers of the channel and M the number of subscribed patterns',
    syntax: 'PUBLISH channel message',
    handler: (ctx, argv) => int(ctx.engine.pubsub.publish(argv[1]!, argv[2]!)),
  },
  {
    ...publishing, name: 'spublish', arity: 3, since: '7.0.0', keys: { first: 1, last: 1, step: 1 },
    summary: 'Sends a message to a shard channel; returns how many subscribers received it.',
    complexity: 'O(N) where N is the number of subscribers of the shard channel', syntax: 'SPUBLISH shardchannel message',
    handler: (ctx, argv) => int(ctx.engine.pubsub.spublish(argv[1]!, argv[2]!)),
  },
  {
    name: 'pubsub', arity: -2, flags: [], acl: [], group: 'pubsub', since: '2.8.0',
    summary: 'A container for commands that inspect the pub/sub state.', complexity: 'Depends on the subcommand.',
    syntax: 'PUBSUB <subcommand> [arguments ...]',
    subcommands: [
      {
        ...inspecting, name: 'channels', arity: -2, since: '2.8.0',
        summary: 'Lists the channels with at least one subscriber, optionally only those matching a pattern.',
        complexity: 'O(N) where N is the number of active channels', syntax: 'PUBSUB CHANNELS [pattern]',
        handler: (ctx, argv) => activeChannels(ctx, argv, 'channels'),
      },
      {
        ...inspecting, name: 'numsub', arity: -2, since: '2.8.0',
        summary: 'Counts the subscribers of each given channel (pattern subscriptions not included).',
        complexity: 'O(N) for the number of requested channels', syntax: 'PUBSUB NUMSUB [channel [channel ...]]',
        handler: (ctx, argv) => subscriberCounts(ctx, argv, 'channels'),
      },
      {
        ...inspecting, name: 'numpat', arity: 2, since: '2.8.0',
        summary: 'Counts the distinct patterns that clients are subscribed to.', complexity: 'O(1)', syntax: 'PUBSUB NUMPAT',
        handler: (ctx) => int(ctx.engine.pubsub.patternCount),
      },
      {
        ...inspecting, name: 'shardchannels', arity: -2, since: '7.0.0',
        summary: 'Lists the shard channels with at least one subscriber, optionally only those matching a pattern.',
        complexity: 'O(N) where N is the number of active shard channels', syntax: 'PUBSUB SHARDCHANNELS [pattern]',
        handler: (ctx, argv) => activeChannels(ctx, argv, 'shardChannels'),
      },
      {
        ...inspecting, name: 'shardnumsub', arity: -2, since: '7.0.0',
        summary: 'Counts the subscribers of each given shard channel.',
        complexity: 'O(N) for the number of requested shard channels', syntax: 'PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]',
        handler: (ctx, argv) => subscriberCounts(ctx, argv, 'shardChannels'),
      },
      {
        group: 'pubsub', acl: [], flags: ['loading', 'stale'], name: 'help', arity: 2, since: '6.2.0',
        summary: 'Describes the PUBSUB subcommands.', complexity: 'O(1)', syntax: 'PUBSUB HELP',
        handler: () => helpReply(HELP),
      },
    ],
  },
];

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** Which count a confirmation carries: shard commands count shard channels only. */
function countFor(ctx: ServerContext, kind: SubscriptionKind): number {
  const ps = ctx.engine.pubsub;
  return kind === 'shardChannels' ? ps.shardSubscriptionCount(ctx.session) : ps.subscriptionCount(ctx.session);
}

function subscribe(ctx: ServerContext, argv: string[], kind: SubscriptionKind, word: string): Reply {
  const ps = ctx.engine.pubsub;
  const replies: Reply[] = [];
  for (let i = 1; i < argv.length; i++) {
    ps.subscribe(ctx.session, kind, argv[i]!);
    replies.push(confirmation(word, bulk(argv[i]!), countFor(ctx, kind)));
  }
  return oneReplyEach(ctx, replies);
}

function unsubscribe(ctx: ServerContext, argv: string[], kind: SubscriptionKind, word: string): Reply {
  const ps = ctx.engine.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : ps.channelsOf(ctx.session, kind);
  // Unsubscribing from everything while subscribed to nothing still answers once, with a nil name.
  if (names.length === 0) return confirmation(word, NIL, countFor(ctx, kind));
  const replies: Reply[] = [];
  for (const name of names) {
    ps.unsubscribe(ctx.session, kind, name);
    replies.push(confirmation(word, bulk(name), countFor(ctx, kind)));
  }
  return oneReplyEach(ctx, replies);
}

/**
 * Redis answers a multi-channel (UN)SUBSCRIBE with one reply per channel. The last one is the
 * command's reply; the others are delivered first, so the connection sees them in order. (A
 * single channel, the common case and the only sane one inside MULTI, is exactly Redis's bytes.)
 */
function oneReplyEach(ctx: ServerContext, replies: readonly Reply[]): Reply {
  for (let i = 0; i < replies.length - 1; i++) ctx.session.transport.deliver(replies[i]!);
  return replies[replies.length - 1]!;
}

function activeChannels(ctx: ServerContext, argv: string[], kind: 'channels' | 'shardChannels'): Reply {
  if (argv.length > 3) return errors.unknownSubcommandOrArity('pubsub', argv[1]!);
  return bulks(ctx.engine.pubsub.activeChannels(kind, argv.length === 3 ? argv[2]! : null));
}

/** NUMSUB / SHARDNUMSUB: a flat array of channel, count pairs (an array in RESP3 too, as Redis 7.0). */
function subscriberCounts(ctx: ServerContext, argv: string[], kind: 'channels' | 'shardChannels'): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(bulk(argv[i]!), int(ctx.engine.pubsub.subscriberCount(kind, argv[i]!)));
  return array(out);
}
