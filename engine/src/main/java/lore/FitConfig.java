package lore;

/**
 * Configuration of few-shot fitting of a new user with the basis frozen (paper Eq. 11).
 *
 * @param method the solver
 * @param tolerance {@link Method#NEWTON}: stop when the Newton model predicts an objective decrease
 *     below this (objective units, mean logistic loss)
 * @param maxIterations Newton steps cap, or Adam steps for {@link Method#ADAM_SOFTMAX}
 * @param learningRate Adam step size ({@link Method#ADAM_SOFTMAX} only)
 * @param seed seed of the initial logits ({@link Method#ADAM_SOFTMAX} only)
 * @param priorStrength {@link Method#NEWTON}: strength {@code lambda} of a Gaussian prior that adds
 *     {@code (lambda / 2) ||w - wbar||^2} to the objective, where {@code wbar} is the mean weight
 *     vector of the model's seen users (uniform if it has none): a MAP estimate that keeps users with
 *     very few pairs from jumping to a vertex of the simplex. 0 (the default) is Eq. 11 exactly.
 */
public record FitConfig(
    Method method,
    double tolerance,
    int maxIterations,
    double learningRate,
    long seed,
    double priorStrength) {

  /** Few-shot solvers. */
  public enum Method {
    /** Projected Newton on the simplex to tight tolerance (default; tens of microseconds). */
    NEWTON,
    /** The reference code: Adam on softmax logits from a standard normal start. */
    ADAM_SOFTMAX
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
  }

  /** Projected Newton, tolerance 1e-10, at most 50 steps, no prior (Eq. 11 exactly). */
  public static FitConfig defaults() {
    return new FitConfig(Method.NEWTON, 1e-10, 50, 0.1, 42L, 0);
  }

  /** The reference code's few-shot optimizer: Adam on softmax logits, lr 0.1, 500 steps. */
  public static FitConfig paper() {
    return new FitConfig(Method.ADAM_SOFTMAX, 1e-10, 500, 0.1, 42L, 0);
  }

  /** This configuration with solver {@code v}. */
  public FitConfig withMethod(Method v) {
    return new FitConfig(v, tolerance, maxIterations, learningRate, seed, priorStrength);
  }

  /** This configuration with tolerance {@code v}. */
  public FitConfig withTolerance(double v) {
    return new FitConfig(method, v, maxIterations, learningRate, seed, priorStrength);
  }

  /** This configuration with at most {@code v} iterations. */
  public FitConfig withMaxIterations(int v) {
    return new FitConfig(method, tolerance, v, learningRate, seed, priorStrength);
  }

  /** This configuration with Adam step size {@code v}. */
  public FitConfig withLearningRate(double v) {
    return new FitConfig(method, tolerance, maxIterations, v, seed, priorStrength);
  }

  /** This configuration with seed {@code v}. */
  public FitConfig withSeed(long v) {
    return new FitConfig(method, tolerance, maxIterations, learningRate, v, priorStrength);
  }

  /** This configuration with a prior of strength {@code v} (see {@link #priorStrength()}). */
  public FitConfig withPriorStrength(double v) {
    return new FitConfig(method, tolerance, maxIterations, learningRate, seed, v);
  }
}
