package lore.tools.experiment.methods;

import lore.FitConfig;
import lore.PreferenceData;
import lore.TrainConfig;
import lore.Trainer;
import lore.tools.experiment.PreferenceMethod;

/**
 * The monolithic Bradley-Terry reward model of the paper: LoRe at rank 1, a learnable linear map
 * {@code r(e) = a . e} shared by all users. Unseen users get {@code w = [1]} and no fitting, as in
 * the reference code (section 1.6 of the reference notes). Parameter count: d.
 */
public final class BtMethod implements PreferenceMethod {
  private final TrainConfig config;

  private BtMethod(TrainConfig config) {
    this.config = config.toBuilder().rank(1).build();
  }

  /** The engine trainer with {@code config} at rank 1 (the rank given is ignored). */
  public static BtMethod create(TrainConfig config) {
    return new BtMethod(config);
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
        new Trainer(config.toBuilder().seed(seed).build()).train(train), FitConfig.defaults(),
        true);
  }
}
