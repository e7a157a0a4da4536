// The ordered half of a large sorted set: entries (score, member) kept in (score, member) order
// in a counted B+tree, so that insert, delete, rank, select-by-rank and the start of a range
// are O(log n), and walking a range costs O(1) per entry.
//
// Why a B+tree rather than Redis's skiplist: the tree is deterministic (a skiplist draws a random
// level per node, and the core must not depend on hidden randomness: with a fixed seed an
// adversary who knows the level sequence can degrade it to a linked list), its O(log n) bound is
// a worst case rather than an expectation, and it keeps entries in arrays of up to 64 per leaf,
// which costs far less heap in V8 than one object with two arrays per skiplist node. Each inner
// node keeps the number of entries below each child (for ranks) and the smallest key of each
// child (to descend by key). Leaves are linked both ways for range walks.
//
// Order: score ascending, then member by bytes (latin1 code units), as Redis compares with
// memcmp. -0 and 0 compare equal as scores, as in C. NaN is never stored.

const LEAF_MAX = 64;
const LEAF_MIN = LEAF_MAX >> 1;
const INNER_MAX = 64;
const INNER_MIN = INNER_MAX >> 1;

/** Negative, zero or positive as (s1, m1) sorts before, with, or after (s2, m2). */
export function compareEntries(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

/** A predicate that holds for a prefix of the order (e.g. "score < 5"): true, then false. */
export type PrefixPredicate = (score: number, member: string) => boolean;

class Leaf {
  readonly isLeaf = true;
  members: string[] = [];
  scores: number[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;

  get size(): number {
    return this.members.length;
  }
}

class Inner {
  readonly isLeaf = false;
  children: TreeNode[] = [];
  /** Entries below each child. */
  counts: number[] = [];
  /** The smallest key below each child (index 0 included). */
  lowScores: number[] = [];
  lowMembers: string[] = [];
  /** Entries below this node (the sum of counts). */
  total = 0;

  get size(): number {
    return this.children.length;
  }
}

type TreeNode = Leaf | Inner;

function entriesBelow(node: TreeNode): number {
  return node.isLeaf ? node.members.length : node.total;
}

function lowScore(node: TreeNode): number {
  return node.isLeaf ? node.scores[0]! : node.lowScores[0]!;
}

function lowMember(node: TreeNode): string {
  return node.isLeaf ? node.members[0]! : node.lowMembers[0]!;
}

/** Sets child i's count and smallest key from the child itself. */
function refreshChild(parent: Inner, i: number): void {
  const child = parent.children[i]!;
  parent.counts[i] = entriesBelow(child);
  parent.lowScores[i] = lowScore(child);
  parent.lowMembers[i] = lowMember(child);
}

function recountTotal(node: Inner): void {
  let t = 0;
  for (const c of node.counts) t += c;
  node.total = t;
}

/** A position in the tree: a leaf and an index in it. */
export interface TreeCursor {
  leaf: Leaf | null;
  index: number;
}

export class OrderTree {
  private root: TreeNode = new Leaf();
  private first: Leaf;
  private last: Leaf;

  constructor() {
    this.first = this.root as Leaf;
    this.last = this.first;
  }

  get size(): number {
    return entriesBelow(this.root);
  }

  /** Builds a tree from entries already in order, in O(n). */
  static fromSorted(members: readonly string[], scores: readonly number[]): OrderTree {
    const tree = new OrderTree();
    const n = members.length;
    if (n === 0) return tree;
    // Even chunks: sizes differ by at most one, so each is at least half full when there are several.
    const leafCount = Math.ceil(n / LEAF_MAX);
    let level: TreeNode[] = [];
    let prev: Leaf | null = null;
    for (let k = 0; k < leafCount; k++) {
      const from = Math.floor((k * n) / leafCount);
      const to = Math.floor(((k + 1) * n) / leafCount);
      const leaf = new Leaf();
      leaf.members = members.slice(from, to);
      leaf.scores = scores.slice(from, to);
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
    }
    tree.first = level[0] as Leaf;
    tree.last = prev!;
    while (level.length > 1) {
      const groups = Math.ceil(level.length / INNER_MAX);
      const up: TreeNode[] = [];
      for (let k = 0; k < groups; k++) {
        const from = Math.floor((k * level.length) / groups);
        const to = Math.floor(((k + 1) * level.length) / groups);
        const node = new Inner();
        node.children = level.slice(from, to);
        for (let i = 0; i < node.children.length; i++) refreshChild(node, i);
        recountTotal(node);
        up.push(node);
      }
      level = up;
    }
    tree.root = level[0]!;
    return tree;
  }

  /** Inserts an entry whose member is not in the tree (the caller checks). */
  insert(score: number, member: string): void {
    const split = this.insertInto(this.root, score, member);
    if (split !== null) {
      const root = new Inner();
      root.children = [this.root, split];
      refreshChild(root, 0);
      refreshChild(root, 1);
      recountTotal(root);
      this.root = root;
    }
  }

  /** Deletes an entry that is in the tree with exactly this score; false if it is not there. */
  delete(score: number, member: string): boolean {
    if (!this.deleteFrom(this.root, score, member)) return false;
    const root = this.root;
    if (!root.isLeaf && root.children.length === 1) this.root = root.children[0]!;
    return true;
  }

  /** The 0-based rank of an entry that is in the tree. */
  rankOf(score: number, member: string): number {
    return this.countWhile((s, m) => compareEntries(s, m, score, member) < 0);
  }

  /** How many entries, from the first, satisfy a prefix predicate. O(log n). */
  countWhile(pred: PrefixPredicate): number {
    let node = this.root;
    let before = 0;
    while (!node.isLeaf) {
      // The last child whose smallest key still satisfies pred holds the boundary.
      let lo = 1;
      let hi = node.children.length - 1;
      let at = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(node.lowScores[mid]!, node.lowMembers[mid]!)) {
          at = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      for (let i = 0; i < at; i++) before += node.counts[i]!;
      node = node.children[at]!;
    }
    let lo = 0;
    let hi = node.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(node.scores[mid]!, node.members[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return before + lo;
  }

  /** A cursor on the entry of a rank (0 <= rank < size). */
  cursorAt(rank: number): TreeCursor {
    let node = this.root;
    let rest = rank;
    while (!node.isLeaf) {
      let i = 0;
      while (rest >= node.counts[i]!) rest -= node.counts[i++]!;
      node = node.children[i]!;
    }
    return { leaf: node, index: rest };
  }

  memberAt(c: TreeCursor): string {
    return c.leaf!.members[c.index]!;
  }

  scoreAt(c: TreeCursor): number {
    return c.leaf!.scores[c.index]!;
  }

  /** Moves a cursor one entry forward; its leaf becomes null past the end. */
  forward(c: TreeCursor): void {
    const leaf = c.leaf!;
    if (c.index + 1 < leaf.members.length) {
      c.index++;
    } else {
      c.leaf = leaf.next;
      c.index = 0;
    }
  }

  /** Moves a cursor one entry back; its leaf becomes null before the start. */
  backward(c: TreeCursor): void {
    if (c.index > 0) {
      c.index--;
    } else {
      c.leaf = c.leaf!.prev;
      c.index = c.leaf === null ? 0 : c.leaf.members.length - 1;
    }
  }

  /** Every entry in order, into two parallel arrays. O(n). */
  toArrays(): { members: string[]; scores: number[] } {
    const members: string[] = [];
    const scores: number[] = [];
    for (let leaf: Leaf | null = this.first; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.members.length; i++) {
        members.push(leaf.members[i]!);
        scores.push(leaf.scores[i]!);
      }
    }
    return { members, scores };
  }

  /** Throws when a structural invariant is broken (tests). */
  checkInvariants(): void {
    const leaves: Leaf[] = [];
    const walk = (node: TreeNode, depth: number, isRoot: boolean): number => {
      if (node.isLeaf) {
        if (!isRoot && node.size < LEAF_MIN) throw new Error(`leaf underflow ${node.size}`);
        if (node.size > LEAF_MAX) throw new Error(`leaf overflow ${node.size}`);
        if (node.members.length !== node.scores.length) throw new Error('leaf arrays differ');
        leaves.push(node);
        return depth;
      }
      if (!isRoot && node.size < INNER_MIN) throw new Error(`inner underflow ${node.size}`);
      if (isRoot && node.size < 2) throw new Error('inner root with one child');
      if (node.size > INNER_MAX) throw new Error(`inner overflow ${node.size}`);
      let depthSeen = -1;
      let total = 0;
      for (let i = 0; i < node.children.length; i++) {
        const child = node.children[i]!;
        if (node.counts[i] !== entriesBelow(child)) throw new Error('stale count');
        if (node.lowScores[i] !== lowScore(child) || node.lowMembers[i] !== lowMember(child)) throw new Error('stale low key');
        total += node.counts[i]!;
        const d = walk(child, depth + 1, false);
        if (depthSeen >= 0 && d !== depthSeen) throw new Error('unbalanced');
        depthSeen = d;
      }
      if (total !== node.total) throw new Error('stale total');
      return depthSeen;
    };
    walk(this.root, 0, true);
    if (leaves[0] !== this.first || leaves[leaves.length - 1] !== this.last) throw new Error('first/last leaf');
    let prevScore = -Infinity;
    let prevMember: string | null = null;
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k]!;
      if (leaf.prev !== (k === 0 ? null : leaves[k - 1])) throw new Error('prev link');
      if (leaf.next !== (k === leaves.length - 1 ? null : leaves[k + 1])) throw new Error('next link');
      for (let i = 0; i < leaf.members.length; i++) {
        const s = leaf.scores[i]!;
        const m = leaf.members[i]!;
        if (prevMember !== null && compareEntries(prevScore, prevMember, s, m) >= 0) throw new Error('out of order');
        prevScore = s;
        prevMember = m;
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  /** The child of an inner node whose key range holds (score, member). */
  private childFor(node: Inner, score: number, member: string): number {
    let lo = 1;
    let hi = node.children.length - 1;
    let at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(node.lowScores[mid]!, node.lowMembers[mid]!, score, member) <= 0) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return at;
  }

  /** Inserts below `node`; returns the new right sibling when `node` had to split. */
  private insertInto(node: TreeNode, score: number, member: string): TreeNode | null {
    if (node.isLeaf) {
      let lo = 0;
      let hi = node.members.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareEntries(node.scores[mid]!, node.members[mid]!, score, member) < 0) lo = mid + 1;
        else hi = mid;
      }
      node.members.splice(lo, 0, member);
      node.scores.splice(lo, 0, score);
      return node.members.length > LEAF_MAX ? this.splitLeaf(node) : null;
    }
    const i = this.childFor(node, score, member);
    const split = this.insertInto(node.children[i]!, score, member);
    node.total++;
    refreshChild(node, i);
    if (split === null) return null;
    node.children.splice(i + 1, 0, split);
    node.counts.splice(i + 1, 0, 0);
    node.lowScores.splice(i + 1, 0, 0);
    node.lowMembers.splice(i + 1, 0, '');
    refreshChild(node, i + 1);
    return node.children.length > INNER_MAX ? this.splitInner(node) : null;
  }

  private splitLeaf(leaf: Leaf): Leaf {
    const half = leaf.members.length >> 1;
    const right = new Leaf();
    right.members = leaf.members.splice(half);
    right.scores = leaf.scores.splice(half);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.last = right;
    leaf.next = right;
    return right;
  }

  private splitInner(node: Inner): Inner {
    const half = node.children.length >> 1;
    const right = new Inner();
    right.children = node.children.splice(half);
    right.counts = node.counts.splice(half);
    right.lowScores = node.lowScores.splice(half);
    right.lowMembers = node.lowMembers.splice(half);
    recountTotal(right);
    node.total -= right.total;
    return right;
  }

  /** Deletes below `node`; false when the entry is not there. Rebalances children on the way up. */
  private deleteFrom(node: TreeNode, score: number, member: string): boolean {
    if (node.isLeaf) {
      let lo = 0;
      let hi = node.members.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareEntries(node.scores[mid]!, node.members[mid]!, score, member) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= node.members.length || node.members[lo] !== member || node.scores[lo] !== score) return false;
      node.members.splice(lo, 1);
      node.scores.splice(lo, 1);
      return true;
    }
    const i = this.childFor(node, score, member);
    const child = node.children[i]!;
    if (!this.deleteFrom(child, score, member)) return false;
    node.total--;
    const min = child.isLeaf ? LEAF_MIN : INNER_MIN;
    if (child.size < min) this.rebalance(node, i);
    else refreshChild(node, i);
    return true;
  }

  /** Child i of `parent` fell below half full: borrow from a sibling, or merge with one. */
  private rebalance(parent: Inner, i: number): void {
    const leftIndex = i > 0 ? i - 1 : i;
    const left = parent.children[leftIndex]!;
    const right = parent.children[leftIndex + 1]!;
    const min = left.isLeaf ? LEAF_MIN : INNER_MIN;
    if (left.size + right.size - 1 >= 2 * min) {
      // Enough entries for two half-full nodes: move one across, toward the short side.
      if (left.size < right.size) this.shiftLeft(left, right);
      else this.shiftRight(left, right);
      refreshChild(parent, leftIndex);
      refreshChild(parent, leftIndex + 1);
      return;
    }
    this.mergeInto(left, right);
    parent.children.splice(leftIndex + 1, 1);
    parent.counts.splice(leftIndex + 1, 1);
    parent.lowScores.splice(leftIndex + 1, 1);
    parent.lowMembers.splice(leftIndex + 1, 1);
    refreshChild(parent, leftIndex);
  }

  /** Moves the first entry (or child) of `right` to the end of `left`. */
  private shiftLeft(left: TreeNode, right: TreeNode): void {
    if (left.isLeaf && right.isLeaf) {
      left.members.push(right.members.shift()!);
      left.scores.push(right.scores.shift()!);
      return;
    }
    const l = left as Inner;
    const r = right as Inner;
    const moved = r.counts[0]!;
    l.children.push(r.children.shift()!);
    l.counts.push(r.counts.shift()!);
    l.lowScores.push(r.lowScores.shift()!);
    l.lowMembers.push(r.lowMembers.shift()!);
    l.total += moved;
    r.total -= moved;
  }

  /** Moves the last entry (or child) of `left` to the start of `right`. */
  private shiftRight(left: TreeNode, right: TreeNode): void {
    if (left.isLeaf && right.isLeaf) {
      right.members.unshift(left.members.pop()!);
      right.scores.unshift(left.scores.pop()!);
      return;
    }
    const l = left as Inner;
    const r = right as Inner;
    const moved = l.counts[l.counts.length - 1]!;
    r.children.unshift(l.children.pop()!);
    r.counts.unshift(l.counts.pop()!);
    r.lowScores.unshift(l.lowScores.pop()!);
    r.lowMembers.unshift(l.lowMembers.pop()!);
    l.total -= moved;
    r.total += moved;
  }

  /** Appends everything in `right` to `left`; `right` is then dropped by the caller. */
  private mergeInto(left: TreeNode, right: TreeNode): void {
    if (left.isLeaf && right.isLeaf) {
      for (let k = 0; k < right.members.length; k++) {
        left.members.push(right.members[k]!);
        left.scores.push(right.scores[k]!);
      }
      left.next = right.next;
      if (right.next !== null) right.next.prev = left;
      else this.last = left;
      return;
    }
    const l = left as Inner;
    const r = right as Inner;
    for (let k = 0; k < r.children.length; k++) {
      l.children.push(r.children[k]!);
      l.counts.push(r.counts[k]!);
      l.lowScores.push(r.lowScores[k]!);
      l.lowMembers.push(r.lowMembers[k]!);
    }
    l.total += r.total;
  }
}
