package lore.tools;

import lore.FitConfig;
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

  @Option(
      names = "--prior",
      paramLabel = "LAMBDA",
      defaultValue = "0",
      description =
          "Few-shot fitting: strength of a Gaussian prior pulling new users towards the mean seen"
              + " user's weights (FitConfig.priorStrength; default: 0, the paper's Eq. 11).")
  double prior;

  /** The number of training threads: {@code --threads} or the available processors. */
  int threads() {
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (t < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + t);
    }
    return t;
  }

  /** The preset with these options applied; {@code seed} null keeps the preset's seed. */
  TrainConfig.Builder builder(Long seed) {
    TrainConfig base = paperOptimizer ? TrainConfig.paper() : TrainConfig.defaults();
    TrainConfig.Builder b = base.toBuilder().rank(rank).threads(threads());
    if (steps != null) {
      b.steps(steps);
    }
    if (seed != null) {
      b.seed(seed);
    }
    return b;
  }

  /** The few-shot fitting preset matching {@code --paper-optimizer}. */
  FitConfig fitConfig() {
    if (paperOptimizer && prior != 0) {
      throw new IllegalArgumentException("--prior applies to the Newton solver, not --paper-optimizer");
    }
    return paperOptimizer ? FitConfig.paper() : FitConfig.defaults().withPriorStrength(prior);
  }
}
