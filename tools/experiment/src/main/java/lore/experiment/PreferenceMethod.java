package lore.experiment;

import lore.PreferenceData;

/**
 * One method of the paper's comparison (ref, BT, LoRe, LoRe-MLP, PAL-A, PAL-B, VPL), trained on the
 * same frozen item embeddings. The experiment protocol owns splits and metrics; a method only
 * trains, adapts to new users and produces margins.
 */
public interface PreferenceMethod {

  /** Short name for tables and plots, e.g. {@code "LoRe"} or {@code "PAL-A"}. */
  String name();

  /**
   * Trains on the seen users' training pairs.
   *
   * @param train seen users' pairs (item table shared with every other split)
   * @param seed seed of every random choice of the method
   */
  Trained train(PreferenceData train, long seed);

  /**
   * Trains on the seen users' training pairs of a dataset whose item groups for cross-validation
   * folds are {@code foldGroups} ({@link ExperimentDataset#foldGroups}). Default: {@link
   * #train(PreferenceData, long)}.
   */
  default Trained train(PreferenceData train, long seed, int[] foldGroups) {
    return train(train, seed);
  }

  /** A trained method. Not thread-safe. */
  interface Trained {

    /**
     * Adapts to new users from their few-shot pairs (for methods that cannot, e.g. BT or ref, a
     * no-op that still makes the users known). May be called several times (e.g. for each k of the
     * few-shot curve); each call replaces earlier adaptations of the same users.
     */
    void adapt(PreferenceData fewShot, long seed);

    /**
     * One margin per pair of {@code test}, in pair order: positive when the method prefers the
     * chosen item for that pair's user. Users must be seen users or adapted new users.
     */
    float[] margins(PreferenceData test);

    /** Learned parameters, counted from the actual model (paper Table 6 / Figure 3). */
    long parameterCount();

    /** The rank the method chose for itself (e.g. by cross-validation), or 0. */
    default int chosenRank() {
      return 0;
    }

    /** One line on what the method chose for itself, for the report; empty when nothing. */
    default String selection() {
      return "";
    }

    /** Every candidate of the method's own cross-validated selection; empty when none. */
    default java.util.List<CvScore> selectionScores() {
      return java.util.List.of();
    }
  }
}
