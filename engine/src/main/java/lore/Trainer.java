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
import lore.internal.train.Partitions;
import lore.internal.train.Training;
import lore.internal.train.UserBlock;
import lore.internal.train.UserSide;

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
 * <p>With a prior strength {@code lambda > 0} ({@link TrainConfig#priorStrength()}) the objective
 * gains a Gaussian prior on how far the basis rewards spread around their mean:
 *
 * <pre>
 *   L(A, W) + (lambda / 2) N s^2 (q / d) sum_b ||a_b - abar||^2,   abar = (1/B) sum_b a_b
 * </pre>
 *
 * over the rows {@code a_b} of A, with N the number of users and {@code q} the mean squared norm of
 * the training pair differences {@code e_c - e_r}. Every user's reward is {@code s A' w_u = s abar
 * + s sum_b w_ub (a_b - abar)}: a population reward shared by everybody plus a personal part in the
 * convex hull of the rows' deviations, so a user can depart from the population at most as far as
 * the farthest row. {@code s sqrt(q/d) ||a_b - abar||} is the typical logit shift of a user at
 * vertex b on a typical pair (for an isotropic spread); the prior charges every user {@code lambda
 * / 2} times the sum of these squared shifts, in the units of that user's mean loss. {@code lambda
 * = 0} is Eq. 10; as {@code lambda} grows the rows merge; at {@code lambda = infinity} every user
 * has one reward, the Bradley-Terry model, which is what {@link #train} returns then (the rank-1
 * model's vector in every basis row). The users' weights stay the exact simplex-constrained
 * minimizers of their own loss. {@link TrainConfig.Init#POPULATION} starts every row at the
 * Bradley-Terry vector v and holds the mean row on v's direction, so that the rows part only as far
 * as the data and the prior allow, and a strong prior gives the Bradley-Terry ranking.
 *
 * <p>Not thread-safe: one trainer per training run. The engine creates no threads: with {@code
 * threads > 1} the fixed work partitions run on the {@link #executor(Executor)} given (or one after
 * another on the calling thread when none is), and partial results are summed in partition order,
 * so the model is bitwise identical for a given seed, kernel and thread count.
 */
public final class Trainer {
  private static final System.Logger LOG = System.getLogger(Trainer.class.getName());

  static {
    Training.register(
        (config, source, listener) -> new Trainer(config).listener(listener).train(source));
  }

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
   * @throws IllegalArgumentException for the ALTERNATING optimizer or a prior strength without
   *     Simplex.PROJECTION
   */
  public Trainer(TrainConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.optimizer() == TrainConfig.Optimizer.ALTERNATING
        && config.simplex() != TrainConfig.Simplex.PROJECTION) {
      throw new IllegalArgumentException("the ALTERNATING optimizer needs Simplex.PROJECTION");
    }
    if (config.priorStrength() > 0 && config.simplex() != TrainConfig.Simplex.PROJECTION) {
      throw new IllegalArgumentException("a prior strength needs Simplex.PROJECTION");
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
    return train(new LocalSource(data, kernels, executor));
  }

  /**
   * Trains on the users of {@code source}: this process's data, or a cluster's partitions (the
   * Spark trainer reaches this through {@link lore.internal.train.Training}).
   */
  RewardModel train(UserSide.Source source) {
    int d = source.dim();
    int k = config.rank();
    if (k > d) {
      throw new IllegalArgumentException("rank " + k + " exceeds the embedding dim " + d);
    }
    if (k > 1 && config.isPopulationLimit()) {
      return expand(trainPopulation(source), k, config);
    }
    long start = System.nanoTime();
    float[] init = null;
    float[] population = null;
    int populationPasses = 0;
    if (k > 1 && config.init() == TrainConfig.Init.POPULATION) {
      RewardModel bt = trainPopulation(source);
      population = bt.basisInternal().clone();
      populationPasses = passes(bt);
      init = populationInit(population, k, config.seed());
    }
    Run run = new Run(source.open(config), d, init);
    run.population = population;
    run.passes = populationPasses; // the population model's passes are part of this model's cost
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
    return modelOf(run, start, loss, null);
  }

  /**
   * A strength path for {@link ModelSelection}: a run from {@code initBasis} (k x d, e.g. {@link
   * #populationInit}) that is continued segment by segment at other prior strengths, keeping the
   * optimizer state, with a model taken after each segment; the mean row is held on the direction
   * of {@code population} (length d) when it is given.
   */
  Path path(PreferenceData data, float[] initBasis, float[] population) {
    if (config.rank() > data.dim()) {
      throw new IllegalArgumentException(
          "rank " + config.rank() + " exceeds the embedding dim " + data.dim());
    }
    return new Path(data, initBasis, population);
  }

  /** A training run continued in segments; see {@link #path}. */
  final class Path {
    private final Run run;
    private final long start = System.nanoTime();
    private int steps;
    private double loss = Double.NaN;
    private final StringBuilder strengths = new StringBuilder();

    private Path(PreferenceData data, float[] initBasis, float[] population) {
      this.run =
          new Run(new LocalSource(data, kernels, executor).open(config), data.dim(), initBasis);
      run.population = population == null ? null : population.clone();
    }

    /** {@code n} more steps at prior strength {@code strength} (finite, >= 0). */
    void run(double strength, int n, TrainListener progress) {
      run.strength = strength;
      if (run.pairMoment == 0) {
        run.pairMoment = run.side.pairSecondMoment();
      }
      if (strengths.length() > 0) {
        strengths.append(',');
      }
      strengths.append(strength);
      for (int i = 1; i <= n; i++) {
        loss = run.step();
        if (!Double.isFinite(loss)) {
          throw new ArithmeticException(
              "training diverged at step "
                  + (steps + i)
                  + " (strength "
                  + strength
                  + "): loss "
                  + loss);
        }
        if (progress != null) {
          progress.onStep(i, n, loss);
        }
      }
      steps += n;
    }

    /** The model at the current point: users solved exactly for the current basis. */
    RewardModel model(Map<String, String> extra) {
      loss = run.polishUsers();
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("pathStrengths", strengths.toString());
      meta.put("pathSteps", Integer.toString(steps));
      if (extra != null) {
        meta.putAll(extra);
      }
      return modelOf(run, start, loss, meta);
    }
  }

  /** The rank-1 (Bradley-Terry) model trained with this configuration's other settings. */
  private RewardModel trainPopulation(UserSide.Source source) {
    return new Trainer(populationConfig(config))
        .executor(executor)
        .listener(listener)
        .train(source);
  }

  /** {@code config} at rank 1, without a prior or a population start: the Bradley-Terry trainer. */
  static TrainConfig populationConfig(TrainConfig config) {
    return config.withRank(1).withPriorStrength(0).withInit(TrainConfig.Init.RANDOM);
  }

  /** Relative size of the noise added to the population vector in every basis row. */
  static final double POPULATION_NOISE = 0.01;

  /**
   * A k x d basis whose rows are {@code v} (length d) plus Gaussian noise of {@link
   * #POPULATION_NOISE} times the root mean square of v's entries, which breaks the rows' symmetry.
   */
  static float[] populationInit(float[] v, int k, long seed) {
    int d = v.length;
    double ms = 0;
    for (float x : v) {
      ms += (double) x * x;
    }
    double sigma = POPULATION_NOISE * Math.sqrt(ms / d);
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x706f70756c6174L);
    float[] basis = new float[k * d];
    for (int b = 0; b < k; b++) {
      for (int j = 0; j < d; j++) {
        basis[b * d + j] = (float) (v[j] + sigma * rnd.nextGaussian());
      }
    }
    return basis;
  }

  /**
   * The Bradley-Terry model {@code bt} (rank 1) in LoRe form at rank k: every basis row is its
   * vector, so every user (any weights on the simplex) has its reward; users get uniform weights.
   */
  static RewardModel expand(RewardModel bt, int k, TrainConfig config) {
    int d = bt.dim();
    float[] v = bt.basisInternal();
    float[] basis = new float[k * d];
    for (int b = 0; b < k; b++) {
      System.arraycopy(v, 0, basis, b * d, d);
    }
    int users = bt.userCount();
    float[] w = new float[users * k];
    java.util.Arrays.fill(w, 1f / k);
    Map<String, String> meta = new LinkedHashMap<>(bt.metadata());
    meta.put("rank", Integer.toString(k));
    meta.put("priorStrength", "Infinity");
    meta.put("init", config.init().name());
    meta.put("populationLimit", "true");
    meta.put("priorCenter", vector(uniform(k)));
    return new RewardModel(d, k, basis, bt.logitScale(), bt.userIdsInternal().clone(), w, meta);
  }

  private static double[] uniform(int k) {
    double[] c = new double[k];
    java.util.Arrays.fill(c, 1.0 / k);
    return c;
  }

  /**
   * The passes over the training data recorded in {@code model}'s metadata ({@code passes}: reads
   * of the P x d pair data, one per step plus the final solve of the users); 0 when not recorded.
   */
  static int passes(RewardModel model) {
    String v = model.metadata().get("passes");
    return v == null ? 0 : Integer.parseInt(v);
  }

  /** A comma-separated list of the values, for the metadata. */
  static String vector(double[] v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(v[i]);
    }
    return b.toString();
  }

  /** The model of a finished run: its basis, the users' effective weights and the metadata. */
  private RewardModel modelOf(Run run, long start, double loss, Map<String, String> extra) {
    int d = run.d;
    int k = config.rank();
    float[] weights = run.side.weights();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "lore-model");
    meta.put("rank", Integer.toString(k));
    meta.put("logitScale", Double.toString(config.logitScale()));
    meta.put("steps", Integer.toString(config.steps()));
    meta.put("learningRate", Double.toString(config.learningRate()));
    meta.put("userLearningRate", Double.toString(config.userLearningRate()));
    meta.put("simplex", config.simplex().name());
    meta.put("optimizer", config.optimizer().name());
    meta.put("layout", run.side.layoutName());
    meta.put("storage", run.side.storage());
    meta.put("threads", Integer.toString(config.threads()));
    meta.put("seed", Long.toString(config.seed()));
    meta.put("kernels", kernels.name());
    meta.put("trainUsers", Integer.toString(run.users));
    meta.put("trainPairs", Long.toString(run.side.pairs()));
    meta.put("priorStrength", Double.toString(run.strength));
    meta.put("init", config.init().name());
    if (run.strength > 0) {
      meta.put("pairSecondMoment", Double.toString(run.pairMoment));
    }
    double[][] moments = run.side.userMoments();
    meta.put("priorCenter", vector(moments[0]));
    meta.put("priorCovariance", vector(moments[1]));
    meta.put("finalLoss", Double.toString(loss));
    meta.put("passes", Integer.toString(run.passes));
    meta.put(
        "trainSeconds",
        String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9));
    meta.put("javaVersion", System.getProperty("java.version"));
    if (extra != null) {
      meta.putAll(extra);
    }
    return new RewardModel(
        d, k, run.basis.clone(), config.logitScale(), run.side.userIds(), weights, meta);
  }

  /**
   * Test hook: the objective of Eq. 10 (summed over users) at the given basis (k x d) and user
   * parameters (users x k: weights, or logits for SOFTMAX), with its gradients written to {@code
   * gradBasis} and {@code gradParams}.
   */
  double objectiveAndGradient(
      PreferenceData data, float[] basis, float[] params, float[] gradBasis, float[] gradParams) {
    LocalSource.Users users = new LocalSource(data, kernels, executor).open(config);
    Run run = new Run(users, data.dim(), basis);
    users.initialize(params);
    double loss = users.block.lossAndGradients(run.basis, run.grad);
    if (run.strength > 0) {
      loss += run.basisPrior(true);
    }
    System.arraycopy(run.grad, 0, gradBasis, 0, gradBasis.length);
    System.arraycopy(users.block.paramGradient(), 0, gradParams, 0, gradParams.length);
    return loss;
  }

  /** The users of {@code data}, in one block of this process. */
  private record LocalSource(PreferenceData data, Kernels kernels, Executor executor)
      implements UserSide.Source {
    @Override
    public int dim() {
      return data.dim();
    }

    @Override
    public Users open(TrainConfig config) {
      return new Users(config, this);
    }

    /** The users of {@code data} in one block of this process, with the trainer's partitions. */
    private static final class Users implements UserSide {
      final TrainConfig config;
      final PreferenceData data;
      final UserBlock block;

      Users(TrainConfig config, LocalSource source) {
        this.config = config;
        this.data = source.data();
        int users = data.userCount();
        int pairs = data.pairCount();
        int[] pairStart = new int[users + 1];
        for (int u = 0; u < users; u++) {
          pairStart[u + 1] = data.pairEnd(u);
        }
        int[] chosen = new int[pairs];
        int[] rejected = new int[pairs];
        for (int p = 0; p < pairs; p++) {
          chosen[p] = data.chosen(p);
          rejected[p] = data.rejected(p);
        }
        block =
            UserBlock.of(
                config,
                data.items(),
                data.itemCount(),
                data.dim(),
                chosen,
                rejected,
                pairStart,
                new float[users * config.rank()],
                source.kernels(),
                new Partitions(config.threads(), source.executor()));
      }

      @Override
      public int users() {
        return block.users();
      }

      @Override
      public long pairs() {
        return block.pairs();
      }

      @Override
      public String layoutName() {
        return block.layoutName();
      }

      @Override
      public String storage() {
        return block.storage();
      }

      @Override
      public void initialize(float[] params) {
        block.setParams(params);
      }

      @Override
      public double step(float[] basis, float[] grad) {
        return block.step(basis, grad);
      }

      @Override
      public double polish(float[] basis) {
        return block.polish(basis);
      }

      @Override
      public double pairSecondMoment() {
        return block.pairs() == 0 ? 0 : block.pairSquaredNorms() / block.pairs();
      }

      @Override
      public double[][] userMoments() {
        return UserSide.userMoments(config.rank(), block::addMoments);
      }

      @Override
      public String[] userIds() {
        String[] ids = new String[data.userCount()];
        for (int u = 0; u < ids.length; u++) {
          ids[u] = data.userId(u);
        }
        return ids;
      }

      @Override
      public float[] weights() {
        return block.weights();
      }
    }
  }

  /**
   * The driver of one training run: the basis, its optimizer and the prior; the users are on a
   * {@link UserSide}.
   */
  private final class Run {
    final int d;
    final int k;
    final int users;
    final double scale;
    final UserSide side;
    final float[] basis;
    final float[] grad; // k x d
    final Adam adamBasis;
    double lastLoss;
    // reads of the P x d data (one step or polish each), the cost measure
    int passes;
    // the prior on the spread of the basis rows (strength 0: none)
    double strength;
    double pairMoment; // q: mean squared norm of the pair differences
    float[] population; // direction the mean row is held to (length d), or null

    /**
     * Starts a run: the basis is {@code initBasis} (users start uniform) or, when null, standard
     * normal draws of the seed followed by the users' parameters in user order, as the reference
     * code.
     */
    Run(UserSide side, int d, float[] initBasis) {
      this.d = d;
      this.side = side;
      k = config.rank();
      users = side.users();
      scale = config.logitScale();
      LOG.log(
          System.Logger.Level.DEBUG,
          () ->
              "training layout "
                  + side.layoutName()
                  + ": "
                  + side.pairs()
                  + " pairs, "
                  + users
                  + " users, dim "
                  + d
                  + ", rank "
                  + k
                  + ", kernels "
                  + kernels.name());
      basis = new float[k * d];
      if (initBasis == null) {
        SplittableRandom rnd = new SplittableRandom(config.seed());
        for (int i = 0; i < basis.length; i++) {
          basis[i] = (float) rnd.nextGaussian(); // standard normal, as the reference code
        }
        float[] params = new float[users * k];
        for (int i = 0; i < params.length; i++) {
          params[i] = (float) rnd.nextGaussian();
        }
        if (config.simplex() == TrainConfig.Simplex.PROJECTION) {
          // start from the same point the softmax parametrization starts from
          for (int u = 0; u < users; u++) {
            Numerics.softmax(params, u * k, k, params, u * k);
          }
        }
        side.initialize(params);
      } else {
        System.arraycopy(initBasis, 0, basis, 0, basis.length);
        // uniform weights (zero logits): every user starts at the population
        side.initialize(null);
      }
      grad = new float[k * d];
      adamBasis = new Adam(k * d, config.learningRate());
      strength = config.priorStrength();
      pairMoment = strength > 0 ? side.pairSecondMoment() : 0;
    }

    /**
     * The prior term {@code (lambda / 2) N s^2 (q / d) sum_b ||a_b - abar||^2}; with {@code
     * gradient}, its gradient {@code lambda N s^2 (q / d) (a_b - abar)} is added to the basis
     * gradient. Rows sum their deviations to zero, so the mean row (the population) feels no pull.
     */
    double basisPrior(boolean gradient) {
      double m = strength * users * scale * scale * pairMoment / d;
      double penalty = 0;
      for (int j = 0; j < d; j++) {
        double mean = 0;
        for (int b = 0; b < k; b++) {
          mean += basis[b * d + j];
        }
        mean /= k;
        for (int b = 0; b < k; b++) {
          double t = basis[b * d + j] - mean;
          penalty += t * t;
          if (gradient) {
            grad[b * d + j] += (float) (m * t);
          }
        }
      }
      return 0.5 * m * penalty;
    }

    /**
     * With a population direction v: shifts every row by the same vector so that the mean row is
     * {@code alpha v}, alpha its projection on v. Rankings of users at the mean stay the population
     * model's; the rows' deviations (and so the prior term) are unchanged.
     */
    void holdPopulation() {
      if (population == null) {
        return;
      }
      double mv = 0;
      double vv = 0;
      double[] mean = new double[d];
      for (int j = 0; j < d; j++) {
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += basis[b * d + j];
        }
        mean[j] = m / k;
        mv += mean[j] * population[j];
        vv += (double) population[j] * population[j];
      }
      double alpha = vv > 0 ? mv / vv : 0;
      for (int j = 0; j < d; j++) {
        float shift = (float) (alpha * population[j] - mean[j]);
        for (int b = 0; b < k; b++) {
          basis[b * d + j] += shift;
        }
      }
    }

    /**
     * One optimizer step: the users' half (loss and basis gradient at the current point, then the
     * users' update), then Adam on the basis; returns the mean per-user loss before the step.
     */
    double step() {
      double loss = side.step(basis, grad);
      passes++;
      if (strength > 0) {
        loss += basisPrior(true);
      }
      adamBasis.nextStep();
      adamBasis.update(basis, grad, 0, basis.length);
      holdPopulation();
      lastLoss = loss / users;
      return lastLoss;
    }

    /** Final exact per-user solve for the final basis; returns the mean per-user loss after it. */
    double polishUsers() {
      double loss = side.polish(basis);
      passes++;
      if (strength > 0) {
        loss += basisPrior(false);
      }
      return loss / users;
    }
  }
}
