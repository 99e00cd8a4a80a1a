package lore.cli;

import lore.TrainConfig;
import lore.experiment.ActiveLearning;
import lore.experiment.ExperimentDataset;
import picocli.CommandLine.Option;

/** The options {@code ask} and {@code active} share: how many questions, from how many pairs. */
final class ColdStartOptions {
  @Option(
      names = "--questions",
      defaultValue = "20",
      paramLabel = "K",
      description = "Questions asked of each new user (default: ${DEFAULT-VALUE}).")
  int questions;

  @Option(
      names = "--pool",
      defaultValue = "40",
      paramLabel = "N",
      description =
          "Few-shot pairs drawn per unseen user, the pool questions are chosen from; users with"
              + " fewer than --questions are left out (default: ${DEFAULT-VALUE}).")
  int pool;

  @Option(
      names = "--no-selection",
      description =
          "Train the configuration as given (--rank, the paper's Eq. 10) instead of the default"
              + " LoRe (rank and prior strengths by cross-validation): faster at paper scale.")
  boolean noSelection;

  /**
   * Checks these options, and that {@code train} can be cross-validated unless {@code
   * --no-selection} asks for its configuration as given.
   */
  void check(TrainOptions train) {
    if (!noSelection) {
      train.requireNoFixedRank("add --no-selection to train that rank as given");
      train.requireSelectable("add --no-selection");
    }
    if (questions < 1) {
      throw new IllegalArgumentException("--questions must be at least 1, got " + questions);
    }
    if (pool < questions) {
      throw new IllegalArgumentException(
          "--pool " + pool + " must be at least --questions " + questions);
    }
  }

  /** The cold-start experiment of these options over {@code splits} splits of {@code dataset}. */
  ActiveLearning.Config config(
      ExperimentDataset dataset,
      int splits,
      long seed,
      TrainConfig train,
      SelectionOptions selection) {
    return new ActiveLearning.Config(
        dataset, splits, seed, questions, pool, train, noSelection ? null : selection.config());
  }
}
