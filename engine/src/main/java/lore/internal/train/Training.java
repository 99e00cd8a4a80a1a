package lore.internal.train;

import java.util.Objects;
import lore.RewardModel;
import lore.TrainConfig;
import lore.TrainListener;
import lore.Trainer;

/**
 * The trainer's driver over users held elsewhere: the Spark module trains through this, so that a
 * cluster run and a single-machine run share one driver loop (initialization, basis optimizer,
 * prior, population start, model and metadata) and differ only in where {@link UserBlock}s run.
 * {@link Trainer} registers itself here when its class is initialized. Internal; not API.
 */
public final class Training {
  /** {@link Trainer}'s package-private entry point. */
  public interface Entry {
    RewardModel train(TrainConfig config, UserSide.Source source, TrainListener listener);
  }

  private static volatile Entry entry;

  private Training() {}

  /** Called once, by {@link Trainer}'s class initializer. */
  public static void register(Entry e) {
    if (entry != null) {
      throw new IllegalStateException("the trainer is already registered");
    }
    entry = Objects.requireNonNull(e);
  }

  /**
   * Trains {@code config} on the users of {@code source} exactly as {@link Trainer#train} does on
   * data of this process.
   *
   * @param listener progress after every step, or null
   */
  public static RewardModel train(
      TrainConfig config, UserSide.Source source, TrainListener listener) {
    Trainer.kernelsName(); // initializes Trainer, which registers its entry
    return entry.train(config, source, listener);
  }
}
