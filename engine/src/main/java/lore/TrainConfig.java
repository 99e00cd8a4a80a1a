package lore;

/**
 * Configuration of {@link Trainer}: the rank B, the logit scale, the optimizer, the simplex
 * treatment of user weights, the data layout and the seed. Immutable: start from {@link
 * #defaults()} or the reference-code preset {@link #paper()} and change fields with the {@code
 * with...} methods, e.g. {@code TrainConfig.defaults().withRank(5).withThreads(2)}.
 *
 * @param rank B, the number of basis rewards, in [1, d]
 * @param logitScale s in the margin {@code s * w_u . A (e_c - e_r)}; the reference code uses 0.01
 * @param steps full-batch optimizer steps. Each step reads the training pairs once (one pass over
 *     the P x d data); {@link Simplex#PROJECTION} adds one pass at the end to solve the users for
 *     the final basis. A model records its count in its metadata as {@code passes} (with {@link
 *     Init#POPULATION}, including the population model's), the selected model of {@link
 *     ModelSelection} also the whole selection's as {@code selectionPasses}
 * @param learningRate Adam step size for the basis A
 * @param userLearningRate Adam step size for the user weights (or their logits); unused by {@link
 *     Optimizer#ALTERNATING}, which solves each user's weights exactly
 * @param simplex how user weights are kept on the probability simplex
 * @param optimizer how A and the user weights are updated
 * @param layout how the training data is laid out in memory (see {@link Layout})
 * @param threads number of fixed work partitions; results are bitwise identical for a given seed,
 *     kernel and thread count, whatever executor runs them
 * @param seed seed of the initial basis and weights
 * @param priorStrength {@code lambda} in [0, infinity]: strength of the Gaussian prior that holds
 *     the basis rewards together around their mean, the population reward (see {@link Trainer}); 0
 *     is the paper's Eq. 10, infinity is the Bradley-Terry model (one reward for everybody) in LoRe
 *     form. Chosen from data by {@link ModelSelection}. Ignored at rank 1.
 * @param init how the basis starts (see {@link Init}); ignored at rank 1
 * @param storage number format of the training rows the passes read (see {@link Storage})
 */
public record TrainConfig(
    int rank,
    double logitScale,
    int steps,
    double learningRate,
    double userLearningRate,
    Simplex simplex,
    Optimizer optimizer,
    Layout layout,
    int threads,
    long seed,
    double priorStrength,
    Init init,
    Storage storage)
    implements java.io.Serializable {

  /** How the basis is initialized. */
  public enum Init {
    /** Standard normal entries, as the reference code. */
    RANDOM,
    /**
     * From the population (Bradley-Terry) model: the rank-1 model is trained first with the same
     * settings, then every basis row is its reward vector v plus a little noise, so that every user
     * starts at the population's reward and moves away only as far as the data and the prior allow.
     * Throughout training the mean row is held on v's direction (its length may change), so users
     * at the centre rank items as the population model does.
     */
    POPULATION
  }

  /** How user weights stay on the probability simplex. */
  public enum Simplex {
    /** Euclidean projection of the weights after each step (the default). */
    PROJECTION,
    /** Weights are softmax(logits) of free logits (parity with the reference code). */
    SOFTMAX
  }

  /** How the parameters are updated. */
  public enum Optimizer {
    /** One full-batch Adam step on A and on all user weights per iteration (reference code). */
    ADAM,
    /**
     * One Adam step on A per iteration, then every user's weights solved exactly (a convex problem
     * on the simplex, warm-started) for the current basis. Requires {@link Simplex#PROJECTION}
     * (checked by {@link Trainer}, so that the two can be changed one after the other).
     */
    ALTERNATING
  }

  /**
   * Number format of the rows every pass reads (the pair differences, or the items with {@link
   * Layout#ITEMS}); arithmetic is float either way.
   */
  public enum Storage {
    /** 4 bytes per value, exact (the default). */
    FLOAT32,
    /**
     * bfloat16, 2 bytes per value: each row is computed in float and rounded once to 8 significant
     * bits (relative error at most 2^-8), then widened back to float by the kernels. Halves the
     * bytes per pass and the table's memory; the model is not bitwise that of {@link #FLOAT32}.
     */
    BFLOAT16
  }

  /** Memory layout of the training data. */
  public enum Layout {
    /** Pick by counting bytes read per iteration; the choice is recorded in the model metadata. */
    AUTO,
    /**
     * Referenced items are projected once per iteration and the basis gradient is accumulated over
     * items: two passes over n items. Wins when items are shared by many pairs.
     */
    ITEMS,
    /**
     * Pair differences {@code e_c - e_r} are materialized once (P x d) and one fused pass per
     * iteration projects, scores and accumulates. Wins when pairs rarely share items.
     */
    DIFFERENCES
  }

  /**
   * Smallest and largest logit scale: outside this range the logistic loss is flat or saturated for
   * any embeddings of ordinary norm, and {@code s * w} leaves the range of float.
   */
  public static final double MIN_LOGIT_SCALE = 1e-6;

  /** See {@link #MIN_LOGIT_SCALE}. */
  public static final double MAX_LOGIT_SCALE = 1e4;

  /** Most work partitions: more only add a B x d gradient buffer each. */
  public static final int MAX_THREADS = 1024;

  /** Validates every field. */
  public TrainConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be at least 1, got " + rank);
    }
    checkLogitScale(logitScale);
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (!(userLearningRate > 0) || !Double.isFinite(userLearningRate)) {
      throw new IllegalArgumentException(
          "user learning rate must be positive, got " + userLearningRate);
    }
    if (simplex == null || optimizer == null || layout == null) {
      throw new IllegalArgumentException("simplex, optimizer and layout must be set");
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
    if (!(priorStrength >= 0)) {
      throw new IllegalArgumentException("prior strength must be >= 0, got " + priorStrength);
    }
    if (init == null) {
      throw new IllegalArgumentException("init must be set");
    }
    if (storage == null) {
      throw new IllegalArgumentException("storage must be set");
    }
  }

  /** Whether this configuration is the Bradley-Terry limit (infinite prior strength). */
  public boolean isPopulationLimit() {
    return priorStrength == Double.POSITIVE_INFINITY;
  }

  /**
   * @throws IllegalArgumentException unless {@code s} is in [{@link #MIN_LOGIT_SCALE}, {@link
   *     #MAX_LOGIT_SCALE}]
   */
  static double checkLogitScale(double s) {
    if (!(s >= MIN_LOGIT_SCALE && s <= MAX_LOGIT_SCALE)) {
      throw new IllegalArgumentException(
          "logit scale must be in [" + MIN_LOGIT_SCALE + ", " + MAX_LOGIT_SCALE + "], got " + s);
    }
    return s;
  }

  /** The engine's defaults: rank 10, projection onto the simplex, alternating optimizer. */
  public static TrainConfig defaults() {
    return new TrainConfig(
        10,
        0.01,
        100,
        0.5,
        0.1,
        Simplex.PROJECTION,
        Optimizer.ALTERNATING,
        Layout.AUTO,
        1,
        42L,
        0,
        Init.RANDOM,
        Storage.FLOAT32);
  }

  /**
   * The reference code's optimizer: full-batch Adam over A and softmax logits, lr 0.5, 1000 steps,
   * logits divided by 100, A and logits initialized standard normal.
   */
  public static TrainConfig paper() {
    return new TrainConfig(
        10,
        0.01,
        1000,
        0.5,
        0.5,
        Simplex.SOFTMAX,
        Optimizer.ADAM,
        Layout.AUTO,
        1,
        42L,
        0,
        Init.RANDOM,
        Storage.FLOAT32);
  }

  /** This configuration with rank {@code v}. */
  public TrainConfig withRank(int v) {
    return new TrainConfig(
        v,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with logit scale {@code v}. */
  public TrainConfig withLogitScale(double v) {
    return new TrainConfig(
        rank,
        v,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with {@code v} steps. */
  public TrainConfig withSteps(int v) {
    return new TrainConfig(
        rank,
        logitScale,
        v,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with basis learning rate {@code v}. */
  public TrainConfig withLearningRate(double v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        v,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with user learning rate {@code v}. */
  public TrainConfig withUserLearningRate(double v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        v,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with simplex treatment {@code v}. */
  public TrainConfig withSimplex(Simplex v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        v,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with optimizer {@code v}. */
  public TrainConfig withOptimizer(Optimizer v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        v,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with layout {@code v}. */
  public TrainConfig withLayout(Layout v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        v,
        threads,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with {@code v} work partitions. */
  public TrainConfig withThreads(int v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        v,
        seed,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with seed {@code v}. */
  public TrainConfig withSeed(long v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        v,
        priorStrength,
        init,
        storage);
  }

  /** This configuration with prior strength {@code v} (see {@link #priorStrength()}). */
  public TrainConfig withPriorStrength(double v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        v,
        init,
        storage);
  }

  /** This configuration with basis initialization {@code v}. */
  public TrainConfig withInit(Init v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        v,
        storage);
  }

  /** This configuration with row storage {@code v}. */
  public TrainConfig withStorage(Storage v) {
    return new TrainConfig(
        rank,
        logitScale,
        steps,
        learningRate,
        userLearningRate,
        simplex,
        optimizer,
        layout,
        threads,
        seed,
        priorStrength,
        init,
        v);
  }
}
