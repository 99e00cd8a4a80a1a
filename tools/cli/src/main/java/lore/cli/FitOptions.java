package lore.cli;

import java.util.Locale;
import lore.FitConfig;
import picocli.CommandLine.Option;

/**
 * Options of fitting new users, shared by {@code demo}, {@code experiment} and {@code fit-user}.
 */
final class FitOptions {
  private FitConfig.Prior prior = FitConfig.Prior.MODEL;
  private double strength;

  @Option(
      names = "--prior",
      paramLabel = "PRIOR",
      defaultValue = "model",
      description =
          "Few-shot fitting of new users: model (the model's empirical-Bayes prior, the seen"
              + " users' spread; the default), none (the paper's Eq. 11), or a number LAMBDA (a"
              + " hand-set prior pulling towards the mean seen user) (default: ${DEFAULT-VALUE}).")
  void prior(String value) {
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "model" -> prior = FitConfig.Prior.MODEL;
      case "none" -> prior = FitConfig.Prior.NONE;
      default -> {
        double lambda;
        try {
          lambda = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
          lambda = Double.NaN;
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
          throw new IllegalArgumentException(
              "--prior must be model, none or a finite number >= 0, got " + value);
        }
        prior = lambda == 0 ? FitConfig.Prior.NONE : FitConfig.Prior.MEAN;
        strength = lambda;
      }
    }
  }

  /** The few-shot preset: the reference code's Adam with {@code paperOptimizer}, else Newton. */
  FitConfig fitConfig(boolean paperOptimizer) {
    if (paperOptimizer && prior != FitConfig.Prior.MODEL) {
      throw new IllegalArgumentException(
          "--prior applies to the Newton solver, not --paper-optimizer");
    }
    return paperOptimizer
        ? FitConfig.paper()
        : FitConfig.defaults().withPrior(prior).withPriorStrength(strength);
  }
}
