package lore.experiment.methods;

import java.util.concurrent.Executor;
import lore.FitConfig;
import lore.PreferenceData;
import lore.TrainConfig;
import lore.Trainer;
import lore.experiment.PreferenceMethod;

/**
 * The monolithic Bradley-Terry reward model of the paper: LoRe at rank 1, a learnable linear map
 * {@code r(e) = a . e} shared by all users. Unseen users get {@code w = [1]} and no fitting, as in
 * the LoRe reference code, which fits no new user at rank 1 or below. Parameter count: d.
 */
public final class BtMethod implements PreferenceMethod {
  private final TrainConfig config;
  private final Executor executor;

  private BtMethod(TrainConfig config, Executor executor) {
    this.config = config.withRank(1).withPriorStrength(0).withInit(TrainConfig.Init.RANDOM);
    this.executor = executor;
  }

  /** The engine trainer with {@code config} at rank 1 (the rank given is ignored). */
  public static BtMethod create(TrainConfig config) {
    return new BtMethod(config, null);
  }

  /**
   * As {@link #create(TrainConfig)}, training the {@code config.threads()} partitions on {@code
   * executor} (not shut down here; null for the calling thread); bitwise identical to training
   * without an executor at the same thread count.
   */
  public static BtMethod create(TrainConfig config, Executor executor) {
    return new BtMethod(config, executor);
  }

  /** The engine's default training at rank 1. */
  public static BtMethod defaults() {
    return create(TrainConfig.defaults());
  }

  @Override
  public String name() {
    return "BT";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    return new LoReMethod.LinearTrained(
        new Trainer(config.withSeed(seed)).executor(executor).train(train),
        FitConfig.defaults().withPrior(FitConfig.Prior.NONE), // rank 1: every weight is [1]
        true);
  }
}
