package lore;

import java.util.List;

/**
 * Configuration of {@link ModelSelection}: the candidate ranks and prior strengths, the folds of
 * the cross-validation, the length of each segment of the strength path and the selection rule.
 *
 * @param ranks candidate ranks B (each at least 2), ascending; rank 1 (the population limit) is
 *     always a candidate
 * @param strengths candidate finite prior strengths lambda ({@link TrainConfig#priorStrength()}),
 *     descending, each positive; infinity (the Bradley-Terry limit) is always a candidate
 * @param folds K, the number of cross-validation folds, at least 2
 * @param pathSteps optimizer steps at each strength of the path, at least 1
 * @param oneStandardError whether to pick the simplest candidate within one standard error of the
 *     best (larger strength first, then smaller rank) instead of the best
 * @param newUserStrengths candidate finite factors {@code rho} of the new users' prior precision
 *     ({@link FitConfig.Prior#MODEL}), descending, each positive; infinity (every new user gets the
 *     population's weights) and 0 (Eq. 11) are always candidates
 * @param fewShotPairs pairs per held-out user when the new users' prior is cross-validated, at
 *     least 1
 * @param learningRates candidate Adam step sizes of the basis ({@link TrainConfig#learningRate()}),
 *     each positive, no repeats, the preferred first; empty (the default) trains every candidate at
 *     the base configuration's. With several, the whole cross-validation runs once per step size on
 *     the same folds and the step size whose chosen candidate scores best is kept (with the
 *     one-standard-error rule, the first listed within one standard error of it): how far the
 *     optimizer gets in its steps acts on the fit as a prior does, and the right amount depends on
 *     the embeddings' scale. A rate at which training diverges is dropped (the model's {@code
 *     selectionLearningRates} metadata says so); the selection fails only if every rate does.
 */
public record SelectionConfig(
    List<Integer> ranks,
    List<Double> strengths,
    int folds,
    int pathSteps,
    boolean oneStandardError,
    List<Double> newUserStrengths,
    int fewShotPairs,
    List<Double> learningRates) {

  /** Validates and copies the lists. */
  public SelectionConfig {
    ranks = List.copyOf(ranks);
    strengths = List.copyOf(strengths);
    newUserStrengths = List.copyOf(newUserStrengths);
    learningRates = List.copyOf(learningRates);
    if (ranks.isEmpty()) {
      throw new IllegalArgumentException("at least one candidate rank is needed");
    }
    for (int i = 0; i < ranks.size(); i++) {
      if (ranks.get(i) < 2) {
        throw new IllegalArgumentException(
            "candidate ranks must be at least 2 (rank 1 is the population limit), got "
                + ranks.get(i));
      }
      if (i > 0 && ranks.get(i) <= ranks.get(i - 1)) {
        throw new IllegalArgumentException("candidate ranks must ascend: " + ranks);
      }
    }
    if (strengths.isEmpty()) {
      throw new IllegalArgumentException("at least one finite candidate strength is needed");
    }
    for (int i = 0; i < strengths.size(); i++) {
      double v = strengths.get(i);
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "candidate strengths must be positive and finite (infinity is always a candidate),"
                + " got "
                + v);
      }
      if (i > 0 && v >= strengths.get(i - 1)) {
        throw new IllegalArgumentException("candidate strengths must descend: " + strengths);
      }
    }
    if (folds < 2) {
      throw new IllegalArgumentException("folds must be at least 2, got " + folds);
    }
    if (pathSteps < 1) {
      throw new IllegalArgumentException("path steps must be at least 1, got " + pathSteps);
    }
    for (int i = 0; i < newUserStrengths.size(); i++) {
      double v = newUserStrengths.get(i);
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "new-user prior factors must be positive and finite (infinity and 0 are always"
                + " candidates), got "
                + v);
      }
      if (i > 0 && v >= newUserStrengths.get(i - 1)) {
        throw new IllegalArgumentException(
            "new-user prior factors must descend: " + newUserStrengths);
      }
    }
    if (fewShotPairs < 1) {
      throw new IllegalArgumentException("few-shot pairs must be at least 1, got " + fewShotPairs);
    }
    for (int i = 0; i < learningRates.size(); i++) {
      double v = learningRates.get(i);
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "candidate learning rates must be positive and finite, got " + v);
      }
      if (learningRates.indexOf(v) != i) {
        throw new IllegalArgumentException(
            "candidate learning rates must not repeat: " + learningRates);
      }
    }
  }

  /**
   * The record's text, without {@code learningRates} when there are none: the experiments'
   * fingerprints of their recorded settings contain it, and stay what they were.
   */
  @Override
  public String toString() {
    return "SelectionConfig[ranks="
        + ranks
        + ", strengths="
        + strengths
        + ", folds="
        + folds
        + ", pathSteps="
        + pathSteps
        + ", oneStandardError="
        + oneStandardError
        + ", newUserStrengths="
        + newUserStrengths
        + ", fewShotPairs="
        + fewShotPairs
        + (learningRates.isEmpty() ? "" : ", learningRates=" + learningRates)
        + "]";
  }

  private static final List<Double> DEFAULT_NEW_USER =
      List.of(10.0, 3.0, 1.0, 0.3, 0.1, 0.03, 0.01);

  /**
   * The defaults: ranks 2, 5, 10; strengths 30 down to 0.03; 3 folds; 20 steps each; the 1-SE rule;
   * new-user prior factors 10 down to 0.01 with 9 pairs per held-out user; the base configuration's
   * learning rate.
   */
  public static SelectionConfig defaults() {
    return new SelectionConfig(
        List.of(2, 5, 10),
        List.of(30.0, 10.0, 3.0, 1.0, 0.3, 0.1, 0.03),
        3,
        20,
        true,
        DEFAULT_NEW_USER,
        9,
        List.of());
  }

  /** This configuration with other candidate ranks. */
  public SelectionConfig withRanks(List<Integer> v) {
    return new SelectionConfig(
        v,
        strengths,
        folds,
        pathSteps,
        oneStandardError,
        newUserStrengths,
        fewShotPairs,
        learningRates);
  }

  /** This configuration with other candidate strengths. */
  public SelectionConfig withStrengths(List<Double> v) {
    return new SelectionConfig(
        ranks,
        v,
        folds,
        pathSteps,
        oneStandardError,
        newUserStrengths,
        fewShotPairs,
        learningRates);
  }

  /** This configuration with another number of folds. */
  public SelectionConfig withFolds(int v) {
    return new SelectionConfig(
        ranks,
        strengths,
        v,
        pathSteps,
        oneStandardError,
        newUserStrengths,
        fewShotPairs,
        learningRates);
  }

  /** This configuration with another number of steps per strength. */
  public SelectionConfig withPathSteps(int v) {
    return new SelectionConfig(
        ranks,
        strengths,
        folds,
        v,
        oneStandardError,
        newUserStrengths,
        fewShotPairs,
        learningRates);
  }

  /** This configuration with or without the one-standard-error rule. */
  public SelectionConfig withOneStandardError(boolean v) {
    return new SelectionConfig(
        ranks, strengths, folds, pathSteps, v, newUserStrengths, fewShotPairs, learningRates);
  }

  /** This configuration with another number of pairs per held-out user for the new-user prior. */
  public SelectionConfig withFewShotPairs(int v) {
    return new SelectionConfig(
        ranks, strengths, folds, pathSteps, oneStandardError, newUserStrengths, v, learningRates);
  }

  /** This configuration with other candidate factors of the new users' prior. */
  public SelectionConfig withNewUserStrengths(List<Double> v) {
    return new SelectionConfig(
        ranks, strengths, folds, pathSteps, oneStandardError, v, fewShotPairs, learningRates);
  }

  /** This configuration with other candidate learning rates of the basis (empty: the base's). */
  public SelectionConfig withLearningRates(List<Double> v) {
    return new SelectionConfig(
        ranks, strengths, folds, pathSteps, oneStandardError, newUserStrengths, fewShotPairs, v);
  }
}
