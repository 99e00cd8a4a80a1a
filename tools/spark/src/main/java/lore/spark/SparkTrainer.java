package lore.spark;

import java.util.Objects;
import lore.RewardModel;
import lore.TrainConfig;
import lore.TrainListener;
import lore.Trainer;
import lore.internal.train.Training;
import lore.internal.train.UserSide;

/**
 * Trains a LoRe model on Spark: the same model, objective and driver as {@link Trainer} (the
 * engine's driver loop runs here, on the Spark driver), with the users' half of every pass in the
 * partitions of {@link SparkPairs}. Every pass broadcasts the basis, solves every user exactly in
 * the partition that holds the user's pairs, tree-aggregates the partial basis gradients and takes
 * the basis step on the driver. The model is an ordinary model: save it and score or fit new users
 * on one machine.
 *
 * <p>Runs the ALTERNATING optimizer with the weights projected on the simplex (the engine's
 * default): the ADAM optimizer keeps per-user moments that a pass does not carry. {@link
 * TrainConfig#threads()} is ignored: Spark runs one task per partition and core. Results agree with
 * {@link Trainer} on the same data up to the order floats are summed in (with one partition the
 * users' arithmetic is the same), and are the same for a given partitioning however Spark schedules
 * or retries the tasks. Not thread-safe.
 */
public final class SparkTrainer {
  /** Passes between checkpoints of the users' parameters (cuts the lineage). */
  public static final int CHECKPOINT_INTERVAL = 10;

  private final TrainConfig config;
  private TrainListener listener;

  /**
   * A trainer for {@code config}.
   *
   * @throws IllegalArgumentException for the ADAM optimizer or softmax weights
   */
  public SparkTrainer(TrainConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.optimizer() != TrainConfig.Optimizer.ALTERNATING
        || config.simplex() != TrainConfig.Simplex.PROJECTION) {
      throw new IllegalArgumentException(
          "the Spark trainer runs the ALTERNATING optimizer with PROJECTION weights (users"
              + " solved exactly in their partitions); got "
              + config.optimizer()
              + " with "
              + config.simplex());
    }
    new Trainer(config); // the trainer's own checks
  }

  /** Receives progress after every step. */
  public SparkTrainer listener(TrainListener listener) {
    this.listener = listener;
    return this;
  }

  /**
   * Trains on {@code data}. The driver holds the basis and, at the end, every user's weights.
   *
   * @throws IllegalArgumentException if the rank exceeds the embedding dimension
   */
  public RewardModel train(SparkPairs data) {
    Objects.requireNonNull(data, "data");
    java.util.List<SparkUsers> opened = new java.util.ArrayList<>();
    UserSide.Source source =
        new UserSide.Source() {
          @Override
          public int dim() {
            return data.dim;
          }

          @Override
          public UserSide open(TrainConfig c) {
            SparkUsers users = new SparkUsers(data, c, CHECKPOINT_INTERVAL);
            opened.add(users);
            return users;
          }
        };
    try {
      return Training.train(config, source, listener);
    } finally {
      opened.forEach(SparkUsers::release);
    }
  }
}
