package lore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;
import lore.internal.train.Adam;
import lore.internal.train.Margins;
import lore.internal.train.PairLayout;
import lore.internal.train.Partitions;
import lore.internal.train.SimplexNewton;

/**
 * Trains a LoRe model by minimizing the paper's objective (Eq. 10): the per-user mean of the
 * logistic loss, summed over users,
 *
 * <pre>
 *   L(A, W) = sum_u (1/|D_u|) sum_{(c,r) in D_u} log(1 + exp(-s * w_u . A (e_c - e_r)))
 * </pre>
 *
 * with every {@code w_u} on the probability simplex. See {@link TrainConfig} for the optimizers.
 *
 * <p>Not thread-safe: one trainer per training run. The engine creates no threads: with {@code
 * threads > 1} the fixed work partitions run on the {@link #executor(Executor)} given (or one after
 * another on the calling thread when none is), and partial results are summed in partition order,
 * so the model is bitwise identical for a given seed, kernel and thread count.
 */
public final class Trainer {
  private static final System.Logger LOG = System.getLogger(Trainer.class.getName());

  private final TrainConfig config;
  private final Kernels kernels;
  private Executor executor;
  private TrainListener listener;

  /**
   * Name of the kernel implementation this JVM uses: {@code "scalar"} or {@code "panama/<bits>"}
   * (the Vector API, when the JVM runs with {@code --add-modules jdk.incubator.vector}).
   */
  public static String kernelsName() {
    return KernelProvider.get().name();
  }

  /**
   * A trainer for {@code config}, on the process-wide kernels.
   *
   * @throws IllegalArgumentException for the ALTERNATING optimizer without Simplex.PROJECTION
   */
  public Trainer(TrainConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.optimizer() == TrainConfig.Optimizer.ALTERNATING
        && config.simplex() != TrainConfig.Simplex.PROJECTION) {
      throw new IllegalArgumentException("the ALTERNATING optimizer needs Simplex.PROJECTION");
    }
    this.kernels = KernelProvider.get();
  }

  /** Runs the {@code config.threads()} partitions of each step on this executor. */
  public Trainer executor(Executor executor) {
    this.executor = executor;
    return this;
  }

  /** Receives progress after every step. */
  public Trainer listener(TrainListener listener) {
    this.listener = listener;
    return this;
  }

  /**
   * Trains on {@code data}. Allocates the basis, the weights and the layout's working set (with
   * {@link TrainConfig.Layout#DIFFERENCES}, P x d floats).
   *
   * @throws IllegalArgumentException if the rank exceeds the embedding dimension
   */
  public RewardModel train(PreferenceData data) {
    int d = data.dim();
    int k = config.rank();
    if (k > d) {
      throw new IllegalArgumentException("rank " + k + " exceeds the embedding dim " + d);
    }
    long start = System.nanoTime();
    Run run = new Run(data);
    double loss = Double.NaN;
    for (int step = 1; step <= config.steps(); step++) {
      loss = run.step();
      if (!Double.isFinite(loss)) {
        throw new ArithmeticException("training diverged at step " + step + ": loss " + loss);
      }
      if (listener != null) {
        listener.onStep(step, config.steps(), loss);
      }
      LOG.log(System.Logger.Level.DEBUG, () -> "step loss " + run.lastLoss);
    }
    if (config.simplex() == TrainConfig.Simplex.PROJECTION) {
      loss = run.polishUsers();
    }
    float[] weights = run.effectiveWeights();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "lore-model");
    meta.put("rank", Integer.toString(k));
    meta.put("logitScale", Double.toString(config.logitScale()));
    meta.put("steps", Integer.toString(config.steps()));
    meta.put("learningRate", Double.toString(config.learningRate()));
    meta.put("userLearningRate", Double.toString(config.userLearningRate()));
    meta.put("simplex", config.simplex().name());
    meta.put("optimizer", config.optimizer().name());
    meta.put("layout", run.layout.name());
    meta.put("threads", Integer.toString(config.threads()));
    meta.put("seed", Long.toString(config.seed()));
    meta.put("kernels", kernels.name());
    meta.put("trainUsers", Integer.toString(data.userCount()));
    meta.put("trainPairs", Integer.toString(data.pairCount()));
    meta.put("finalLoss", Double.toString(loss));
    meta.put(
        "trainSeconds", String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9));
    meta.put("javaVersion", System.getProperty("java.version"));
    String[] ids = new String[data.userCount()];
    for (int u = 0; u < ids.length; u++) {
      ids[u] = data.userId(u);
    }
    return new RewardModel(d, k, run.basis, config.logitScale(), ids, weights, meta);
  }

  /**
   * Test hook: the objective of Eq. 10 (summed over users) at the given basis (k x d) and user
   * parameters (users x k: weights, or logits for SOFTMAX), with its gradients written to {@code
   * gradBasis} and {@code gradParams}.
   */
  double objectiveAndGradient(
      PreferenceData data, float[] basis, float[] params, float[] gradBasis, float[] gradParams) {
    Run run = new Run(data);
    System.arraycopy(basis, 0, run.basis, 0, basis.length);
    System.arraycopy(params, 0, run.params, 0, params.length);
    run.updateEffective();
    double loss = run.lossAndGradients();
    run.paramGradient();
    System.arraycopy(run.grad, 0, gradBasis, 0, gradBasis.length);
    System.arraycopy(run.gradParams, 0, gradParams, 0, gradParams.length);
    return loss;
  }

  /** Picks the layout that reads fewer bytes per iteration (see {@link TrainConfig.Layout}). */
  static TrainConfig.Layout chooseLayout(TrainConfig.Layout requested, long pairs, long referencedItems, int d) {
    if (requested != TrainConfig.Layout.AUTO) {
      return requested;
    }
    // DIFFERENCES reads P rows once per step; ITEMS reads the referenced items twice. The
    // difference table must also fit comfortably in the heap.
    long diffBytes = pairs * d * 4L;
    boolean fits = diffBytes < Runtime.getRuntime().maxMemory() / 3 && pairs * d < Integer.MAX_VALUE;
    return fits && pairs < 2 * referencedItems
        ? TrainConfig.Layout.DIFFERENCES
        : TrainConfig.Layout.ITEMS;
  }

  /** The state of one training run. */
  private final class Run {
    final int d;
    final int k;
    final int users;
    final int pairs;
    final double scale;
    final PairLayout layout;
    final float[] basis;
    final float[] params; // users x k: weights (PROJECTION) or logits (SOFTMAX)
    final float[] weff; // users x k: effective weights on the simplex
    final float[] userW; // users x k: scale * weff
    final float[] factor; // users: 1 / |D_u|
    final float[] grad; // k x d
    final float[] dz; // pairs x k: projected differences for the current basis
    final float[] coef; // pairs: loss derivatives
    final float[] gradW; // users x k, gradient wrt effective weights
    final float[] gradParams;
    final Adam adamBasis;
    final Adam adamUsers;
    final int[] pairStart; // users + 1
    final int[] pairUser; // pairs
    final SimplexNewton solver;
    final double[] wd;
    final float[] sortWork; // k floats: scratch of the simplex projection
    double lastLoss;

    Run(PreferenceData data) {
      d = data.dim();
      k = config.rank();
      users = data.userCount();
      pairs = data.pairCount();
      scale = config.logitScale();
      pairStart = new int[users + 1];
      pairUser = new int[pairs];
      factor = new float[users];
      int maxUserPairs = 1;
      for (int u = 0; u < users; u++) {
        pairStart[u + 1] = data.pairEnd(u);
        int n = data.pairEnd(u) - data.pairStart(u);
        factor[u] = 1f / n;
        maxUserPairs = Math.max(maxUserPairs, n);
        java.util.Arrays.fill(pairUser, data.pairStart(u), data.pairEnd(u), u);
      }
      int[] chosen = new int[pairs];
      int[] rejected = new int[pairs];
      for (int p = 0; p < pairs; p++) {
        chosen[p] = data.chosen(p);
        rejected[p] = data.rejected(p);
      }
      Partitions parts = new Partitions(config.threads(), executor);
      int referenced = PairLayout.Items.referenced(data.itemCount(), chosen, rejected);
      layout =
          chooseLayout(config.layout(), pairs, referenced, d) == TrainConfig.Layout.DIFFERENCES
              ? PairLayout.Differences.of(data.items(), d, chosen, rejected, pairUser, k, kernels, parts)
              : new PairLayout.Items(
                  data.items(), data.itemCount(), d, chosen, rejected, pairUser, k, kernels, parts);
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> "training layout " + layout.name() + ": " + pairs + " pairs, " + users + " users, "
              + referenced + " items of dim " + d + ", rank " + k + ", kernels " + kernels.name());

      SplittableRandom rnd = new SplittableRandom(config.seed());
      basis = new float[k * d];
      for (int i = 0; i < basis.length; i++) {
        basis[i] = (float) rnd.nextGaussian(); // standard normal, as the reference code
      }
      params = new float[users * k];
      for (int i = 0; i < params.length; i++) {
        params[i] = (float) rnd.nextGaussian();
      }
      weff = new float[users * k];
      if (config.simplex() == TrainConfig.Simplex.PROJECTION) {
        // start from the same point the softmax parametrization starts from
        for (int u = 0; u < users; u++) {
          Numerics.softmax(params, u * k, k, params, u * k);
        }
      }
      userW = new float[users * k];
      grad = new float[k * d];
      dz = new float[pairs * k];
      coef = new float[pairs];
      gradW = new float[users * k];
      gradParams = new float[users * k];
      adamBasis = new Adam(k * d, config.learningRate());
      adamUsers = new Adam(users * k, config.userLearningRate());
      solver = new SimplexNewton(k, maxUserPairs);
      wd = new double[k];
      sortWork = new float[k];
    }

    float[] effectiveWeights() {
      updateEffective();
      return weff.clone();
    }

    void updateEffective() {
      if (config.simplex() == TrainConfig.Simplex.SOFTMAX) {
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

    /** One optimizer step; returns the mean per-user loss before the step. */
    double step() {
      updateEffective();
      double loss = lossAndGradients();
      adamBasis.nextStep();
      adamBasis.update(basis, grad, 0, basis.length);
      if (config.optimizer() == TrainConfig.Optimizer.ALTERNATING) {
        solveUsers(1e-7, 8);
      } else {
        paramGradient();
        adamUsers.nextStep();
        adamUsers.update(params, gradParams, 0, params.length);
        if (config.simplex() == TrainConfig.Simplex.PROJECTION) {
          for (int u = 0; u < users; u++) {
            Numerics.projectToSimplex(params, u * k, k, sortWork);
          }
        }
      }
      lastLoss = loss / users;
      return lastLoss;
    }

    /** Gradient wrt the parameters (weights, or logits through the softmax) into gradParams. */
    void paramGradient() {
      if (config.simplex() == TrainConfig.Simplex.SOFTMAX) {
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
    }

    /**
     * Loss (Eq. 10, summed over users), the basis gradient into {@link #grad}, the effective-weight
     * gradient into {@link #gradW}, and the projections of the current basis into {@link #dz}.
     */
    double lossAndGradients() {
      double loss = layout.lossAndGradient(basis, userW, factor, dz, coef, grad);
      java.util.Arrays.fill(gradW, 0f);
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
     * Replaces every user's weights by the exact minimizer for the projections in {@link #dz}
     * (warm-started from the current weights).
     */
    void solveUsers(double tol, int maxIterations) {
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

    /** Final exact per-user solve for the final basis; returns the mean per-user loss after it. */
    double polishUsers() {
      layout.project(basis, dz);
      solveUsers(1e-10, 50);
      updateEffective();
      return Margins.loss(pairs, k, pairUser, userW, factor, dz) / users;
    }
  }
}
