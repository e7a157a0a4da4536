// `npm run bench`: every benchmark in one go, each printing its table and saving its JSON
// under bench/results/. Numbers are printed, never asserted: timing belongs in benchmarks,
// not tests. See docs/benchmarks.md for what each part measures and how to read it.
//
//   npm run bench                      full run (redis-benchmark table with persistence off, the
//                                      log alone and default; memory, connections, embedded, micro)
//   npm run bench -- --quick           one round, fewer commands and requests, persistence off
//                                      only, no memory or connections (under two minutes)
//   --rounds N                         rounds per redis-benchmark row (default 3; quick: 1)
//   --persistence off|log|default|both|all   which persistence configurations to run (default all;
//                                      both = off and default; quick: off)
//   --skip-throughput --skip-ceiling --skip-memory --skip-connections --skip-scripting --skip-multicore --skip-group
//   --skip-embedded --skip-micro
import { runThroughput, printThroughput } from './throughput.js';
import { runMemory, printMemory } from './memory.js';
import { runConnections, printConnections } from './connections.js';
import { runEmbedded, printEmbedded } from './embedded.js';
import { runMicro, printMicro } from './micro.js';
import { runScripting, printScripting } from './scripting.js';
import { runMulticore, printMulticore } from './multicore.js';
import { runNodeCeiling, printNodeCeiling } from './node-ceiling.js';
import { runGroupBench, printGroupBench } from './group.js';
import { machineFacts, type Persistence } from './servers.js';
import { failRun, flagValue, hasFlag, log } from './report.js';

function persistenceChoice(quick: boolean): Persistence[] {
  const p = flagValue('--persistence') ?? (quick ? 'off' : 'all');
  if (p === 'off' || p === 'log' || p === 'default') return [p];
  if (p === 'both') return ['off', 'default'];
  if (p === 'all') return ['off', 'log', 'default'];
  throw new Error(`--persistence must be off, log, default, both (off and default) or all (got ${p})`);
}

async function main(): Promise<void> {
  const quick = hasFlag('--quick');
  const rounds = Number(flagValue('--rounds') ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const started = Date.now();
  const m = machineFacts();
  log(`cairn bench${quick ? ' --quick' : ''}: ${m.cpus} x ${m.cpuModel}, Node ${m.node}, redis-server ${m.redisServer}`);

  if (!hasFlag('--skip-throughput')) printThroughput(await runThroughput({ quick, rounds, persistence: persistenceChoice(quick) }));
  if (!quick && !hasFlag('--skip-ceiling')) printNodeCeiling(await runNodeCeiling({ rounds, requests: 200_000 }));
  if (!quick && !hasFlag('--skip-memory')) printMemory(await runMemory({ keys: 1_000_000, loadTimeoutMs: 180_000 }));
  if (!quick && !hasFlag('--skip-connections')) printConnections(await runConnections({ idle: 10_000, rounds }));
  if (!hasFlag('--skip-scripting')) printScripting(await runScripting({ quick, rounds }));
  if (!hasFlag('--skip-multicore')) printMulticore(await runMulticore({ quick, rounds, processes: 2 }));
  if (!hasFlag('--skip-group')) printGroupBench(await runGroupBench({ quick, rounds, seconds: quick ? 1.5 : 3, failovers: quick ? 1 : 3 }));
  if (!hasFlag('--skip-embedded')) printEmbedded(await runEmbedded({ durationMs: quick ? 500 : 2000, rounds: quick ? 1 : rounds }));
  if (!hasFlag('--skip-micro')) printMicro(await runMicro({ timeMs: quick ? 200 : 1000 }));

  log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch(failRun);
