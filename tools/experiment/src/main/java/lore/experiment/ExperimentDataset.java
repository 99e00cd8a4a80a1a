package lore.experiment;

/**
 * A source of random {@link Split}s: {@link SyntheticDataset} (a new generator seed per split),
 * {@link PersonalLlmDataset} (a new user population per split) or {@link ItemSplitDataset} (item-
 * or prompt-disjoint splits of one {@link lore.PreferenceData}).
 */
public interface ExperimentDataset {

  /**
   * One line naming the dataset and every setting that changes its splits. The experiment stores it
   * in the results file and refuses to resume into results of another description.
   */
  String description();

  /**
   * Draws split {@code index}. Deterministic in {@code (index, seed)}; may allocate the item table
   * (the synthetic generator does).
   *
   * @param seed seed of every random choice of this split
   * @param fewShotPairs few-shot pairs wanted per unseen user (the largest k of the experiment);
   *     users may get fewer when fewer are available
   * @param validationFraction fraction of the seen users' training prompts or items held out for
   *     rank selection, in (0, 1)
   */
  Split split(int index, long seed, int fewShotPairs, double validationFraction);

  /**
   * The dataset's fixed, non-personalized reference reward of every row of {@code items} (the item
   * table of one of its splits), for the {@code ref} method; null when the dataset has none or
   * {@code items} is not one of its tables. Default: none.
   */
  default float[] referenceReward(float[] items) {
    return null;
  }

  /**
   * The ids of the rows of the item table every split is over (e.g. joke or movie ids), or null
   * when items are named by row. Default: null.
   */
  default java.util.List<String> itemIds() {
    return null;
  }

  /** Whether {@link #referenceReward} can answer (for {@code ref}). Default: false. */
  default boolean hasReferenceReward() {
    return false;
  }

  /**
   * Group of every item of {@code data} (one of this dataset's training sets) for item-disjoint
   * cross-validation folds ({@link lore.ModelSelection#select(lore.PreferenceData, int[])}), so
   * that held-out pairs are new in the way this dataset's test pairs are: the item itself by
   * default, the prompt for datasets with prompts; null for datasets split by comparison (folds per
   * user's pairs).
   */
  default int[] foldGroups(lore.PreferenceData data) {
    int[] g = new int[data.itemCount()];
    for (int i = 0; i < g.length; i++) {
      g[i] = i;
    }
    return g;
  }

  /**
   * What rank selection holds out of the seen users' training data, for the report: {@code
   * "training prompts (items)"} unless a dataset splits otherwise.
   */
  default String validationUnit() {
    return "training prompts (items)";
  }
}
