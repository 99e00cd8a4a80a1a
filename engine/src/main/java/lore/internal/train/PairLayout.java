package lore.internal.train;

import java.util.Arrays;
import lore.internal.kernel.Kernels;

/**
 * The training pairs laid out in memory for one evaluation of the objective per step. Both layouts
 * produce the same three things for a basis A (k x d) and the users' scaled weights {@code s w_u}:
 * the projected differences {@code dz_p = A (e_c - e_r)} of every pair (pairs x k), the derivative
 * {@code c_p} of each pair's loss, and the basis gradient {@code sum_p c_p (s w_u) (outer) (e_c -
 * e_r)}; the margins and losses come from {@link Margins} in both. Partial gradients of the {@link
 * Partitions} are summed in partition order, so results are bitwise reproducible. Not thread-safe.
 * Internal; not API.
 */
public sealed interface PairLayout permits PairLayout.Differences, PairLayout.Items {

  /** {@code "DIFFERENCES"} or {@code "ITEMS"}, as recorded in model metadata. */
  String name();

  /** {@code "FLOAT32"} or {@code "BFLOAT16"}: how the P x d or n x d rows are stored. */
  String storage();

  /**
   * The objective of Eq. 10 summed over users, {@code sum_p factor[u_p] log(1 + exp(-m_p))}.
   *
   * @param userW users x k, {@code s * w_u}
   * @param factor per user, {@code 1 / |D_u|}
   * @param dz pairs x k, overwritten with the projected differences
   * @param coef pairs, overwritten with the loss derivatives {@code factor * d/dm log(1+e^-m)}
   * @param grad k x d, overwritten with the basis gradient
   */
  double lossAndGradient(
      float[] basis, float[] userW, float[] factor, float[] dz, float[] coef, float[] grad);

  /** Overwrites {@code dz} (pairs x k) with the projected differences for {@code basis}. */
  void project(float[] basis, float[] dz);

  /**
   * Pair differences materialized once (P x d); each step is one pass over them in blocks of
   * {@value #BLOCK} rows: project, score and accumulate the gradient while the block is in L2, so
   * the differences are read from memory once per step. Wins when pairs rarely share items.
   */
  final class Differences implements PairLayout {
    /**
     * 8 rows of d = 4096 floats are 128 KiB: they stay in a 1 MiB L2 from projection to gradient.
     */
    static final int BLOCK = 8;

    private final Rows x; // pairs x d
    private final int pairs;
    private final int d;
    private final int k;
    private final int[] pairUser;
    private final float[] g; // pairs x k
    private final Kernels kernels;
    private final Partitions parts;
    private final float[][] partGrad;
    private final double[] partLoss;
    private final Kernels.Workspace[] ws;

    /**
     * Materializes {@code e_c - e_r} of every pair, computed in float and, with {@code bf16},
     * rounded once to bf16 (P x d shorts, half the bytes of each pass).
     *
     * @param items n x d row-major
     */
    public static Differences of(
        float[] items,
        int d,
        int[] chosen,
        int[] rejected,
        int[] pairUser,
        int k,
        Kernels kernels,
        Partitions parts,
        boolean bf16) {
      int pairs = chosen.length;
      Rows x = bf16 ? Rows.bf16(pairs, d) : Rows.of(new float[Math.multiplyExact(pairs, d)], d);
      // copy then axpy(-1): c + (-1) r is exactly c - r, and both run as intrinsics or vector
      // kernels from the first row, in the partitions; an element-wise loop runs once, on one
      // thread, mostly before the JIT has compiled it. bf16 rows go through one float row.
      parts.run(
          t -> {
            int hi = parts.start(pairs, t + 1);
            float[] row = bf16 ? new float[d] : x.f32();
            for (int p = parts.start(pairs, t); p < hi; p++) {
              int off = bf16 ? 0 : p * d;
              System.arraycopy(items, chosen[p] * d, row, off, d);
              kernels.axpy(-1f, items, rejected[p] * d, row, off, d);
              if (bf16) {
                x.set(p, row, 0);
              }
            }
          });
      return new Differences(x, pairs, d, pairUser, k, kernels, parts);
    }

    /**
     * Over a materialized difference table (not copied).
     *
     * @param x pairs x d, row p the difference of pair p
     * @param pairUser the user of each pair
     */
    public Differences(
        float[] x, int pairs, int d, int[] pairUser, int k, Kernels kernels, Partitions parts) {
      this(Rows.of(x, d), pairs, d, pairUser, k, kernels, parts);
    }

    /**
     * Over a materialized difference table in bf16 (not copied).
     *
     * @param x pairs x d bf16 values ({@link lore.internal.kernel.Bf16}), row p the difference of
     *     pair p
     */
    public Differences(
        short[] x, int pairs, int d, int[] pairUser, int k, Kernels kernels, Partitions parts) {
      this(new Rows(null, x, d), pairs, d, pairUser, k, kernels, parts);
    }

    private Differences(
        Rows x, int pairs, int d, int[] pairUser, int k, Kernels kernels, Partitions parts) {
      this.x = x;
      this.pairs = pairs;
      this.d = d;
      this.k = k;
      this.pairUser = pairUser;
      this.kernels = kernels;
      this.parts = parts;
      g = new float[pairs * k];
      partGrad = new float[parts.count()][];
      for (int t = 1; t < parts.count(); t++) {
        partGrad[t] = new float[k * d];
      }
      partLoss = new double[parts.count()];
      ws = workspaces(kernels, parts);
    }

    @Override
    public String name() {
      return "DIFFERENCES";
    }

    /** The difference table, pairs x d (live). */
    Rows rows() {
      return x;
    }

    @Override
    public String storage() {
      return x.storage();
    }

    @Override
    public double lossAndGradient(
        float[] basis, float[] userW, float[] factor, float[] dz, float[] coef, float[] grad) {
      partGrad[0] = grad;
      parts.run(
          t -> {
            int lo = parts.start(pairs, t);
            int hi = parts.start(pairs, t + 1);
            Arrays.fill(partGrad[t], 0f);
            double loss = 0;
            for (int r = lo; r < hi; r += BLOCK) {
              int n = Math.min(BLOCK, hi - r);
              x.project(kernels, r, n, basis, k, dz, r * k, ws[t]);
              loss += Margins.score(n, k, pairUser, r, userW, factor, dz, r * k, coef, r, g, r * k);
              x.accumulateGradient(kernels, g, r * k, r, n, k, partGrad[t], ws[t]);
            }
            partLoss[t] = loss;
          });
      double loss = 0;
      for (int t = 0; t < parts.count(); t++) {
        loss += partLoss[t];
      }
      sumPartitions(kernels, partGrad, grad);
      return loss;
    }

    @Override
    public void project(float[] basis, float[] dz) {
      projectRows(kernels, parts, ws, x, pairs, basis, k, dz);
    }
  }

  /**
   * The referenced items (compacted, or the table itself when every item is used) are projected
   * once per step, pair differences taken in the projected space, and the basis gradient
   * accumulated per item: two passes over the items. Wins when items are shared by many pairs.
   */
  final class Items implements PairLayout {
    private final Rows x; // rows x d: the referenced items
    private final int rows;
    private final int d;
    private final int k;
    private final int[] chosen; // rows of x
    private final int[] rejected;
    private final int[] pairUser;
    private final float[] z; // rows x k
    private final float[] gPair; // pairs x k
    private final float[] gItem; // rows x k
    private final Kernels kernels;
    private final Partitions parts;
    private final float[][] partGrad;
    private final Kernels.Workspace[] ws;

    /**
     * Compacts the referenced items in first-use order, in float (no copy when every item is used)
     * or, with {@code bf16}, rounded to bf16 (always a copy, half the bytes).
     *
     * @param items n x d row-major
     */
    public Items(
        float[] items,
        int n,
        int d,
        int[] chosen,
        int[] rejected,
        int[] pairUser,
        int k,
        Kernels kernels,
        Partitions parts,
        boolean bf16) {
      int pairs = chosen.length;
      int[] remap = new int[n];
      Arrays.fill(remap, -1);
      int[] order = new int[Math.min(n, 2 * pairs)];
      int referenced = 0;
      for (int i = 0; i < 2 * pairs; i++) {
        int item = i % 2 == 0 ? chosen[i / 2] : rejected[i / 2];
        if (remap[item] < 0) {
          remap[item] = referenced;
          order[referenced++] = item;
        }
      }
      this.rows = referenced;
      if (referenced == n) { // every item is used: rows in table order
        for (int i = 0; i < n; i++) {
          remap[i] = i;
          order[i] = i;
        }
      }
      if (referenced == n && !bf16) {
        x = Rows.of(items, d); // no copy
      } else {
        x =
            bf16
                ? Rows.bf16(referenced, d)
                : Rows.of(new float[Math.multiplyExact(referenced, d)], d);
        for (int i = 0; i < referenced; i++) {
          x.set(i, items, order[i] * d);
        }
      }
      this.chosen = new int[pairs];
      this.rejected = new int[pairs];
      for (int p = 0; p < pairs; p++) {
        this.chosen[p] = remap[chosen[p]];
        this.rejected[p] = remap[rejected[p]];
      }
      this.d = d;
      this.k = k;
      this.pairUser = pairUser;
      this.kernels = kernels;
      this.parts = parts;
      z = new float[rows * k];
      gPair = new float[pairs * k];
      gItem = new float[rows * k];
      partGrad = new float[parts.count()][];
      for (int t = 1; t < parts.count(); t++) {
        partGrad[t] = new float[k * d];
      }
      ws = workspaces(kernels, parts);
    }

    /** The number of distinct items the pairs reference. */
    public static int referenced(int n, int[] chosen, int[] rejected) {
      boolean[] seen = new boolean[n];
      int count = 0;
      for (int p = 0; p < chosen.length; p++) {
        for (int item : new int[] {chosen[p], rejected[p]}) {
          if (!seen[item]) {
            seen[item] = true;
            count++;
          }
        }
      }
      return count;
    }

    @Override
    public String name() {
      return "ITEMS";
    }

    @Override
    public String storage() {
      return x.storage();
    }

    @Override
    public double lossAndGradient(
        float[] basis, float[] userW, float[] factor, float[] dz, float[] coef, float[] grad) {
      project(basis, dz);
      int pairs = chosen.length;
      double loss = Margins.score(pairs, k, pairUser, 0, userW, factor, dz, 0, coef, 0, gPair, 0);
      Arrays.fill(gItem, 0f);
      for (int p = 0; p < pairs; p++) { // each pair's row of the gradient goes to its two items
        int c = chosen[p] * k;
        int r = rejected[p] * k;
        for (int b = 0; b < k; b++) {
          float cw = gPair[p * k + b];
          gItem[c + b] += cw;
          gItem[r + b] -= cw;
        }
      }
      partGrad[0] = grad;
      parts.run(
          t -> {
            int lo = parts.start(rows, t);
            int hi = parts.start(rows, t + 1);
            Arrays.fill(partGrad[t], 0f);
            x.accumulateGradient(kernels, gItem, lo * k, lo, hi - lo, k, partGrad[t], ws[t]);
          });
      sumPartitions(kernels, partGrad, grad);
      return loss;
    }

    @Override
    public void project(float[] basis, float[] dz) {
      projectRows(kernels, parts, ws, x, rows, basis, k, z);
      for (int p = 0; p < chosen.length; p++) {
        int c = chosen[p] * k;
        int r = rejected[p] * k;
        for (int b = 0; b < k; b++) {
          dz[p * k + b] = z[c + b] - z[r + b];
        }
      }
    }
  }

  /** {@code out = x A^T} over every row of x, in partitions. */
  private static void projectRows(
      Kernels kernels,
      Partitions parts,
      Kernels.Workspace[] ws,
      Rows x,
      int rows,
      float[] basis,
      int k,
      float[] out) {
    parts.run(
        t -> {
          int lo = parts.start(rows, t);
          int hi = parts.start(rows, t + 1);
          x.project(kernels, lo, hi - lo, basis, k, out, lo * k, ws[t]);
        });
  }

  private static Kernels.Workspace[] workspaces(Kernels kernels, Partitions parts) {
    Kernels.Workspace[] ws = new Kernels.Workspace[parts.count()];
    for (int t = 0; t < ws.length; t++) {
      ws[t] = kernels.workspace();
    }
    return ws;
  }

  /** {@code grad = partGrad[0] + partGrad[1] + ...}, in that order (partGrad[0] is grad). */
  private static void sumPartitions(Kernels kernels, float[][] partGrad, float[] grad) {
    for (int t = 1; t < partGrad.length; t++) {
      kernels.axpy(1f, partGrad[t], 0, grad, 0, grad.length);
    }
  }
}
