package lore.cli;

import lore.TrainConfig;
import picocli.CommandLine.Option;

/** Training options shared by {@code demo} and {@code train}. */
final class TrainOptions {
  @Option(
      names = "--rank",
      paramLabel = "B",
      description =
          "A fixed rank B, the number of basis rewards, for the paper's objective: train"
              + " --no-selection, or experiment's LoRe-Eq10 with --rank-grid none (default: 10)."
              + " The default LoRe chooses its rank by cross-validation (--cv-ranks).")
  Integer rank;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Optimizer steps (default: 100, or 1000"
              + " with --paper-optimizer, as TrainConfig.defaults() and TrainConfig.paper()).")
  Integer steps;

  @Option(
      names = {"--learning-rate", "--lr"},
      paramLabel = "LR",
      description =
          "Adam step size of the basis (default: 0.5, as both presets). Adam moves each basis"
              + " coordinate by about LR per step, so how far the steps reach depends on the"
              + " embeddings' scale: on one-hot or few-dimensional embeddings (zappos5) the default"
              + " under-fits and a larger LR helps, on MiniLM embeddings (jester5k) it lost."
              + " Choose it on held-out training data, not on the test pairs.")
  Double learningRate;

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
      names = "--storage",
      paramLabel = "FORMAT",
      description =
          "float32 or bf16: number format of the training rows each pass reads (default: float32)."
              + " bf16 halves the bytes per pass and the difference table's memory; arithmetic"
              + " stays float32.")
  String storage;

  /** {@code --storage} as a {@link TrainConfig.Storage}; absent is the preset's float32. */
  TrainConfig.Storage storage() {
    if (storage == null) {
      return TrainConfig.Storage.FLOAT32;
    }
    return switch (storage.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "float32", "fp32", "f32" -> TrainConfig.Storage.FLOAT32;
      case "bf16", "bfloat16" -> TrainConfig.Storage.BFLOAT16;
      default ->
          throw new IllegalArgumentException(
              "--storage " + storage + " is not a storage format: use float32 or bf16");
    };
  }

  /** The number of training threads: {@code --threads} or the available processors. */
  int threads() {
    return Inputs.threads(threads, "--threads");
  }

  /**
   * Fails when {@code --rank} was given to a run whose rank the cross-validated selection chooses:
   * silently ignoring a fixed rank would train another model than the one asked for.
   */
  void requireNoFixedRank(String alternative) {
    if (rank != null) {
      throw new IllegalArgumentException(
          "--rank "
              + rank
              + " fixes the rank, which cross-validation chooses here; "
              + alternative);
    }
  }

  /**
   * Fails when {@code --paper-optimizer} was given to a run of the cross-validated selection, which
   * keeps weights on the simplex by projection and cannot train the reference code's softmax
   * weights.
   */
  void requireSelectable(String alternative) {
    if (paperOptimizer) {
      throw new IllegalArgumentException(
          "--paper-optimizer trains the paper's objective at a fixed rank with softmax weights,"
              + " which the default LoRe's cross-validated selection does not do; "
              + alternative);
    }
  }

  /** The preset with these options applied; {@code seed} null keeps the preset's seed. */
  TrainConfig config(Long seed) {
    TrainConfig c =
        (paperOptimizer ? TrainConfig.paper() : TrainConfig.defaults())
            .withRank(rank != null ? rank : 10)
            .withThreads(threads())
            .withStorage(storage());
    if (steps != null) {
      c = c.withSteps(steps);
    }
    if (learningRate != null) {
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException(
            "--learning-rate " + learningRate + " must be positive and finite");
      }
      c = c.withLearningRate(learningRate);
    }
    return seed != null ? c.withSeed(seed) : c;
  }
}
