package lore.cli;

import lore.TrainConfig;
import picocli.CommandLine.Option;

/** Training options shared by {@code demo} and {@code train}. */
final class TrainOptions {
  @Option(
      names = "--rank",
      defaultValue = "10",
      paramLabel = "B",
      description = "Rank B: the number of basis rewards (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Optimizer steps (default: 100, or 1000"
              + " with --paper-optimizer, as TrainConfig.defaults() and TrainConfig.paper()).")
  Integer steps;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Training threads (default: the available processors).")
  Integer threads;

  @Option(
      names = "--paper-optimizer",
      description =
          "Use the reference code's optimizers (TrainConfig.paper(), FitConfig.paper()): Adam on"
              + " softmax logits.")
  boolean paperOptimizer;

  /** The number of training threads: {@code --threads} or the available processors. */
  int threads() {
    return Inputs.threads(threads, "--threads");
  }

  /** The preset with these options applied; {@code seed} null keeps the preset's seed. */
  TrainConfig config(Long seed) {
    TrainConfig c = (paperOptimizer ? TrainConfig.paper() : TrainConfig.defaults())
        .withRank(rank)
        .withThreads(threads());
    if (steps != null) {
      c = c.withSteps(steps);
    }
    return seed != null ? c.withSeed(seed) : c;
  }
}
