package lore.cli;

import java.util.List;
import lore.SelectionConfig;
import picocli.CommandLine.Option;

/**
 * The cross-validated model selection of the default LoRe ({@link lore.ModelSelection}), shared by
 * {@code train}, {@code demo} and {@code experiment}.
 */
final class SelectionOptions {
  @Option(
      names = "--cv-ranks",
      split = ",",
      paramLabel = "B",
      description =
          "Candidate ranks of the cross-validated selection (default: 2,5,10; rank 1, the BT"
              + " limit, is always a candidate; ranks above the embedding dimension are left out).")
  List<Integer> ranks;

  @Option(
      names = "--cv-strengths",
      split = ",",
      paramLabel = "LAMBDA",
      description =
          "Candidate prior strengths, descending (default: 30,10,3,1,0.3,0.1,0.03; infinity, the"
              + " BT limit, is always a candidate).")
  List<Double> strengths;

  @Option(
      names = "--cv-folds",
      paramLabel = "K",
      description = "Cross-validation folds (default: 3).")
  Integer folds;

  @Option(
      names = "--cv-path-steps",
      paramLabel = "N",
      description = "Training steps per strength of the selection's path (default: 20).")
  Integer pathSteps;

  @Option(
      names = "--cv-learning-rates",
      split = ",",
      paramLabel = "LR",
      description =
          "Candidate Adam step sizes of the basis, the preferred first (default: only --lr's):"
              + " the cross-validation runs once per step size and keeps the best (the first"
              + " within one standard error of it). Costs one cross-validation each. Worth it when"
              + " the embeddings' scale is far from MiniLM's, e.g. one-hot items: 0.5,8.")
  List<Double> learningRates;

  /**
   * Fails when a {@code --cv-} option was given to a run without the selection: ignoring it would
   * train another model than the one asked for.
   */
  void requireNone(String alternative) {
    String given = null;
    if (ranks != null) {
      given = "--cv-ranks";
    } else if (strengths != null) {
      given = "--cv-strengths";
    } else if (folds != null) {
      given = "--cv-folds";
    } else if (pathSteps != null) {
      given = "--cv-path-steps";
    } else if (learningRates != null) {
      given = "--cv-learning-rates";
    }
    if (given != null) {
      throw new IllegalArgumentException(
          given
              + " sets the cross-validated selection, which --no-selection skips; "
              + alternative);
    }
  }

  /** The defaults with the options given applied. */
  SelectionConfig config() {
    SelectionConfig c = SelectionConfig.defaults();
    if (ranks != null) {
      c = c.withRanks(ranks);
    }
    if (strengths != null) {
      c = c.withStrengths(strengths);
    }
    if (folds != null) {
      c = c.withFolds(folds);
    }
    if (learningRates != null) {
      c = c.withLearningRates(learningRates);
    }
    return pathSteps != null ? c.withPathSteps(pathSteps) : c;
  }
}
