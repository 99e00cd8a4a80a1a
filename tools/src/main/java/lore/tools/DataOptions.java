package lore.tools;

import lore.datasets.SyntheticConfig;
import picocli.CommandLine.Option;

/** Options of the synthetic PersonalLLM-style data shared by {@code demo} and {@code generate}. */
final class DataOptions {
  @Option(
      names = "--dim",
      defaultValue = "4096",
      paramLabel = "D",
      description = "Embedding dimension (default: ${DEFAULT-VALUE}, the paper's).")
  int dim;

  @Option(
      names = "--seen",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Seen (training) users (default: ${DEFAULT-VALUE}).")
  int seen;

  @Option(
      names = "--unseen",
      defaultValue = "1000",
      paramLabel = "N",
      description = "Unseen (few-shot) users (default: ${DEFAULT-VALUE}).")
  int unseen;

  @Option(
      names = "--few-shot",
      defaultValue = "9",
      paramLabel = "K",
      description = "Few-shot pairs per unseen user (default: ${DEFAULT-VALUE}).")
  int fewShot;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of the data (and of training in demo); default: the presets' seeds.")
  Long seed;

  /** The paper-scale configuration for {@code alpha} with these options applied. */
  SyntheticConfig config(double alpha) {
    SyntheticConfig c =
        SyntheticConfig.paperScale(alpha)
            .withDim(dim)
            .withUsers(seen, unseen)
            .withFewShotPairs(fewShot);
    return seed == null ? c : c.withSeed(seed);
  }
}
