package lore.internal.train;

import java.util.Arrays;
import lore.TrainConfig;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;

/**
 * A block of users with all of their pairs: the users' half of a training step. For a basis it
 * evaluates the objective of Eq. 10 over these users (loss, basis gradient, projected differences)
 * and then updates every user's parameters (the exact simplex solve of the ALTERNATING optimizer,
 * or one Adam step of the ADAM optimizer); the basis update is the caller's. The single-machine
 * trainer holds one block of every user; the Spark trainer one block per partition, so that both
 * run the same per-user arithmetic. Users are 0..users-1 in the order of {@code pairStart}. Not
 * thread-safe. Internal; not API.
 */
public final class UserBlock {
  private final int k;
  private final int users;
  private final int pairs;
  private final double scale;
  private final boolean softmax;
  private final boolean alternating;
  private final PairLayout layout;
  private final float[] items; // n x d, for the pair moment (null over materialized differences)
  private final int d;
  private final int[] chosen;
  private final int[] rejected;
  private final int[] pairStart; // users + 1
  private final int[] pairUser; // pairs
  private final float[] factor; // users: 1 / |D_u|
  private final float[] params; // users x k: weights (PROJECTION) or logits (SOFTMAX)
  private final float[] weff; // users x k: effective weights on the simplex
  private final float[] userW; // users x k: scale * weff
  private final float[] dz; // pairs x k: projected differences for the last basis
  private final float[] coef; // pairs: loss derivatives
  private final float[] gradW; // users x k: gradient wrt effective weights
  private final float[] gradParams;
  private final Adam adamUsers; // ADAM only
  private final SimplexNewton solver;
  private final double[] wd;
  private final float[] sortWork;
  private int passes;

  /**
   * The users of {@code pairStart} with their pairs over an item table, in the layout {@code
   * config.layout()} asks for (AUTO: the one that reads fewer bytes, see {@link #chooseLayout}).
   *
   * @param items n x d row-major item embeddings
   * @param chosen item row of every pair's chosen item; the pairs of user u are {@code
   *     pairStart[u]..pairStart[u+1]}
   * @param params users x k initial parameters (kept, not copied)
   */
  public static UserBlock of(
      TrainConfig config,
      float[] items,
      int itemCount,
      int d,
      int[] chosen,
      int[] rejected,
      int[] pairStart,
      float[] params,
      Kernels kernels,
      Partitions parts) {
    int k = config.rank();
    int[] pairUser = pairUsers(pairStart, chosen.length);
    int referenced = PairLayout.Items.referenced(itemCount, chosen, rejected);
    boolean bf16 = config.storage() == TrainConfig.Storage.BFLOAT16;
    PairLayout layout =
        chooseLayout(config.layout(), chosen.length, referenced, d, bf16 ? 2 : 4)
                == TrainConfig.Layout.DIFFERENCES
            ? PairLayout.Differences.of(
                items, d, chosen, rejected, pairUser, k, kernels, parts, bf16)
            : new PairLayout.Items(
                items, itemCount, d, chosen, rejected, pairUser, k, kernels, parts, bf16);
    return new UserBlock(config, layout, items, d, chosen, rejected, pairStart, pairUser, params);
  }

  /**
   * The users of {@code pairStart} over their materialized pair differences (with {@link
   * TrainConfig.Storage#BFLOAT16}, a rounded copy).
   *
   * @param differences pairs x d, row p the difference {@code e_c - e_r} of pair p (not copied)
   * @param params users x k initial parameters (kept, not copied)
   */
  public static UserBlock ofDifferences(
      TrainConfig config,
      float[] differences,
      int d,
      int[] pairStart,
      float[] params,
      Kernels kernels,
      Partitions parts) {
    int pairs = pairStart[pairStart.length - 1];
    int[] pairUser = pairUsers(pairStart, pairs);
    PairLayout layout;
    if (config.storage() == TrainConfig.Storage.BFLOAT16) {
      short[] x = new short[differences.length];
      lore.internal.kernel.Bf16.fromFloats(differences, 0, x, 0, x.length);
      layout = new PairLayout.Differences(x, pairs, d, pairUser, config.rank(), kernels, parts);
    } else {
      layout =
          new PairLayout.Differences(
              differences, pairs, d, pairUser, config.rank(), kernels, parts);
    }
    return new UserBlock(config, layout, null, d, null, null, pairStart, pairUser, params);
  }

  private UserBlock(
      TrainConfig config,
      PairLayout layout,
      float[] items,
      int d,
      int[] chosen,
      int[] rejected,
      int[] pairStart,
      int[] pairUser,
      float[] params) {
    this.k = config.rank();
    this.users = pairStart.length - 1;
    this.pairs = pairUser.length;
    if (params.length != users * k) {
      throw new IllegalArgumentException(
          "parameters of " + users + " users at rank " + k + " need " + users * k + " floats");
    }
    this.scale = config.logitScale();
    this.softmax = config.simplex() == TrainConfig.Simplex.SOFTMAX;
    this.alternating = config.optimizer() == TrainConfig.Optimizer.ALTERNATING;
    this.layout = layout;
    this.items = items;
    this.d = d;
    this.chosen = chosen;
    this.rejected = rejected;
    this.pairStart = pairStart;
    this.pairUser = pairUser;
    this.params = params;
    factor = new float[users];
    int maxUserPairs = 1;
    for (int u = 0; u < users; u++) {
      int n = pairStart[u + 1] - pairStart[u];
      factor[u] = 1f / n;
      maxUserPairs = Math.max(maxUserPairs, n);
    }
    weff = new float[users * k];
    userW = new float[users * k];
    dz = new float[pairs * k];
    coef = new float[pairs];
    gradW = new float[users * k];
    gradParams = new float[users * k];
    adamUsers = alternating ? null : new Adam(users * k, config.userLearningRate());
    solver = new SimplexNewton(k, maxUserPairs);
    wd = new double[k];
    sortWork = new float[k];
  }

  private static int[] pairUsers(int[] pairStart, int pairs) {
    int[] pairUser = new int[pairs];
    for (int u = 0; u + 1 < pairStart.length; u++) {
      Arrays.fill(pairUser, pairStart[u], pairStart[u + 1], u);
    }
    return pairUser;
  }

  /**
   * Picks the layout that reads fewer bytes per iteration (see {@link TrainConfig.Layout}), for
   * rows of {@code bytes} per value.
   */
  public static TrainConfig.Layout chooseLayout(
      TrainConfig.Layout requested, long pairs, long referencedItems, int d, int bytes) {
    if (requested != TrainConfig.Layout.AUTO) {
      return requested;
    }
    // DIFFERENCES reads P rows once per step; ITEMS reads the referenced items twice. The
    // difference table must also fit comfortably in the heap.
    long diffBytes = pairs * d * (long) bytes;
    boolean fits =
        diffBytes < Runtime.getRuntime().maxMemory() / 3 && pairs * d < Integer.MAX_VALUE;
    return fits && pairs < 2 * referencedItems
        ? TrainConfig.Layout.DIFFERENCES
        : TrainConfig.Layout.ITEMS;
  }

  /** The number of users. */
  public int users() {
    return users;
  }

  /** The number of pairs. */
  public int pairs() {
    return pairs;
  }

  /** {@code "DIFFERENCES"} or {@code "ITEMS"}. */
  public String layoutName() {
    return layout.name();
  }

  /** {@code "FLOAT32"} or {@code "BFLOAT16"}: how the rows are stored. */
  public String storage() {
    return layout.storage();
  }

  /** Reads of the pair data so far (one per evaluation or projection), the cost measure. */
  public int passes() {
    return passes;
  }

  /** The users' parameters, users x k (live: weights, or logits for SOFTMAX). */
  public float[] params() {
    return params;
  }

  /**
   * Sets every user's parameters: users x k values, or null for uniform weights (zero logits for
   * SOFTMAX).
   */
  public void setParams(float[] values) {
    if (values == null) {
      Arrays.fill(params, softmax ? 0f : 1f / k);
    } else {
      System.arraycopy(values, 0, params, 0, params.length);
    }
  }

  /** The users' weights on the simplex, users x k (a copy). */
  public float[] weights() {
    updateEffective();
    return weff.clone();
  }

  /** {@code 1 / |D_u|} of user u. */
  public float factor(int u) {
    return factor[u];
  }

  /**
   * One step of the users' half: the objective of Eq. 10 summed over these users at {@code basis}
   * with their current parameters (returned), its basis gradient written to {@code grad} (k x d,
   * overwritten), then every user's parameters updated: solved exactly for {@code basis}
   * (ALTERNATING) or one Adam step (ADAM).
   */
  public double step(float[] basis, float[] grad) {
    double loss = lossAndGradients(basis, grad);
    if (alternating) {
      solveUsers(1e-7, 8);
    } else {
      paramGradient();
      adamUsers.nextStep();
      adamUsers.update(params, gradParams, 0, params.length);
      if (!softmax) {
        for (int u = 0; u < users; u++) {
          Numerics.projectToSimplex(params, u * k, k, sortWork);
        }
      }
    }
    return loss;
  }

  /**
   * Loss (Eq. 10, summed over users), the basis gradient into {@code grad}, the effective-weight
   * gradient and the projections of {@code basis}; the parameters are not changed.
   */
  public double lossAndGradients(float[] basis, float[] grad) {
    updateEffective();
    double loss = layout.lossAndGradient(basis, userW, factor, dz, coef, grad);
    passes++;
    Arrays.fill(gradW, 0f);
    float s = (float) scale;
    for (int p = 0; p < pairs; p++) {
      int o = pairUser[p] * k;
      float c = coef[p] * s;
      for (int b = 0; b < k; b++) {
        gradW[o + b] += c * dz[p * k + b];
      }
    }
    return loss;
  }

  /**
   * The gradient wrt the parameters (weights, or logits through the softmax) after {@link
   * #lossAndGradients}, users x k (live).
   */
  public float[] paramGradient() {
    if (softmax) {
      for (int u = 0; u < users; u++) { // chain rule through softmax: p * (g - p.g)
        int o = u * k;
        double pg = 0;
        for (int b = 0; b < k; b++) {
          pg += (double) weff[o + b] * gradW[o + b];
        }
        for (int b = 0; b < k; b++) {
          gradParams[o + b] = (float) (weff[o + b] * (gradW[o + b] - pg));
        }
      }
    } else {
      System.arraycopy(gradW, 0, gradParams, 0, gradW.length);
    }
    return gradParams;
  }

  /**
   * Every user solved exactly for {@code basis} (warm-started); returns the objective summed over
   * these users after it.
   */
  public double polish(float[] basis) {
    layout.project(basis, dz);
    passes++;
    solveUsers(1e-10, 50);
    updateEffective();
    return Margins.loss(pairs, k, pairUser, userW, factor, dz);
  }

  /** {@code sum_p ||e_c - e_r||^2} over the pairs, summed in double. */
  public double pairSquaredNorms() {
    double sum = 0;
    if (items != null) {
      for (int p = 0; p < pairs; p++) {
        int c = chosen[p] * d;
        int r = rejected[p] * d;
        for (int j = 0; j < d; j++) {
          double t = (double) items[c + j] - items[r + j];
          sum += t * t;
        }
      }
    } else {
      Rows x = ((PairLayout.Differences) layout).rows();
      for (int i = 0; i < pairs * d; i++) {
        double t = x.f32() != null ? x.f32()[i] : lore.internal.kernel.Bf16.toFloat(x.bf16()[i]);
        sum += t * t;
      }
    }
    return sum;
  }

  /**
   * Adds these users' weights to the moments of the population: {@code sums[b] += sum_u f_u w_ub}
   * for b < k and {@code sums[k] += sum_u f_u}, with {@code f_u = 1/|D_u|}; with {@code mean} (k
   * values) instead {@code sums[a*k+b] += sum_u f_u (w_ua - mean_a)(w_ub - mean_b)}.
   */
  public void addMoments(double[] mean, double[] sums) {
    updateEffective();
    for (int u = 0; u < users; u++) {
      double f = factor[u];
      int o = u * k;
      if (mean == null) {
        for (int b = 0; b < k; b++) {
          sums[b] += f * weff[o + b];
        }
        sums[k] += f;
      } else {
        for (int a = 0; a < k; a++) {
          double da = weff[o + a] - mean[a];
          for (int b = 0; b < k; b++) {
            sums[a * k + b] += f * da * (weff[o + b] - mean[b]);
          }
        }
      }
    }
  }

  private void updateEffective() {
    if (softmax) {
      for (int u = 0; u < users; u++) {
        Numerics.softmax(params, u * k, k, weff, u * k);
      }
    } else {
      System.arraycopy(params, 0, weff, 0, params.length);
    }
    float s = (float) scale;
    for (int i = 0; i < weff.length; i++) {
      userW[i] = s * weff[i];
    }
  }

  /**
   * Replaces every user's weights by the exact minimizer for the projections in {@link #dz}
   * (warm-started from the current weights).
   */
  private void solveUsers(double tol, int maxIterations) {
    for (int u = 0; u < users; u++) {
      int lo = pairStart[u];
      int n = pairStart[u + 1] - lo;
      for (int b = 0; b < k; b++) {
        wd[b] = params[u * k + b];
      }
      solver.solve(dz, lo * k, n, scale, wd, tol, maxIterations);
      double sum = 0;
      for (int b = 0; b < k; b++) {
        sum += Math.max(wd[b], 0);
      }
      for (int b = 0; b < k; b++) {
        params[u * k + b] = (float) (Math.max(wd[b], 0) / sum);
      }
    }
  }
}
