// Command-line parsing for the cairn executable: `cairn server [--option value ...]`.
// Every config option is accepted as --name value, as redis-server does.
import { findOption } from '../server/config.js';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'server'; configFile: string | null; options: Array<[string, string]> }
  | { kind: 'check-log'; fix: boolean; file: string }
  | { kind: 'error'; message: string };

export function parseArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { kind: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') return { kind: 'version' };
  if (argv[0] === 'check-log') return parseCheckLog(argv.slice(1));
  if (argv[0] !== 'server') return { kind: 'error', message: `unknown command '${argv[0]}' (try cairn --help)` };
  let configFile: string | null = null;
  const options: Array<[string, string]> = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--help' || word === '-h') return { kind: 'help' };
    if (!word.startsWith('--')) {
      if (i === 1 && configFile === null) {
        configFile = word; // `cairn server cairn.conf`, as `redis-server redis.conf`
        continue;
      }
      return { kind: 'error', message: `unexpected argument '${word}'` };
    }
    const eq = word.indexOf('=');
    const name = (eq > 0 ? word.slice(2, eq) : word.slice(2)).toLowerCase();
    let value: string;
    if (eq > 0) value = word.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) return { kind: 'error', message: `option --${name} needs a value` };
      value = argv[++i]!;
    }
    if (name === 'config') {
      configFile = value;
      continue;
    }
    if (findOption(name) === undefined) return { kind: 'error', message: `unknown option --${name}` };
    options.push([name, value]);
  }
  return { kind: 'server', configFile, options };
}

/** `cairn check-log [--fix] <file>` */
function parseCheckLog(args: readonly string[]): CliCommand {
  const fix = args.includes('--fix');
  const files = args.filter((a) => a !== '--fix');
  if (files.length !== 1 || files[0]!.startsWith('--')) return { kind: 'error', message: 'usage: cairn check-log [--fix] <file>' };
  return { kind: 'check-log', fix, file: files[0]! };
}

export const HELP_TEXT = `Cairn: a Redis- and memcached-compatible key-value store.

Usage:
  cairn server [CONFIG_FILE] [--config FILE] [--port N] [--bind ADDR] [--dir PATH]
               [--requirepass PASSWORD] [--<option> VALUE ...]
  cairn check-log [--fix] FILE   check an append-only log (or snapshot, or manifest);
                                 --fix cuts a damaged log at its last good record
  cairn --help
  cairn --version

Every configuration option can be given as --name value (as redis-server accepts), in a
config file in redis.conf syntax (one "name value" per line), or at run time with CONFIG SET.
Options given on the command line override the config file.

Common options:
  --port N              TCP port for the Redis protocol (default 6379; 0 picks a free port)
  --bind ADDR           addresses to listen on, space separated (default 127.0.0.1)
  --dir PATH            data folder (default ./data)
  --requirepass P       password clients must AUTH with
  --maxclients N        most simultaneous clients (default 10000)
  --timeout SECONDS     close clients idle this long (default 0: never)
  --loglevel LEVEL      debug | verbose | notice | warning (default notice)

All options: see docs/configuration.md.
`;
