// The fault schedule: while the run's chaos phase lasts, at random intervals the nemesis picks
// one fault by weight and applies it. Crashed nodes come back after a random downtime. Every
// choice comes from its own seeded stream, so a run's faults replay with the seed. heal() ends
// the chaos: network whole and calm, every node up, disks healthy (clock rates stay as they
// are, within the bound the nodes declared).
import type { Cluster } from './cluster.js';
import { HEALTHY_DISK } from './disk.js';
import type { EventQueue, Micros } from './event-queue.js';
import { CALM_LINK, type LinkConfig, type NodeId } from './network.js';
import type { Random } from './random.js';

const NEMESIS_CRASH = 'nemesis';

export type FaultKind =
  | 'partition-halves' | 'isolate' | 'isolate-leader' | 'one-way' | 'bridge' | 'heal-network'
  | 'crash' | 'crash-leader' | 'disk-faults' | 'clock-drift' | 'wall-step' | 'chaos-links' | 'calm-links'
  /** The leader demotes a voter to learner, or promotes the learner back (SimNode.changeMembership). */
  | 'membership';

export interface NemesisOptions {
  /** Mean time between faults. */
  readonly meanIntervalUs: Micros;
  readonly minDowntimeUs: Micros;
  readonly maxDowntimeUs: Micros;
  /** Weight of each fault; 0 turns it off. */
  readonly weights: Readonly<Record<FaultKind, number>>;
}

export const DEFAULT_NEMESIS: NemesisOptions = {
  meanIntervalUs: 300_000,
  minDowntimeUs: 10_000,
  maxDowntimeUs: 1_500_000,
  weights: {
    'partition-halves': 3, isolate: 2, 'isolate-leader': 3, 'one-way': 2, bridge: 1, 'heal-network': 4,
    crash: 2, 'crash-leader': 2, 'disk-faults': 1, 'clock-drift': 1, 'wall-step': 1, 'chaos-links': 2, 'calm-links': 2,
    // Off unless the adapter asks for it (SimNodeFactory.faultWeights): a zero weight leaves every
    // other run's choices as they were.
    membership: 0,
  },
};

/** Faults only of the network kind, for runs that keep disks and processes healthy. */
export const NETWORK_ONLY: NemesisOptions = {
  ...DEFAULT_NEMESIS,
  weights: { ...DEFAULT_NEMESIS.weights, crash: 0, 'crash-leader': 0, 'disk-faults': 0 },
};

export interface FaultCounts {
  [kind: string]: number;
}

export class Nemesis {
  private active = false;
  readonly counts: FaultCounts = {};

  constructor(
    private readonly cluster: Cluster,
    private readonly queue: EventQueue,
    private readonly random: Random,
    private readonly options: NemesisOptions,
  ) {
    // A node that exits by itself (env.fatal) is restarted after a while, as a supervisor would.
    cluster.onCrash = (id, reason) => {
      if (!this.active || reason === NEMESIS_CRASH) return;
      this.queue.after(this.random.int(this.options.minDowntimeUs, this.options.maxDowntimeUs), () => {
        if (this.active) cluster.start(id);
      });
    };
  }

  start(): void {
    this.active = true;
    this.next();
  }

  /** Ends the chaos: every fault undone, every node started. */
  heal(): void {
    this.active = false;
    const net = this.cluster.network;
    net.heal();
    net.setAllLinks(CALM_LINK);
    for (const slot of this.cluster.slots) {
      slot.disk.faults = { ...HEALTHY_DISK };
      this.cluster.start(slot.id);
    }
    this.cluster.note('nemesis: healed everything');
  }

  private next(): void {
    const wait = 1 + this.random.exponential(this.options.meanIntervalUs);
    this.queue.after(wait, () => {
      if (!this.active) return;
      this.inject();
      this.next();
    });
  }

  private inject(): void {
    const weights = Object.entries(this.options.weights) as Array<[FaultKind, number]>;
    const kind = this.random.weighted(weights.map(([k, w]) => [w, k] as const));
    const what = this.apply(kind);
    if (what === null) return;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.cluster.note(`nemesis: ${what}`);
  }

  /** Applies one fault; returns its description, or null when it did not apply. */
  private apply(kind: FaultKind): string | null {
    const c = this.cluster;
    const net = c.network;
    const members = c.members;
    switch (kind) {
      case 'partition-halves': {
        const shuffled = this.random.shuffle(members);
        const cut = this.random.int(1, Math.max(1, members.length - 1));
        const a = shuffled.slice(0, cut);
        net.heal();
        net.split([a, shuffled.slice(cut)]);
        return `partition ${fmt(a)} | ${fmt(shuffled.slice(cut))}`;
      }
      case 'isolate':
      case 'isolate-leader': {
        const node = kind === 'isolate-leader' ? this.leader() : this.random.pick(members);
        if (node === null) return null;
        net.heal();
        net.isolate(node);
        return `isolate n${node}${kind === 'isolate-leader' ? ' (leader)' : ''}`;
      }
      case 'one-way': {
        const from = this.random.pick(members);
        const cut = members.filter((m) => m !== from && this.random.chance(0.6));
        if (cut.length === 0) return null;
        for (const to of cut) net.blockOneWay(from, to);
        return `one-way: n${from} cannot reach ${fmt(cut)} (they still reach it)`;
      }
      case 'bridge': {
        // Two sides that do not see each other and one node that sees both (non-transitive).
        if (members.length < 3) return null;
        const [bridge, ...rest] = this.random.shuffle(members);
        const half = Math.floor(rest.length / 2);
        const left = rest.slice(0, half);
        const right = rest.slice(half);
        net.heal();
        for (const a of left) for (const b of right) net.blockBoth(a, b);
        return `bridge n${bridge!} between ${fmt(left)} and ${fmt(right)}`;
      }
      case 'heal-network':
        net.heal();
        return 'heal network';
      case 'crash':
      case 'crash-leader': {
        const up = members.filter((m) => c.isUp(m));
        const node = kind === 'crash-leader' ? this.leader() : up.length === 0 ? null : this.random.pick(up);
        if (node === null) return null;
        c.crash(node, NEMESIS_CRASH);
        const downtime = this.random.int(this.options.minDowntimeUs, this.options.maxDowntimeUs);
        this.queue.after(downtime, () => {
          if (this.active) c.start(node);
        });
        return `crash n${node}${kind === 'crash-leader' ? ' (leader)' : ''} for ${(downtime / 1000).toFixed(0)}ms`;
      }
      case 'disk-faults': {
        const node = this.random.pick(members);
        const disk = c.slot(node).disk;
        const on = disk.faults.fsyncErrorProbability === 0;
        disk.faults = on
          ? { ...HEALTHY_DISK, fsyncErrorProbability: 0.05, writeErrorProbability: 0.01, fsyncMaxUs: 20_000 }
          : { ...HEALTHY_DISK };
        return `disk of n${node} ${on ? 'failing (fsync errors, write errors, slow fsync)' : 'healthy'}`;
      }
      case 'clock-drift': {
        const node = this.random.pick(members);
        const slot = c.slot(node);
        const bound = slot.clock.driftBound;
        slot.clock.setRate(1 + (this.random.float() * 2 - 1) * bound);
        c.retime(node);
        return `clock of n${node} runs at rate ${slot.clock.driftRate.toFixed(6)}`;
      }
      case 'wall-step': {
        const node = this.random.pick(members);
        const delta = this.random.int(-2_000, 2_000);
        c.slot(node).clock.stepWall(delta);
        return `wall clock of n${node} steps ${delta}ms`;
      }
      case 'chaos-links': {
        const link: LinkConfig = {
          delay: { minUs: 100, maxUs: this.random.int(1_000, 30_000), tailProbability: 0.02, tailMaxUs: 300_000 },
          lossProbability: this.random.float() * 0.2,
          duplicateProbability: this.random.float() * 0.1,
          fifo: this.random.chance(0.3),
          bytesPerMs: this.random.chance(0.3) ? this.random.int(1_000, 100_000) : Infinity,
        };
        net.setAllLinks(link);
        return `links: loss ${link.lossProbability.toFixed(3)} dup ${link.duplicateProbability.toFixed(3)} delay <=${link.delay.maxUs}us ${link.fifo ? 'fifo' : 'reordering'}`;
      }
      case 'calm-links':
        net.setAllLinks(CALM_LINK);
        return 'links calm';
      case 'membership': {
        const leader = this.leader();
        if (leader === null) return null;
        return c.inspect(leader, (node) => node.changeMembership?.(this.random) ?? null);
      }
    }
  }

  /** A node that says it leads (lowest id first), or null when none does. */
  private leader(): NodeId | null {
    for (const id of this.cluster.members) {
      const role = this.cluster.inspect(id, (node) => node.status().role);
      if (role === 'leader' || role === 'primary') return id;
    }
    return null;
  }
}

function fmt(nodes: readonly NodeId[]): string {
  return `{${nodes.map((n) => `n${n}`).join(',')}}`;
}
