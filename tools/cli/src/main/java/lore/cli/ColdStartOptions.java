package lore.cli;

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

  void check() {
    if (questions < 1) {
      throw new IllegalArgumentException("--questions must be at least 1, got " + questions);
    }
    if (pool < questions) {
      throw new IllegalArgumentException(
          "--pool " + pool + " must be at least --questions " + questions);
    }
  }
}
