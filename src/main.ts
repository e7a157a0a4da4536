// The cairn executable: reads options, starts the engine and its listeners, and shuts
// down cleanly on SIGTERM, SIGINT or SHUTDOWN.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, rmSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HELP_TEXT, parseArgs } from './cli/args.js';
import { Config, parseConfigText } from './server/config.js';
import { Engine, type ShutdownRequest } from './server/engine.js';
import { Logger, type LogLevel } from './server/log.js';
import { startServer, type RunningServer } from './io/net-server.js';
import { startMemcachedServer } from './io/memcached-server.js';
import { realTimer } from './io/timers.js';
import { systemClock } from './io/system-clock.js';
import { Persistence } from './io/persistence/manager.js';
import { runCheckLog } from './cli/check-log.js';
import { loadOrCreateNodeId } from './io/cluster-config.js';
import { enableClusterMode } from './server/cluster.js';
import { singleNodeView } from './core/cluster/view.js';
import { CAIRN_VERSION, REDIS_COMPAT_VERSION } from './version.js';
import { joinerRaftId } from './io/group/group-membership.js';
import { planGroup, planJoin, type GroupPlan } from './io/group/group-peers.js';
import { ReplicaGroup } from './io/group/replica-group.js';

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseArgs(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(HELP_TEXT);
      return 0;
    case 'version':
      process.stdout.write(`cairn ${CAIRN_VERSION} (redis protocol ${REDIS_COMPAT_VERSION})\n`);
      return 0;
    case 'error':
      process.stderr.write(`cairn: ${cmd.message}\n`);
      return 2;
    case 'check-log':
      return runCheckLog(cmd.file, cmd.fix, { out: (line) => process.stdout.write(line + '\n') });
    case 'server':
      return runServer(cmd.configFile, cmd.options);
  }
}

function loadConfig(configFile: string | null, options: Array<[string, string]>): Config {
  const config = new Config();
  if (configFile !== null) {
    const parsed = parseConfigText(readFileSync(configFile, 'latin1'));
    if ('error' in parsed) throw new Error(`${configFile}:${parsed.line}: ${parsed.error}`);
    for (const [name, args] of parsed.directives) {
      const problem = config.set(name, args.join(' '), false);
      if (problem !== null) throw new Error(`${configFile}: option '${name}': ${problem}`);
    }
    config.file = path.resolve(configFile);
  }
  for (const [name, value] of options) {
    const problem = config.set(name, value, false);
    if (problem !== null) throw new Error(`option --${name}: ${problem}`);
  }
  return config;
}

async function runServer(configFile: string | null, options: Array<[string, string]>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(configFile, options);
  } catch (e) {
    process.stderr.write(`cairn: ${(e as Error).message}\n`);
    return 2;
  }
  const logfile = config.get('logfile');
  const sink = logfile === '' ? (line: string) => process.stdout.write(line + '\n') : (line: string) => appendFileSync(logfile, line + '\n');
  const log = new Logger(sink, config.get('loglevel') as LogLevel, () => Date.now());
  config.onChange((name, value) => {
    if (name === 'loglevel') log.level = value as LogLevel;
  });
  const dir = path.resolve(config.get('dir'));
  mkdirSync(dir, { recursive: true });
  const binds = config.get('bind').split(/\s+/).filter((b) => b !== '');
  let plan: GroupPlan | null = null;
  const joining = config.bool('group-join');
  if (joining && config.get('group-peers') !== '') {
    process.stderr.write('cairn: group-join takes no group-peers: a joining node learns the members from the leader that adds it\n');
    return 2;
  }
  if (config.get('group-peers') !== '' || joining) {
    let planned: GroupPlan | string;
    if (joining) {
      // The node id names this node in the group; it is kept in cluster-config-file as in cluster mode.
      let nodeId: string;
      try {
        nodeId = loadOrCreateNodeId(path.join(dir, config.get('cluster-config-file')));
      } catch (e) {
        process.stderr.write(`cairn: ${(e as Error).message}\n`);
        return 2;
      }
      planned = planJoin(nodeId, joinerRaftId(nodeId), config.int('port'), binds, config.int('group-bus-port'));
    } else {
      planned = planGroup(config.get('group-peers'), config.int('port'), binds, config.int('group-bus-port'));
    }
    if (typeof planned === 'string') {
      process.stderr.write(`cairn: ${planned}\n`);
      return 2;
    }
    if (config.int('memcached-port') === 0) {
      // Followers relay memcached connections to the leader's memcached port, which they learn
      // from its configuration (src/io/memcached-proxy.ts): it must be a fixed port.
      process.stderr.write('cairn: in a replica group memcached-port needs a fixed port (not 0)\n');
      return 2;
    }
    plan = planned;
    // In a group the Raft log makes writes durable; the append-only log is not kept.
    config.set('appendonly', 'no', false);
  }
  let group: ReplicaGroup | null = null;

  let servers: RunningServer[] = [];
  let stopping = false;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (resolveExit = r));
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.notice('shutting down', { reason });
    clearInterval(cron);
    const closing = Promise.all(servers.map((s) => s.close()));
    await group?.stop();
    persistence.prepareShutdown(null); // the log written and fsynced, a snapshot if save points are set
    persistence.close();
    await closing;
    const pidfile = config.get('pidfile');
    if (pidfile !== '') rmSync(pidfile, { force: true });
    log.notice('bye');
    resolveExit(0);
  };

  const engine = new Engine({
    clock: systemClock,
    seed: randomBytes(4).readUInt32LE(0),
    config,
    logger: log,
    runId: randomBytes(20).toString('hex'),
    process: {
      pid: process.pid, tcpPort: config.int('port'), executable: process.argv[1] ?? '', configFile: config.file ?? '',
      os: `${os.type()} ${os.release()} ${os.machine()}`, archBits: process.arch.endsWith('64') ? 64 : 32,
    },
    hooks: {
      shutdown: (request: ShutdownRequest) => {
        // As Redis: save and fsync before agreeing to stop; a failure refuses unless FORCE.
        if (persistence.prepareShutdown(request.save) !== null && !request.force) return 'Check logs.';
        setImmediate(() => void stop(`SHUTDOWN${request.now ? ' NOW' : ''}`));
        return null;
      },
      memory: () => {
        const m = process.memoryUsage();
        return { heapUsed: m.heapUsed, rss: m.rss };
      },
      cpu: () => process.cpuUsage(),
    },
  });

  engine.blocking.scheduler = realTimer;
  const persistence = new Persistence({ engine, dir, log });
  persistence.attach();
  const clusterIp = config.get('cluster-announce-ip') || (binds[0] ?? '127.0.0.1');
  let clusterNodeId: string | null = null;
  if (config.bool('cluster-enabled')) {
    try {
      clusterNodeId = loadOrCreateNodeId(path.join(dir, config.get('cluster-config-file')));
    } catch (e) {
      log.warning('cannot read the cluster config file', { error: (e as Error).message });
      return 1;
    }
    enableClusterMode(engine, singleNodeView(clusterNodeId, clusterIp, config.int('port')));
  }
  if (plan !== null) {
    try {
      group = await ReplicaGroup.start({
        engine, plan, raftDir: path.join(dir, 'raft'), log, tickMs: config.int('group-tick-ms'), clusterMode: clusterNodeId !== null,
        onFatal: (error) => {
          log.error('the replica group cannot go on', { error: error.message });
          process.exit(1);
        },
      });
    } catch (e) {
      log.warning('could not start the replica group', { error: String((e as Error).message ?? e) });
      return 1;
    }
  }
  try {
    let port = config.int('port');
    for (const host of binds) {
      const s = await startServer(engine, { port, host });
      port = s.port; // with --port 0 every address shares the port the first one got
      servers.push(s);
    }
  } catch (e) {
    log.warning('could not listen', { error: String(e) });
    await Promise.all(servers.map((s) => s.close()));
    return 1;
  }
  let memcachedPort: number | null = null;
  if (config.int('memcached-port') >= 0) {
    // memcached beside RESP, on the same engine (docs/design/memcached.md).
    const hosts = (config.get('memcached-bind') || config.get('bind')).split(/\s+/).filter((b) => b !== '');
    try {
      const mc = await startMemcachedServer(engine, { port: config.int('memcached-port'), hosts });
      memcachedPort = mc.port;
      servers.push({ port: mc.port, host: hosts[0] ?? '', close: () => mc.close() });
    } catch (e) {
      log.warning('could not listen for memcached', { error: String(e) });
      await Promise.all(servers.map((s) => s.close()));
      return 1;
    }
  }
  servers = [...servers];
  engine.process.tcpPort = servers[0]?.port ?? 0;
  if (clusterNodeId !== null && group === null) engine.cluster?.setView(singleNodeView(clusterNodeId, clusterIp, engine.process.tcpPort));
  const pidfile = config.get('pidfile');
  if (pidfile !== '') writeFileSync(pidfile, `${process.pid}\n`);
  const cron = setInterval(() => engine.cron(), Math.max(1, Math.floor(1000 / config.int('hz'))));
  log.notice('Cairn started', {
    version: CAIRN_VERSION,
    pid: process.pid,
    port: servers[0]?.port,
    ...(memcachedPort !== null ? { memcached_port: memcachedPort } : {}),
    ...(plan !== null ? { group_node: plan.self.id, group_bus_port: group?.links.listenPort } : {}),
    bind: binds,
    dir,
    config_file: config.file,
  });
  // A readiness line for scripts and tests that start the server with --port 0.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    // A group member's data comes from its Raft log (replayed by the group), not from the local files.
    if (group === null) await persistence.start(); // clients get LOADING until the data set is in memory
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    log.error(message);
    process.stderr.write(`cairn: ${message}\n`);
    clearInterval(cron);
    await Promise.all(servers.map((s) => s.close()));
    return 1;
  }
  return exited;
}
