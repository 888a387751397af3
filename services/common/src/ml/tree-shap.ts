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
interface PathBuffer { d: Int32Array; z: Float64Array; o: Float64Array; w: Float64Array }

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
 * The recursion of Algorithm 2 down one root-to-leaf path, in place (a single path never needs a
 * parent's state again): the state at the leaf when, at each ancestor path[j], the row's own branch
 * (the "hot" child) is the path's iff hot[j] is 1. Returns the index of the last element. The state,
 * hence what the leaf adds to phi, depends on the row only through these bits: see compileEnsemble.
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
      [incomingZ, incomingO] = [p.z[k], p.o[k]];
      unwindPath(p, depth, k); // the player's old element goes, the new one takes its place in the count
    } else depth += 1;
    extendPath(p, depth, (tree[path[j + 1]].cover / node.cover) * incomingZ, hot[j] ? incomingO : 0, group);
  }
  return depth;
}

/** What element `i` of the walked path adds to phi[p.d[i]] at a leaf of output `value`. */
function leafTerm(p: PathBuffer, depth: number, i: number, value: number): number {
  return unwoundPathSum(p, depth, i) * (p.o[i] - p.z[i]) * value;
}

/**
 * Adds the SHAP values of `tree` at `x` to `phi` (indexed by group). Afterwards
 * sum(phi added) === predictTree(tree, x) - treeExpectedValue(tree), up to rounding.
 */
export function addTreeShap(tree: readonly TreeNode[], x: ArrayLike<number>, groupOf: ArrayLike<number>, phi: Float64Array): void {
  visit(tree, x, groupOf, phi, [0], [], newPathBuffer(treeDepth(tree) + 2));
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

/** Deepest tabulated tree: 2^(2D) * (n <= D players) entries, 1,024 (8 KiB) at depth 4, 5,120 at 5; deeper: addTreeShap. */
const MAX_TABLE_DEPTH = 5;

/**
 * An ensemble prepared for explaining many rows. A leaf's terms depend on the row only through the
 * hot bits of its path (walkPath), so they are tabulated for every pattern; a row then costs a few
 * comparisons and table reads per tree, adding to phi in addTreeShap's order: same terms, same order,
 * bit-for-bit the same phi. Each tree is padded to a complete heap (node k: children 2k+1, 2k+2); a
 * shallow leaf continues as dummy splits (threshold NaN: always right, the hot side) to the rightmost
 * slot below it. Tables are per bottom split (a "pair", whose two leaves are visited one after the
 * other): per pattern P of its path and decision r, (hot, cold) terms per player, added as
 * `phi[g] + hot + cold`. Per row, 71 trees of depth 4 (tables: 67k entries, 0.5 MB): the original
 * recursion ~1 ms, addTreeShap ~0.4 ms, per-leaf tables walked depth-first ~0.04 ms, this ~0.02 ms.
 */
export interface CompiledEnsemble {
  trees: readonly (readonly TreeNode[])[];
  groupOf: ArrayLike<number>;
  /** Per tree: heap depth D (-1: left to addTreeShap), first heap node, first pair. */
  depth: Int32Array;
  nodeAt: Int32Array;
  pairAt: Int32Array;
  /** Per heap node above the slots. */
  feature: Int32Array;
  threshold: Float64Array;
  value: Float64Array; // per slot (two per pair, left then right): the leaf's output
  /** Per pair, three entries: n its players, where they start in `groups`, where its table starts. */
  pairs: Int32Array;
  groups: Int32Array;
  /** Pair terms: table start + ((P * 2 + r) * n + i) * 2 (+ 1 for the cold term) is for player i. */
  table: Float64Array;
  /** Scratch for the tree at hand: per heap node, 1 if the row goes right and those bits of its ancestors; pairs by pattern. */
  wentRight: Int32Array;
  ancestorBits: Int32Array;
  pairByPattern: Int32Array;
}

export function compileEnsemble(trees: readonly (readonly TreeNode[])[], groupOf: ArrayLike<number>): CompiledEnsemble {
  const [feature, threshold, value, pairs, groups, table]: number[][] = [[], [], [], [], [], []];
  const [depth, nodeAt, pairAt] = [new Int32Array(trees.length), new Int32Array(trees.length), new Int32Array(trees.length)];
  const p = newPathBuffer(MAX_TABLE_DEPTH + 2);
  trees.forEach((tree, t) => {
    const d = max(1, treeDepth(tree)); // a lone leaf gets a dummy split
    [depth[t], nodeAt[t], pairAt[t]] = [d > MAX_TABLE_DEPTH ? -1 : d, feature.length, pairs.length / 3];
    if (depth[t] < 0) return;
    const splits = (1 << d) - 1;
    for (let k = 0; k < splits; k++) [feature[nodeAt[t] + k], threshold[nodeAt[t] + k]] = [0, NaN];
    const slots: number[][] = []; // per slot, the path in `tree` to the leaf there (none: empty)
    const place = (path: number[], k: number): void => {
      const node = tree[path[path.length - 1]];
      if (k >= splits) slots[k - splits] = path;
      else if (node.feature < 0) place(path, 2 * k + 2);
      else {
        [feature[nodeAt[t] + k], threshold[nodeAt[t] + k]] = [node.feature, node.threshold];
        place([...path, node.left], 2 * k + 1);
        place([...path, node.right], 2 * k + 2);
      }
    };
    place([0], 0);
    // The terms of the leaf in `slot` for the pattern of the slot's heap path (whose leading bits are the leaf's).
    const terms = (slot: number, pattern: number): number[] => {
      const path = slots[slot] ?? [];
      const last = walkPath(tree, groupOf, path, path.map((_, j) => (pattern >> (d - 1 - j)) & 1), p);
      return Array.from({ length: path.length && last }, (_, i) => leafTerm(p, last, i + 1, tree[path[path.length - 1]].value));
    };
    for (let pair = 0; pair < 1 << (d - 1); pair++) {
      for (const path of [slots[2 * pair], slots[2 * pair + 1]]) value.push(path ? tree[path[path.length - 1]].value : 0);
      // Both slots hold leaves of one split (same players, same order), or only the right one, or neither.
      const n = terms(2 * pair + 1, 0).length;
      pairs.push(n, groups.length, table.length);
      for (let i = 1; i <= n; i++) groups.push(p.d[i]);
      for (let q = 0; q < 1 << d; q++) {
        const [P, r] = [q >> 1, q & 1];
        const [hot, cold] = [terms(2 * pair + r, 2 * P + 1), terms(2 * pair + 1 - r, 2 * P)];
        for (let i = 0; i < n; i++) table.push(hot[i] ?? 0, cold[i] ?? 0);
      }
    }
  });
  const [ints, floats] = [(a: number[]) => Int32Array.from(a), (a: number[]) => Float64Array.from(a)];
  return {
    trees, groupOf, depth, nodeAt, pairAt, feature: ints(feature), threshold: floats(threshold), value: floats(value),
    pairs: ints(pairs), groups: ints(groups), table: floats(table),
    wentRight: new Int32Array(1 << MAX_TABLE_DEPTH), ancestorBits: new Int32Array(2 << MAX_TABLE_DEPTH), pairByPattern: new Int32Array(1 << MAX_TABLE_DEPTH),
  };
}

/** addTreeShap for each tree in turn, bit for bit (phi must hold no -0); returns start + the outputs summed in order. */
export function addEnsembleShap(c: CompiledEnsemble, x: ArrayLike<number>, phi: Float64Array, start: number): number {
  const { depth, nodeAt, pairAt, feature, threshold, value, pairs, groups, table, wentRight, ancestorBits, pairByPattern } = c;
  let sum = start;
  for (let t = 0; t < depth.length; t++) {
    const d = depth[t];
    if (d < 0) {
      addTreeShap(c.trees[t], x, c.groupOf, phi);
      sum += predictTree(c.trees[t], x);
      continue;
    }
    const at = nodeAt[t];
    const splits = (1 << d) - 1;
    const upper = (1 << (d - 1)) - 1; // splits above the pairs, and the mask of a pair's pattern
    for (let k = 0; k < splits; k++) {
      // goesLeft on the flat arrays; as a number, not a branch: these decisions are data, and mispredicted.
      const right = +!(fround(x[feature[at + k]]) <= threshold[at + k]);
      wentRight[k] = right;
      ancestorBits[2 * k + 1] = ancestorBits[2 * k + 2] = 2 * ancestorBits[k] + right;
    }
    // Pair j (below split upper + j) has pattern ~(j ^ its ancestor bits): set where its path is the
    // row's branch. The recursion visits leaves by decreasing pattern: pairs by decreasing P, hot first.
    for (let j = 0; j <= upper; j++) pairByPattern[~(j ^ ancestorBits[upper + j]) & upper] = j;
    const first = pairByPattern[upper]; // all hot: the tree's prediction
    sum += value[2 * (pairAt[t] + first) + wentRight[upper + first]];
    for (let P = upper; P >= 0; P--) {
      const j = pairByPattern[P];
      const pair = 3 * (pairAt[t] + j);
      const n = pairs[pair];
      const g0 = pairs[pair + 1];
      const e = pairs[pair + 2] + (P * 2 + wentRight[upper + j]) * 2 * n;
      for (let i = 0; i < n; i++) {
        const g = groups[g0 + i];
        phi[g] = phi[g] + table[e + 2 * i] + table[e + 2 * i + 1]; // hot then cold, as two additions
      }
    }
  }
  return sum;
}
