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

/**
 * Adds the SHAP values of `tree` at `x` to `phi` (indexed by group). Afterwards
 * sum(phi added) === predictTree(tree, x) - treeExpectedValue(tree), up to rounding.
 */
export function addTreeShap(
  tree: readonly TreeNode[],
  x: ArrayLike<number>,
  groupOf: ArrayLike<number>,
  phi: Float64Array,
): void {
  const levels = treeDepth(tree) + 2;
  const size = ((levels + 1) * (levels + 2)) / 2;
  const p: PathBuffer = { d: new Int32Array(size), z: new Float64Array(size), o: new Float64Array(size), w: new Float64Array(size) };

  // `depth` is the index the new element gets; this level's segment starts right after the parent's.
  const recurse = (nodeIndex: number, parentAt: number, depth: number, z: number, o: number, d: number): void => {
    const at = parentAt + depth + 1;
    p.d.copyWithin(at, parentAt, parentAt + depth + 1);
    p.z.copyWithin(at, parentAt, parentAt + depth + 1);
    p.o.copyWithin(at, parentAt, parentAt + depth + 1);
    p.w.copyWithin(at, parentAt, parentAt + depth + 1);
    extendPath(p, at, depth, z, o, d);
    const node = tree[nodeIndex];
    if (node.feature < 0) {
      for (let i = 1; i <= depth; i++) {
        phi[p.d[at + i]] += unwoundPathSum(p, at, depth, i) * (p.o[at + i] - p.z[at + i]) * node.value;
      }
      return;
    }
    const [hot, cold] = goesLeft(node, x) ? [node.left, node.right] : [node.right, node.left];
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
    recurse(hot, at, depth + 1, (tree[hot].cover / node.cover) * incomingZ, incomingO, group);
    recurse(cold, at, depth + 1, (tree[cold].cover / node.cover) * incomingZ, 0, group);
  };
  recurse(0, 0, 0, 1, 1, -1);
}
