package lore.cli;

import lore.FitConfig;
import picocli.CommandLine.Option;

/** Options of fitting new users, shared by {@code demo}, {@code experiment} and {@code fit-user}. */
final class FitOptions {
  private double prior;

  @Option(
      names = "--prior",
      paramLabel = "LAMBDA",
      defaultValue = "0",
      description =
          "Few-shot fitting: strength of a Gaussian prior pulling new users towards the mean seen"
              + " user's weights (FitConfig.priorStrength; default: 0, the paper's Eq. 11).")
  void prior(double lambda) {
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("--prior must be a finite value >= 0, got " + lambda);
    }
    prior = lambda;
  }

  /** The few-shot preset: the reference code's Adam with {@code paperOptimizer}, else Newton. */
  FitConfig fitConfig(boolean paperOptimizer) {
    if (paperOptimizer && prior != 0) {
      throw new IllegalArgumentException("--prior applies to the Newton solver, not --paper-optimizer");
    }
    return paperOptimizer ? FitConfig.paper() : FitConfig.defaults().withPriorStrength(prior);
  }
}
