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
 * w permutation weight. Every recursion level works on its own segment of these flat arrays
 * (copied from its parent's), as in the reference implementation, so no allocation per node.
 */
interface PathBuffer {
  d: Int32Array;
  z: Float64Array;
  o: Float64Array;
  w: Float64Array;
}

/** Appends (z, o, d) at index `depth` of the segment starting at `at` and updates the weights. */
function extendPath(p: PathBuffer, at: number, depth: number, z: number, o: number, d: number): void {
  p.d[at + depth] = d;
  p.z[at + depth] = z;
  p.o[at + depth] = o;
  p.w[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.w[at + i + 1] += (o * p.w[at + i] * (i + 1)) / (depth + 1);
    p.w[at + i] = (z * p.w[at + i] * (depth - i)) / (depth + 1);
  }
}

/** Undoes extendPath for element `index` (a player split on twice along one path). */
function unwindPath(p: PathBuffer, at: number, depth: number, index: number): void {
  const o = p.o[at + index];
  const z = p.z[at + index];
  let next = p.w[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (o !== 0) {
      const tmp = p.w[at + i];
      p.w[at + i] = (next * (depth + 1)) / ((i + 1) * o);
      next = tmp - (p.w[at + i] * z * (depth - i)) / (depth + 1);
    } else {
      p.w[at + i] = (p.w[at + i] * (depth + 1)) / (z * (depth - i));
    }
  }
  // Weights stay in place; the identities (d, z, o) after `index` shift down by one.
  for (let i = index; i < depth; i++) {
    p.d[at + i] = p.d[at + i + 1];
    p.z[at + i] = p.z[at + i + 1];
    p.o[at + i] = p.o[at + i + 1];
  }
}

/** Sum of the weights the path would have with element `index` unwound, without modifying it. */
function unwoundPathSum(p: PathBuffer, at: number, depth: number, index: number): number {
  const o = p.o[at + index];
  const z = p.z[at + index];
  let next = p.w[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (o !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * o);
      total += tmp;
      next = p.w[at + i] - tmp * z * ((depth - i) / (depth + 1));
    } else if (z !== 0) {
      total += p.w[at + i] / z / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/** Path buffer shared by every addTreeShap call (explanations are synchronous), grown on demand. */
let scratch = newPathBuffer(0);

function newPathBuffer(size: number): PathBuffer {
  return { d: new Int32Array(size), z: new Float64Array(size), o: new Float64Array(size), w: new Float64Array(size) };
}

/**
 * Adds the SHAP values of `tree` at `x` to `phi` (indexed by group). Afterwards
 * sum(phi added) === predictTree(tree, x) - treeExpectedValue(tree), up to rounding.
 */
export function addTreeShap(tree: readonly TreeNode[], x: ArrayLike<number>, groupOf: ArrayLike<number>, phi: Float64Array): void {
  const levels = treeDepth(tree) + 2;
  const size = ((levels + 1) * (levels + 2)) / 2;
  if (scratch.w.length < size) scratch = newPathBuffer(size);
  recurse(tree, x, groupOf, phi, scratch, 0, 0, 0, 1, 1, -1);
}

/**
 * One node of the recursion. `depth` is the index the new element gets; this level's segment starts
 * right after the parent's. A top-level function with plain arguments rather than a closure over
 * arrays: no allocation per call or per node.
 */
function recurse(
  tree: readonly TreeNode[], x: ArrayLike<number>, groupOf: ArrayLike<number>, phi: Float64Array, p: PathBuffer,
  nodeIndex: number, parentAt: number, depth: number, z: number, o: number, d: number,
): void {
  const at = parentAt + depth + 1;
  // Element-wise copies: typed-array copyWithin costs more than the loop for segments this short.
  for (let i = 0; i <= depth; i++) {
    p.d[at + i] = p.d[parentAt + i];
    p.z[at + i] = p.z[parentAt + i];
    p.o[at + i] = p.o[parentAt + i];
    p.w[at + i] = p.w[parentAt + i];
  }
  extendPath(p, at, depth, z, o, d);
  const node = tree[nodeIndex];
  if (node.feature < 0) {
    for (let i = 1; i <= depth; i++) {
      phi[p.d[at + i]] += unwoundPathSum(p, at, depth, i) * (p.o[at + i] - p.z[at + i]) * node.value;
    }
    return;
  }
  const left = goesLeft(node, x);
  const hot = left ? node.left : node.right;
  const cold = left ? node.right : node.left;
  const group = groupOf[node.feature];
  let incomingZ = 1;
  let incomingO = 1;
  let k = 0; // slot 0 holds the root sentinel (d = -1), so a real group is found at k >= 1
  while (k <= depth && p.d[at + k] !== group) k++;
  if (k <= depth) {
    incomingZ = p.z[at + k];
    incomingO = p.o[at + k];
    unwindPath(p, at, depth, k);
    depth -= 1;
  }
  recurse(tree, x, groupOf, phi, p, hot, at, depth + 1, (tree[hot].cover / node.cover) * incomingZ, incomingO, group);
  recurse(tree, x, groupOf, phi, p, cold, at, depth + 1, (tree[cold].cover / node.cover) * incomingZ, 0, group);
}

/**
 * Deepest tree that gets a lookup table (below). A leaf at depth D on a path of n distinct players
 * needs 2^D * n entries: at most 1,024 for a depth-4 tree (8 KiB), 5,120 for depth 5, 24,576 for
 * depth 6. Deeper trees are explained by addTreeShap, in their place in the sum.
 */
const MAX_TABLE_DEPTH = 5;

/**
 * An ensemble prepared for explaining many rows. The recursion above touches a row only through the
 * split decisions along each root-to-leaf path: at a leaf of depth D the path weights, hence every
 * term that leaf adds to phi, are a function of D bits (does the row take this path's branch at each
 * ancestor). So each leaf's terms are tabulated for all 2^D patterns by running the very same
 * extend/unwind arithmetic, and explaining a row is a walk that adds table entries to phi in the
 * recursion's own order (hot child first): bit-for-bit the numbers addTreeShap produces, ~40x faster
 * (a 71-tree depth-4 model: 1.0 ms -> 0.02 ms per row, see explain.bench.ts).
 */
export interface CompiledEnsemble {
  trees: readonly (readonly TreeNode[])[];
  groupOf: ArrayLike<number>;
  /** Root of each tree in the flat node arrays (the trees' nodes, concatenated); -1: left to addTreeShap. */
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
  /** Leaf terms, pattern-major: entry tableAt + pattern * count + i is player players[playerAt + i]. */
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
  const p = newPathBuffer(MAX_TABLE_DEPTH + 2);
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
    if (treeDepth(tree) > MAX_TABLE_DEPTH || !tabulate(c, tree, base, [0], p, table, players)) {
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

/** Fills the tables of the leaves below path[path.length - 1]; false if a leaf is reached twice. */
function tabulate(c: CompiledEnsemble, tree: readonly TreeNode[], base: number, path: number[], p: PathBuffer, table: number[], players: number[]): boolean {
  const node = tree[path[path.length - 1]];
  if (node.feature >= 0) {
    for (const child of [node.left, node.right]) {
      path.push(child);
      const ok = tabulate(c, tree, base, path, p, table, players);
      path.pop();
      if (!ok) return false;
    }
    return true;
  }
  const leaf = base + path[path.length - 1];
  if (c.tableAt[leaf] >= 0) return false;
  c.tableAt[leaf] = table.length;
  for (let pattern = 0; pattern < 1 << (path.length - 1); pattern++) {
    const depth = walkPath(tree, c.groupOf, path, pattern, p);
    for (let i = 1; i <= depth; i++) table.push(unwoundPathSum(p, 0, depth, i) * (p.o[i] - p.z[i]) * node.value);
    c.count[leaf] = depth;
  }
  // Which player sits in which slot depends on the path only, not on the pattern.
  c.playerAt[leaf] = players.length;
  for (let i = 1; i <= c.count[leaf]; i++) players.push(p.d[i]);
  return true;
}

/**
 * The recursion's path state at the end of `path` for a row whose decisions along it are `pattern`
 * (bit D-1-j set: the row takes the path's branch at path[j]). In place, in one segment: going down
 * a single path never needs a parent's copy again. Returns the index of the last element.
 */
function walkPath(tree: readonly TreeNode[], groupOf: ArrayLike<number>, path: readonly number[], pattern: number, p: PathBuffer): number {
  const steps = path.length - 1;
  extendPath(p, 0, 0, 1, 1, -1);
  let depth = 0;
  for (let j = 0; j < steps; j++) {
    const node = tree[path[j]];
    const group = groupOf[node.feature];
    let [incomingZ, incomingO, k] = [1, 1, 0];
    while (k <= depth && p.d[k] !== group) k++;
    if (k <= depth) {
      incomingZ = p.z[k];
      incomingO = p.o[k];
      unwindPath(p, 0, depth, k);
      depth -= 1;
    }
    const hot = (pattern >> (steps - 1 - j)) & 1;
    depth += 1;
    extendPath(p, 0, depth, (tree[path[j + 1]].cover / node.cover) * incomingZ, hot ? incomingO : 0, group);
  }
  return depth;
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
      // Cold child pushed first so the hot one is popped first: the recursion's order of additions.
      stack[top++] = goLeft ? right[node] : left[node];
      stack[top++] = pattern * 2;
      stack[top++] = goLeft ? left[node] : right[node];
      stack[top++] = pattern * 2 + 1;
    }
  }
  return sum;
}
