// npm run sim -- --seed N [--seeds A..B] [--ticks T] [--nodes 1|3|5] [--adapter NAME] [--trace]
// Runs simulated replica groups from seeds and checks them. A failing seed prints its failures
// and the exact command that replays it; the exit code is 1 when any seed failed.
import { ADAPTERS, DEFAULT_ADAPTER } from './adapters.js';
import { DEFAULT_RUN, runSimulation, type RunResult } from './run.js';

interface Cli {
  seeds: [number, number];
  ticks: number;
  nodes: number;
  adapter: string;
  trace: boolean;
  verbose: boolean;
  clients: number;
  keys: number;
  livenessTicks: number;
  keepGoing: boolean;
  weakFraction: number;
}

const USAGE = `usage: npm run sim -- [--seed N | --seeds A..B] [options]
  --seed N            one seed (default 1)
  --seeds A..B        every seed from A to B
  --ticks T           chaos phase length in node ticks (default ${DEFAULT_RUN.ticks})
  --nodes N           group size (default ${DEFAULT_RUN.nodes})
  --adapter NAME      node implementation (default ${DEFAULT_ADAPTER}): ${[...ADAPTERS.keys()].join(', ')}
  --clients N         concurrent client processes (default ${DEFAULT_RUN.workload.clients})
  --keys N            keys in the workload (default ${DEFAULT_RUN.workload.keys})
  --liveness-ticks N  bound for progress after healing (default ${DEFAULT_RUN.livenessTicks})
  --weak F            fraction of operations at the weak level (default ${DEFAULT_RUN.workload.weakFraction})
  --keep-going        run every seed even after a failure
  --trace             print every event of the run (use with one seed)
  --verbose           one line per seed, also when it passes`;

function parse(argv: readonly string[]): Cli {
  const cli: Cli = {
    seeds: [1, 1], ticks: DEFAULT_RUN.ticks, nodes: DEFAULT_RUN.nodes, adapter: DEFAULT_ADAPTER, trace: false, verbose: false,
    clients: DEFAULT_RUN.workload.clients, keys: DEFAULT_RUN.workload.keys, livenessTicks: DEFAULT_RUN.livenessTicks, keepGoing: false,
    weakFraction: DEFAULT_RUN.workload.weakFraction,
  };
  const int = (flag: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (text === undefined || !Number.isSafeInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${text ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '--seed': { const n = int(flag, value, 0); cli.seeds = [n, n]; i++; break; }
      case '--seeds': {
        const m = /^(\d+)\.\.(\d+)$/.exec(value ?? '');
        if (m === null) throw new Error(`--seeds needs A..B, got ${value ?? 'nothing'}`);
        cli.seeds = [int(flag, m[1], 0), int(flag, m[2], 0)];
        if (cli.seeds[1] < cli.seeds[0]) throw new Error('--seeds A..B needs A <= B');
        i++;
        break;
      }
      case '--ticks': cli.ticks = int(flag, value, 1); i++; break;
      case '--nodes': cli.nodes = int(flag, value, 1); i++; break;
      case '--clients': cli.clients = int(flag, value, 1); i++; break;
      case '--keys': cli.keys = int(flag, value, 1); i++; break;
      case '--liveness-ticks': cli.livenessTicks = int(flag, value, 1); i++; break;
      case '--weak': {
        const f = Number(value);
        if (value === undefined || !(f >= 0 && f <= 1)) throw new Error(`--weak needs a fraction in [0, 1], got ${value ?? 'nothing'}`);
        cli.weakFraction = f;
        i++;
        break;
      }
      case '--adapter':
        if (value === undefined || !ADAPTERS.has(value)) throw new Error(`unknown adapter ${value ?? '(none)'}; known: ${[...ADAPTERS.keys()].join(', ')}`);
        cli.adapter = value;
        i++;
        break;
      case '--trace': cli.trace = true; break;
      case '--verbose': cli.verbose = true; break;
      case '--keep-going': cli.keepGoing = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (cli.nodes > 9) throw new Error('--nodes is at most 9');
  return cli;
}

/** The command that replays `seed` with the same settings (defaults left out). */
export function replayCommand(cli: Cli, seed: number): string {
  const parts = ['npm run sim --', `--seed ${seed}`];
  if (cli.ticks !== DEFAULT_RUN.ticks) parts.push(`--ticks ${cli.ticks}`);
  if (cli.nodes !== DEFAULT_RUN.nodes) parts.push(`--nodes ${cli.nodes}`);
  if (cli.adapter !== DEFAULT_ADAPTER) parts.push(`--adapter ${cli.adapter}`);
  if (cli.clients !== DEFAULT_RUN.workload.clients) parts.push(`--clients ${cli.clients}`);
  if (cli.keys !== DEFAULT_RUN.workload.keys) parts.push(`--keys ${cli.keys}`);
  if (cli.livenessTicks !== DEFAULT_RUN.livenessTicks) parts.push(`--liveness-ticks ${cli.livenessTicks}`);
  if (cli.weakFraction !== DEFAULT_RUN.workload.weakFraction) parts.push(`--weak ${cli.weakFraction}`);
  return parts.join(' ');
}

function summary(r: RunResult): string {
  const o = r.operations;
  const faults = Object.entries(r.faults).map(([k, n]) => `${k}:${n}`).join(' ');
  return `seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'}  ops ok=${o.ok} fail=${o.fail} info=${o.info}  crashes=${r.crashes}  ` +
    `msgs=${r.network.sent} (${r.network.sentBytes}B, lost ${r.network.droppedLoss + r.network.droppedPartition})  ` +
    `recovery=${Number.isNaN(r.recoveryMs) ? '-' : r.recoveryMs.toFixed(0) + 'ms'}  virtual=${(r.virtualMs / 1000).toFixed(1)}s  ` +
    `events=${r.events}  trace=${r.traceDigest}` + (faults === '' ? '' : `\n    faults: ${faults}`) +
    (r.unknownKeys.length > 0 ? `\n    linearizability unknown (search bound) on keys: ${r.unknownKeys.join(', ')}` : '');
}

function main(): number {
  let cli: Cli;
  try {
    cli = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`sim: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const factory = ADAPTERS.get(cli.adapter)!;
  const [first, last] = cli.seeds;
  const started = Date.now();
  let failed = 0;
  let unknown = 0;
  let ran = 0;
  for (let seed = first; seed <= last; seed++) {
    let result: RunResult;
    try {
      result = runSimulation({
      ...DEFAULT_RUN,
      seed,
      factory,
      nodes: cli.nodes,
      ticks: cli.ticks,
      livenessTicks: cli.livenessTicks,
      workload: { ...DEFAULT_RUN.workload, clients: cli.clients, keys: cli.keys, weakFraction: cli.weakFraction },
      trace: cli.trace ? (line) => console.log(line) : null,
      });
    } catch (e) {
      // A failure of the simulator itself: still name the seed that shows it.
      console.log(`seed ${seed}: the simulator failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      console.log(`  replay: ${replayCommand(cli, seed)}`);
      return 1;
    }
    ran++;
    if (result.unknownKeys.length > 0) unknown++;
    if (result.ok) {
      if (cli.verbose || first === last) console.log(summary(result));
      else if (ran % 100 === 0) console.log(`... ${ran} seeds, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      continue;
    }
    failed++;
    console.log(summary(result));
    for (const f of result.failures) console.log(`  ${f}`);
    console.log(`  replay: ${replayCommand(cli, seed)}`);
    console.log(`  replay with every event printed: ${replayCommand(cli, seed)} --trace`);
    if (!cli.keepGoing) break;
  }
  const secs = (Date.now() - started) / 1000;
  console.log(`${ran} seed(s) of ${cli.adapter} on ${cli.nodes} node(s), ${cli.ticks} ticks each: ${failed} failed` +
    (unknown > 0 ? `, ${unknown} with keys the checker could not decide` : '') + ` (${secs.toFixed(1)}s)`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
