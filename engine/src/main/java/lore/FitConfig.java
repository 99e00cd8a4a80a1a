package lore;

/**
 * Configuration of few-shot fitting of a new user with the basis frozen (paper Eq. 11, or its MAP
 * form under a prior).
 *
 * @param method the solver
 * @param tolerance {@link Method#NEWTON}: stop when the Newton model predicts an objective decrease
 *     below this (objective units, mean logistic loss)
 * @param maxIterations Newton steps cap, or Adam steps for {@link Method#ADAM_SOFTMAX}
 * @param learningRate Adam step size ({@link Method#ADAM_SOFTMAX} only)
 * @param seed seed of the initial logits ({@link Method#ADAM_SOFTMAX} only)
 * @param priorStrength {@link Prior#MEAN} only: strength {@code lambda} of a Gaussian prior that
 *     adds {@code (lambda / 2) ||w - wbar||^2} to the mean loss, where {@code wbar} is the mean
 *     weight vector of the model's seen users (uniform if it has none)
 * @param prior which prior the {@link Method#NEWTON} fit uses (see {@link Prior}); {@link
 *     Method#ADAM_SOFTMAX} uses none
 */
public record FitConfig(
    Method method,
    double tolerance,
    int maxIterations,
    double learningRate,
    long seed,
    double priorStrength,
    Prior prior) {

  /** Few-shot solvers. */
  public enum Method {
    /** Projected Newton on the simplex to tight tolerance (default; tens of microseconds). */
    NEWTON,
    /** The reference code: Adam on softmax logits from a standard normal start. */
    ADAM_SOFTMAX
  }

  /** The prior of the few-shot fit. */
  public enum Prior {
    /** None: the paper's Eq. 11, the maximum-likelihood weights. */
    NONE,
    /**
     * Isotropic, centred on the mean seen user's weights, of the hand-set strength {@link
     * #priorStrength()} (per mean loss).
     */
    MEAN,
    /**
     * The model's empirical-Bayes prior (default): a Gaussian whose centre and covariance are those
     * of the seen users' fitted weights (the population the new user comes from), its precision
     * scaled by the factor {@code rho} the model records ({@code newUserPriorStrength}, chosen from
     * the seen users' data by {@link ModelSelection}; 1, the plain empirical-Bayes prior, when the
     * model was trained without selection). A new user with k pairs gets the MAP weights {@code
     * argmin (1/k) [sum_p log(1 + exp(-m_p)) + (rho / 2) (w - c)' (S + eps I)^-1 (w - c)]} over the
     * simplex. A model at the population limit gives every new user c; a model that recorded no
     * spread (a basis from {@link RewardModel#fromBasis}, or a file written before this prior)
     * gives Eq. 11.
     */
    MODEL
  }

  /** Validates every field. */
  public FitConfig {
    if (method == null) {
      throw new IllegalArgumentException("method must be set");
    }
    if (!(tolerance > 0)) {
      throw new IllegalArgumentException("tolerance must be positive, got " + tolerance);
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException("max iterations must be >= 1, got " + maxIterations);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (!(priorStrength >= 0) || !Double.isFinite(priorStrength)) {
      throw new IllegalArgumentException("prior strength must be >= 0, got " + priorStrength);
    }
    if (prior == null) {
      throw new IllegalArgumentException("prior must be set");
    }
  }

  /** Projected Newton, tolerance 1e-10, at most 50 steps, the model's empirical-Bayes prior. */
  public static FitConfig defaults() {
    return new FitConfig(Method.NEWTON, 1e-10, 50, 0.1, 42L, 0, Prior.MODEL);
  }

  /** The reference code's few-shot optimizer: Adam on softmax logits, lr 0.1, 500 steps. */
  public static FitConfig paper() {
    return new FitConfig(Method.ADAM_SOFTMAX, 1e-10, 500, 0.1, 42L, 0, Prior.NONE);
  }

  /** This configuration with solver {@code v}. */
  public FitConfig withMethod(Method v) {
    return new FitConfig(v, tolerance, maxIterations, learningRate, seed, priorStrength, prior);
  }

  /** This configuration with tolerance {@code v}. */
  public FitConfig withTolerance(double v) {
    return new FitConfig(method, v, maxIterations, learningRate, seed, priorStrength, prior);
  }

  /** This configuration with at most {@code v} iterations. */
  public FitConfig withMaxIterations(int v) {
    return new FitConfig(method, tolerance, v, learningRate, seed, priorStrength, prior);
  }

  /** This configuration with Adam step size {@code v}. */
  public FitConfig withLearningRate(double v) {
    return new FitConfig(method, tolerance, maxIterations, v, seed, priorStrength, prior);
  }

  /** This configuration with seed {@code v}. */
  public FitConfig withSeed(long v) {
    return new FitConfig(method, tolerance, maxIterations, learningRate, v, priorStrength, prior);
  }

  /** This configuration with strength {@code v} of the {@link Prior#MEAN} prior. */
  public FitConfig withPriorStrength(double v) {
    return new FitConfig(method, tolerance, maxIterations, learningRate, seed, v, prior);
  }

  /** This configuration with prior {@code v}. */
  public FitConfig withPrior(Prior v) {
    return new FitConfig(method, tolerance, maxIterations, learningRate, seed, priorStrength, v);
  }
}
