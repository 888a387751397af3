/**
 * Exact TreeSHAP for one regression tree: Algorithm 2 of Lundberg, Erion & Lee, "Consistent
 * Individualized Feature Attribution for Tree Ensembles" (2018), polynomial time in tree depth.
 * Values are path-dependent expectations weighted by node cover (training samples per node).
 *
 * Players are *groups* of encoded columns (`groupOf[column]`), not single columns: the one-hot
 * columns of a raw categorical feature form one player, so the result is the exact Shapley value of
 * the raw feature rather than a sum of per-column values. The algorithm only needs "the split
 * decision is a function of the player's value", which holds for a group as well.
 */

// Bound once: under jest's vm sandbox every lookup of the global `Math` costs ~40x, and these run in hot loops.
const { fround, max } = Math;

/** A node of a binary regression tree. Leaves have `feature === -1`. */
export interface TreeNode {
  /** Index into the encoded vector; -1 for a leaf. */
  feature: number;
  /** Go left when `Math.fround(x[feature]) <= threshold` (float32 to match onnxruntime). */
  threshold: number;
  left: number;
  right: number;
  /** Leaf output (log-odds); for internal nodes the cover-weighted mean of the leaves below. */
  value: number;
  /** Training samples that reached the node; > 0 everywhere. */
  cover: number;
}

/** The split rule, in one place so prediction and explanation can never disagree. */
export function goesLeft(node: TreeNode, x: ArrayLike<number>): boolean {
  return fround(x[node.feature]) <= node.threshold;
}

export function predictTree(tree: readonly TreeNode[], x: ArrayLike<number>): number {
  let i = 0;
  while (tree[i].feature >= 0) i = goesLeft(tree[i], x) ? tree[i].left : tree[i].right;
  return tree[i].value;
}

/** E[f(X)] under the cover distribution: what the explanation of a tree starts from. */
export function treeExpectedValue(tree: readonly TreeNode[], node = 0): number {
  const n = tree[node];
  if (n.feature < 0) return n.value;
  const l = tree[n.left];
  const r = tree[n.right];
  // Same weights (child cover / node cover) as the SHAP recursion, so additivity holds exactly.
  return (l.cover * treeExpectedValue(tree, n.left) + r.cover * treeExpectedValue(tree, n.right)) / n.cover;
}

/** Depth of a tree (a lone leaf has depth 0). */
function treeDepth(tree: readonly TreeNode[], node = 0): number {
  const n = tree[node];
  return n.feature < 0 ? 0 : 1 + max(treeDepth(tree, n.left), treeDepth(tree, n.right));
}

/**
 * The path of unique players, one element per slot: d player, z zero fraction, o one fraction,
 * w permutation weight. Slot 0 holds the root sentinel (d = -1), so a real group is at index >= 1.
 */
interface PathBuffer {
  d: Int32Array;
  z: Float64Array;
  o: Float64Array;
  w: Float64Array;
}

function newPathBuffer(size: number): PathBuffer {
  return { d: new Int32Array(size), z: new Float64Array(size), o: new Float64Array(size), w: new Float64Array(size) };
}

/** Appends (z, o, d) at index `depth` and updates the weights. */
function extendPath(p: PathBuffer, depth: number, z: number, o: number, d: number): void {
  p.d[depth] = d;
  p.z[depth] = z;
  p.o[depth] = o;
  p.w[depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.w[i + 1] += (o * p.w[i] * (i + 1)) / (depth + 1);
    p.w[i] = (z * p.w[i] * (depth - i)) / (depth + 1);
  }
}

/** Undoes extendPath for element `index` (a player split on twice along one path). */
function unwindPath(p: PathBuffer, depth: number, index: number): void {
  const o = p.o[index];
  const z = p.z[index];
  let next = p.w[depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (o !== 0) {
      const tmp = p.w[i];
      p.w[i] = (next * (depth + 1)) / ((i + 1) * o);
      next = tmp - (p.w[i] * z * (depth - i)) / (depth + 1);
    } else {
      p.w[i] = (p.w[i] * (depth + 1)) / (z * (depth - i));
    }
  }
  // Weights stay in place; the identities (d, z, o) after `index` shift down by one.
  for (let i = index; i < depth; i++) {
    p.d[i] = p.d[i + 1];
    p.z[i] = p.z[i + 1];
    p.o[i] = p.o[i + 1];
  }
}

/** Sum of the weights the path would have with element `index` unwound, without modifying it. */
function unwoundPathSum(p: PathBuffer, depth: number, index: number): number {
  const o = p.o[index];
  const z = p.z[index];
  let next = p.w[depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (o !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * o);
      total += tmp;
      next = p.w[i] - tmp * z * ((depth - i) / (depth + 1));
    } else if (z !== 0) {
      total += p.w[i] / z / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/**
 * The recursion of Algorithm 2 along one root-to-leaf path: the state it reaches at the leaf
 * path[path.length - 1] when, at each ancestor path[j], the row's own branch (the "hot" child) is
 * the path's iff hot[j] is 1. In place in one buffer, since going down a single path never needs a
 * parent's state again. Returns the index of the path's last element.
 *
 * That state, hence every term a leaf adds to phi, depends on the row only through these bits,
 * which is what lets compileEnsemble tabulate it.
 */
function walkPath(tree: readonly TreeNode[], groupOf: ArrayLike<number>, path: readonly number[], hot: ArrayLike<number>, p: PathBuffer): number {
  extendPath(p, 0, 1, 1, -1);
  let depth = 0;
  for (let j = 0; j + 1 < path.length; j++) {
    const node = tree[path[j]];
    const group = groupOf[node.feature];
    let [incomingZ, incomingO, k] = [1, 1, 0];
    while (k <= depth && p.d[k] !== group) k++;
    if (k <= depth) {
      incomingZ = p.z[k];
      incomingO = p.o[k];
      unwindPath(p, depth, k);
      depth -= 1;
    }
    depth += 1;
    extendPath(p, depth, (tree[path[j + 1]].cover / node.cover) * incomingZ, hot[j] ? incomingO : 0, group);
  }
  return depth;
}

/** What element `i` of the walked path adds to phi[p.d[i]] at a leaf of output `value`. */
function leafTerm(p: PathBuffer, depth: number, i: number, value: number): number {
  return unwoundPathSum(p, depth, i) * (p.o[i] - p.z[i]) * value;
}

/** Scratch shared by every addTreeShap call (explanations are synchronous), grown on demand. */
let scratch = newPathBuffer(0);

/**
 * Adds the SHAP values of `tree` at `x` to `phi` (indexed by group). Afterwards
 * sum(phi added) === predictTree(tree, x) - treeExpectedValue(tree), up to rounding.
 */
export function addTreeShap(tree: readonly TreeNode[], x: ArrayLike<number>, groupOf: ArrayLike<number>, phi: Float64Array): void {
  const size = treeDepth(tree) + 2;
  if (scratch.w.length < size) scratch = newPathBuffer(size);
  visit(tree, x, groupOf, phi, [0], [], scratch);
}

/** Leaves below path's last node, hot child first: phi receives its additions in that order. */
function visit(tree: readonly TreeNode[], x: ArrayLike<number>, groupOf: ArrayLike<number>, phi: Float64Array, path: number[], hot: number[], p: PathBuffer): void {
  const node = tree[path[path.length - 1]];
  if (node.feature < 0) {
    const depth = walkPath(tree, groupOf, path, hot, p);
    for (let i = 1; i <= depth; i++) phi[p.d[i]] += leafTerm(p, depth, i, node.value);
    return;
  }
  const left = goesLeft(node, x);
  for (let bit = 1; bit >= 0; bit--) {
    path.push(left === (bit === 1) ? node.left : node.right); // bit 1: the row's own branch, visited first
    hot.push(bit);
    visit(tree, x, groupOf, phi, path, hot, p);
    path.pop();
    hot.pop();
  }
}

/**
 * Deepest tree that gets a lookup table (below). A leaf at depth D with n distinct players on its
 * path needs 2^D * n entries: at most 1,024 for a depth-4 tree (8 KiB), 5,120 for depth 5, 24,576
 * for depth 6. Deeper trees are explained by addTreeShap, in their place in the sum.
 */
const MAX_TABLE_DEPTH = 5;

/**
 * An ensemble prepared for explaining many rows: each leaf's terms (see walkPath) tabulated for all
 * 2^D patterns of its path's hot bits, so that a row costs one walk over the tree adding table
 * entries to phi in addTreeShap's own order. Same arithmetic, same order: bit-for-bit the same phi.
 * Measured on a 71-tree depth-4 model: ~1.0 ms -> ~0.02 ms per row (see explain.bench.ts).
 */
export interface CompiledEnsemble {
  trees: readonly (readonly TreeNode[])[];
  groupOf: ArrayLike<number>;
  /** Root of each tree in the flat node arrays (all trees' nodes, concatenated); -1: left to addTreeShap. */
  root: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** Per leaf: how many players its path has, where they are in `players`, where its table starts. */
  count: Int32Array;
  playerAt: Int32Array;
  tableAt: Int32Array;
  players: Int32Array;
  /** Leaf terms, pattern-major: entry tableAt + pattern * count + i goes to players[playerAt + i]. */
  table: Float64Array;
  /** (node, pattern) pairs of the walk. */
  stack: Int32Array;
}

export function compileEnsemble(trees: readonly (readonly TreeNode[])[], groupOf: ArrayLike<number>): CompiledEnsemble {
  const total = trees.reduce((n, tree) => n + tree.length, 0);
  const [ints, floats] = [() => new Int32Array(total), () => new Float64Array(total)];
  const c: CompiledEnsemble = {
    trees, groupOf, root: new Int32Array(trees.length), feature: ints(), threshold: floats(), left: ints(), right: ints(), value: floats(),
    count: ints(), playerAt: ints(), tableAt: ints().fill(-1), players: new Int32Array(0), table: new Float64Array(0),
    stack: new Int32Array(2 * (MAX_TABLE_DEPTH + 1)),
  };
  const table: number[] = [];
  const players: number[] = [];
  let base = 0;
  trees.forEach((tree, t) => {
    tree.forEach((n, i) => {
      c.feature[base + i] = n.feature;
      c.threshold[base + i] = n.threshold;
      c.left[base + i] = base + n.left;
      c.right[base + i] = base + n.right;
      c.value[base + i] = n.value;
    });
    const [tableLength, playersLength] = [table.length, players.length];
    c.root[t] = base;
    // A node with two parents would need one table per path: leave such a (malformed) tree to addTreeShap.
    if (treeDepth(tree) > MAX_TABLE_DEPTH || !tabulate(c, tree, base, [0], table, players)) {
      c.root[t] = -1;
      table.length = tableLength;
      players.length = playersLength;
    }
    base += tree.length;
  });
  c.table = Float64Array.from(table);
  c.players = Int32Array.from(players);
  return c;
}

/** Fills the tables of the leaves below path's last node; false if a leaf is reached twice. */
function tabulate(c: CompiledEnsemble, tree: readonly TreeNode[], base: number, path: number[], table: number[], players: number[]): boolean {
  const node = tree[path[path.length - 1]];
  if (node.feature >= 0) {
    for (const child of [node.left, node.right]) {
      path.push(child);
      const ok = tabulate(c, tree, base, path, table, players);
      path.pop();
      if (!ok) return false;
    }
    return true;
  }
  const leaf = base + path[path.length - 1];
  if (c.tableAt[leaf] >= 0) return false;
  c.tableAt[leaf] = table.length;
  const steps = path.length - 1;
  const hot = new Int32Array(steps);
  const p = newPathBuffer(steps + 2);
  for (let pattern = 0; pattern < 1 << steps; pattern++) {
    for (let j = 0; j < steps; j++) hot[j] = (pattern >> (steps - 1 - j)) & 1; // the root's bit is the highest
    const depth = walkPath(tree, c.groupOf, path, hot, p);
    for (let i = 1; i <= depth; i++) table.push(leafTerm(p, depth, i, node.value));
    c.count[leaf] = depth;
  }
  // Which player sits in which slot depends on the path only, not on the bits.
  c.playerAt[leaf] = players.length;
  for (let i = 1; i <= c.count[leaf]; i++) players.push(p.d[i]);
  return true;
}

/**
 * Adds the SHAP values of every tree at `x` to `phi`, exactly as addTreeShap tree by tree would,
 * and returns start + the trees' outputs summed in order (the same sum as predictEncodedLogit).
 */
export function addEnsembleShap(c: CompiledEnsemble, x: ArrayLike<number>, phi: Float64Array, start: number): number {
  const { root, feature, threshold, left, right, value, count, playerAt, tableAt, players, table, stack } = c;
  let sum = start;
  for (let t = 0; t < root.length; t++) {
    if (root[t] < 0) {
      addTreeShap(c.trees[t], x, c.groupOf, phi);
      sum += predictTree(c.trees[t], x);
      continue;
    }
    stack[0] = root[t];
    stack[1] = 0;
    let top = 2;
    let first = true;
    while (top > 0) {
      const pattern = stack[--top];
      const node = stack[--top];
      const f = feature[node];
      if (f < 0) {
        if (first) sum += value[node]; // the all-hot leaf comes first: the tree's prediction
        first = false;
        const n = count[node];
        const at = tableAt[node] + pattern * n;
        const who = playerAt[node];
        for (let i = 0; i < n; i++) phi[players[who + i]] += table[at + i];
        continue;
      }
      const goLeft = fround(x[f]) <= threshold[node]; // goesLeft, on the flat arrays
      // Cold child pushed first so that the hot one is popped first, as in visit.
      stack[top++] = goLeft ? right[node] : left[node];
      stack[top++] = pattern * 2;
      stack[top++] = goLeft ? left[node] : right[node];
      stack[top++] = pattern * 2 + 1;
    }
  }
  return sum;
}
