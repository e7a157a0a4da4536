// A small deterministic cluster for the Raft core's tests: replicas with in-memory storage and a
// toy state machine (the list of applied payloads), connected by an in-memory network that the
// test controls message by message (deliver, drop, duplicate, reorder, partition). Invariant
// checks (election safety, log matching, state-machine safety, leader completeness) run after
// every step when asked, and throw on the first violation.
import {
  MemoryStorage,
  RawNode,
  decodeConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type RaftConfigInput,
  type ReadState,
  type Ready,
} from '../../../src/core/raft/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

export interface Replica {
  readonly id: NodeId;
  raw: RawNode;
  readonly storage: MemoryStorage;
  /** The toy state machine: payloads of applied normal entries, in order. */
  state: string[];
  appliedIndex: number;
  confState: ConfState;
  readStates: ReadState[];
  /** Conf changes applied, in order (for assertions). */
  confChanges: string[];
  up: boolean;
}

export interface ClusterOptions {
  readonly config?: Omit<RaftConfigInput, 'id'>;
  /** Compact (snapshot + truncate) a replica's log once it applied this many entries past its
   *  first index; 0 = never. */
  readonly compactEvery?: number;
  /** Check the invariants after every processing round. */
  readonly checkInvariants?: boolean;
  readonly learners?: readonly NodeId[];
}

export class Cluster {
  readonly replicas = new Map<NodeId, Replica>();
  /** Messages in flight, in send order. */
  inFlight: Message[] = [];
  /** Links cut: `${from}->${to}`. */
  private readonly cut = new Set<string>();
  /** Every entry applied anywhere, by index: the state-machine safety record. */
  readonly appliedByIndex = new Map<number, string>();
  /** Who led each term. */
  readonly leaderOfTerm = new Map<number, NodeId>();
  /** Highest index applied anywhere when each read was issued: its answer must be at least
   *  that (a read sees every write acknowledged before it began). */
  private readonly readFloor = new Map<string, number>();
  private maxApplied = 0;
  readonly stats = { delivered: 0, dropped: 0, snapshotsSent: 0, snapshotsInstalled: 0 };

  constructor(ids: readonly NodeId[], readonly options: ClusterOptions = {}) {
    const learners = options.learners ?? [];
    for (const id of ids) {
      const storage = MemoryStorage.bootstrap(ids.filter((x) => !learners.includes(x)), learners);
      this.replicas.set(id, this.makeReplica(id, storage));
    }
  }

  private makeReplica(id: NodeId, storage: MemoryStorage): Replica {
    const snap = storage.snapshot();
    const raw = new RawNode({ seed: id * 7919, ...this.options.config, id, applied: snap.metadata.index }, storage);
    return {
      id, raw, storage, state: decodeState(snap.data), appliedIndex: snap.metadata.index,
      confState: snap.metadata.confState, readStates: [], confChanges: [], up: true,
    };
  }

  /** Adds a replica that is not yet a member: empty storage, it learns everything from the
   *  leader (a snapshot, since its log starts empty). */
  addBlank(id: NodeId): Replica {
    const r = this.makeReplica(id, new MemoryStorage());
    this.replicas.set(id, r);
    return r;
  }

  get(id: NodeId): Replica {
    const r = this.replicas.get(id);
    if (r === undefined) throw new Error(`no replica ${id}`);
    return r;
  }

  ids(): NodeId[] {
    return [...this.replicas.keys()];
  }

  /** The replica that leads the highest term, if any is up and leading. */
  leader(): Replica | null {
    let best: Replica | null = null;
    for (const r of this.replicas.values()) {
      if (!r.up) continue;
      const s = r.raw.status();
      if (s.role === 'leader' && (best === null || s.term > best.raw.status().term)) best = r;
    }
    return best;
  }

  /** One line per replica, for failure messages. */
  describe(): string {
    const lines: string[] = [];
    for (const r of this.replicas.values()) {
      const s = r.raw.status();
      const progress = [...s.progress].map(([id, p]) => `${id}:${p.state}/m${p.match}/n${p.next}${p.paused ? '/paused' : ''}${p.recentActive ? '' : '/inactive'}`);
      lines.push(`${r.id} ${r.up ? 'up' : 'down'} ${s.role} term ${s.term} lead ${s.lead} commit ${s.commit} applied ${s.applied} `
        + `log [${s.firstIndex}, ${s.lastIndex}] stored [${r.storage.firstIndex()}, ${r.storage.lastIndex()}] ${progress.join(' ')}`);
    }
    lines.push(`in flight: ${this.inFlight.length}, stats ${JSON.stringify(this.stats)}`);
    return lines.join('\n');
  }

  // ---- faults ---------------------------------------------------------------------------------

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}->${to}`);
  }

  /** Splits the cluster: nobody in `group` talks with anybody outside it. */
  partition(group: readonly NodeId[]): void {
    for (const a of this.ids()) {
      for (const b of this.ids()) {
        if (group.includes(a) !== group.includes(b)) this.cutLink(a, b);
      }
    }
  }

  isolate(id: NodeId): void {
    this.partition([id]);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Crash: volatile state and in-flight messages to the node are lost; storage survives
   *  (the harness persists every Ready before sending, as the shell must). */
  crash(id: NodeId): void {
    const r = this.get(id);
    r.up = false;
    for (const m of this.inFlight) if (m.to === id) this.lose(m);
    this.inFlight = this.inFlight.filter((m) => m.to !== id);
  }

  /** Drops the in-flight message at position i. */
  dropAt(i: number): void {
    const [m] = this.inFlight.splice(i, 1);
    if (m !== undefined) this.lose(m);
  }

  /** A message is lost. A real transport knows when a snapshot stream fails and must say so,
   *  or the leader waits for it forever; so does the harness. */
  private lose(m: Message): void {
    this.stats.dropped++;
    if (m.type !== 'snap') return;
    const from = this.replicas.get(m.from);
    if (from !== undefined && from.up) from.raw.reportSnapshot(m.to, 'failure');
  }

  restart(id: NodeId): void {
    const old = this.get(id);
    const fresh = this.makeReplica(id, old.storage);
    fresh.confChanges = old.confChanges;
    this.replicas.set(id, fresh);
  }

  // ---- driving --------------------------------------------------------------------------------

  tick(id: NodeId): void {
    const r = this.get(id);
    if (r.up) r.raw.tick();
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const id of this.ids()) this.tick(id);
  }

  /** Processes every replica's pending Ready (persist, send, apply, advance). */
  processAll(): void {
    for (const r of this.replicas.values()) this.process(r);
  }

  process(r: Replica): void {
    while (r.up && r.raw.hasReady()) {
      const rd = r.raw.ready();
      this.handleReady(r, rd);
      r.raw.advance(rd);
      this.maybeCompact(r);
      if (this.options.checkInvariants === true) this.checkInvariants();
    }
  }

  private handleReady(r: Replica, rd: Ready): void {
    if (rd.softState !== null && rd.softState.role === 'leader') {
      const term = r.raw.status().term;
      const prev = this.leaderOfTerm.get(term);
      if (prev !== undefined && prev !== r.id) throw new Error(`election safety: ${prev} and ${r.id} both lead term ${term}`);
      this.leaderOfTerm.set(term, r.id);
      if (this.options.checkInvariants === true) this.checkLeaderCompleteness(r);
    }
    // 1. persist
    if (rd.snapshot !== null) {
      r.storage.applySnapshot(rd.snapshot);
      this.stats.snapshotsInstalled++;
    }
    r.storage.append(rd.entries);
    if (rd.hardState !== null) r.storage.setHardState(rd.hardState);
    // 2. send
    for (const m of rd.messages) {
      if (m.type === 'snap') this.stats.snapshotsSent++;
      this.inFlight.push(m);
    }
    // 3. apply
    if (rd.snapshot !== null) {
      r.state = decodeState(rd.snapshot.data);
      r.appliedIndex = rd.snapshot.metadata.index;
      r.confState = rd.snapshot.metadata.confState;
    }
    for (const e of rd.committedEntries) this.apply(r, e);
    for (const rs of rd.readStates) {
      const floor = this.readFloor.get(rs.context);
      if (floor !== undefined && rs.index < floor) {
        throw new Error(`linearizable read: ${rs.context} answered at ${rs.index} on ${r.id}, but ${floor} was applied before it began`);
      }
    }
    r.readStates.push(...rd.readStates);
  }

  /** Issues a ReadIndex on `id`, remembering what it must at least see. */
  readIndex(id: NodeId, context: string): ReturnType<RawNode['readIndex']> {
    this.readFloor.set(context, this.maxApplied);
    return this.get(id).raw.readIndex(context);
  }

  private apply(r: Replica, e: Entry): void {
    if (e.index <= r.appliedIndex) throw new Error(`replica ${r.id} applying ${e.index} again (applied ${r.appliedIndex})`);
    if (e.index !== r.appliedIndex + 1) throw new Error(`replica ${r.id} applying ${e.index} after ${r.appliedIndex}`);
    const key = `${e.term}/${e.type}/${text(e.data)}`;
    const seen = this.appliedByIndex.get(e.index);
    if (seen !== undefined && seen !== key) {
      throw new Error(`state-machine safety: index ${e.index} applied as ${seen} and as ${key} (replica ${r.id})`);
    }
    this.appliedByIndex.set(e.index, key);
    if (e.index > this.maxApplied) this.maxApplied = e.index;
    r.appliedIndex = e.index;
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      if (cc !== null) {
        r.confState = r.raw.applyConfChange(cc);
        r.confChanges.push(`${cc.type}:${cc.nodeId}`);
      }
    } else if (e.data.byteLength > 0) {
      r.state.push(text(e.data));
    }
  }

  private maybeCompact(r: Replica): void {
    const every = this.options.compactEvery ?? 0;
    if (every === 0) return;
    if (r.appliedIndex - r.storage.firstIndex() + 1 < every) return;
    const snap = r.storage.createSnapshot(r.appliedIndex, r.confState, encodeState(r.state));
    if (snap === 'out-of-date') return;
    r.storage.compact(r.appliedIndex);
  }

  /** Delivers one in-flight message (by position), unless its link is cut or a side is down. */
  deliverAt(i: number): void {
    const [m] = this.inFlight.splice(i, 1);
    if (m === undefined) return;
    this.deliver(m);
  }

  deliver(m: Message): void {
    const to = this.replicas.get(m.to);
    if (to === undefined || !to.up || this.cut.has(`${m.from}->${m.to}`) || !this.get(m.from).up) {
      this.lose(m);
      return;
    }
    this.stats.delivered++;
    to.raw.step(m);
    if (m.type === 'snap') {
      // The shell on the sending side learns the transfer went through.
      const from = this.get(m.from);
      if (from.up) from.raw.reportSnapshot(m.to, 'finish');
    }
  }

  /** Processes and delivers until nothing is left in flight (bounded). */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      this.processAll();
      if (this.inFlight.length === 0) return;
      const batch = this.inFlight;
      this.inFlight = [];
      for (const m of batch) this.deliver(m);
    }
    throw new Error('cluster did not stabilize');
  }

  /** Ticks everybody until some replica leads (bounded), stabilizing in between. */
  electLeader(maxTicks = 200): Replica {
    for (let t = 0; t < maxTicks; t++) {
      this.stabilize();
      const l = this.leader();
      if (l !== null) return l;
      this.tickAll();
    }
    throw new Error('no leader elected');
  }

  /** Proposes through `id` and stabilizes. */
  propose(id: NodeId, payload: string): ReturnType<RawNode['propose']> {
    const res = this.get(id).raw.propose(bytes(payload));
    this.stabilize();
    return res;
  }

  // ---- invariants -----------------------------------------------------------------------------

  checkInvariants(): void {
    this.checkLogMatching();
  }

  /** §5.3: if two logs hold an entry with the same index and term, they are identical up to it. */
  checkLogMatching(): void {
    const logs = [...this.replicas.values()].map((r) => ({ id: r.id, ents: storedEntries(r.storage) }));
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const x = logs[a]!;
        const y = logs[b]!;
        const common = commonIndexes(x.ents, y.ents);
        let matchedFrom = -1;
        for (let k = common.length - 1; k >= 0; k--) {
          const i = common[k]!;
          if (x.ents.get(i)!.term === y.ents.get(i)!.term) { matchedFrom = k; break; }
        }
        for (let k = 0; k <= matchedFrom; k++) {
          const i = common[k]!;
          const ex = x.ents.get(i)!;
          const ey = y.ents.get(i)!;
          if (ex.term !== ey.term || text(ex.data) !== text(ey.data) || ex.type !== ey.type) {
            throw new Error(`log matching: replicas ${x.id} and ${y.id} differ at ${i} below a match at ${common[matchedFrom]}`);
          }
        }
      }
    }
  }

  /** §5.4: a new leader holds every entry applied anywhere (that it has not compacted). */
  private checkLeaderCompleteness(r: Replica): void {
    const ents = storedEntries(r.storage);
    const first = r.storage.firstIndex();
    for (const [index, key] of this.appliedByIndex) {
      if (index < first) continue;
      const e = ents.get(index);
      if (e === undefined) throw new Error(`leader completeness: leader ${r.id} lacks applied entry ${index}`);
      const k = `${e.term}/${e.type}/${text(e.data)}`;
      if (k !== key) throw new Error(`leader completeness: leader ${r.id} has ${k} at ${index}, applied was ${key}`);
    }
  }
}

function storedEntries(s: MemoryStorage): Map<number, Entry> {
  const out = new Map<number, Entry>();
  const first = s.firstIndex();
  const last = s.lastIndex();
  if (last < first) return out;
  for (const e of s.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) out.set(e.index, e);
  return out;
}

function commonIndexes(a: Map<number, Entry>, b: Map<number, Entry>): number[] {
  const out: number[] = [];
  for (const i of a.keys()) if (b.has(i)) out.push(i);
  return out.sort((x, y) => x - y);
}

function encodeState(state: string[]): Uint8Array {
  return bytes(JSON.stringify(state));
}

function decodeState(data: Uint8Array): string[] {
  if (data.byteLength === 0) return [];
  return JSON.parse(text(data)) as string[];
}
