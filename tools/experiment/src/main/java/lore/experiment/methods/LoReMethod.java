package lore.experiment.methods;

import java.util.Objects;
import java.util.concurrent.Executor;
import lore.Evaluation;
import lore.FitConfig;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.UserWeights;
import lore.experiment.PreferenceMethod;

/**
 * LoRe with a linear basis (paper Example 1, Eq. 8): the engine's {@link Trainer} at rank B, new
 * users fitted with the basis frozen by {@link RewardModel#withFittedUsers} (Eq. 11). Margins are
 * {@code w_u . A (e_c - e_r)}, without the logit scale (the sign is what the protocol reads, as in
 * the reference evaluation).
 *
 * <p>Parameter count: {@code B d + N B} for N seen users (paper Table 6); adapted users are not
 * counted.
 */
public final class LoReMethod implements PreferenceMethod {
  private final TrainConfig config;
  private final FitConfig fit;
  private final Executor executor;

  private LoReMethod(TrainConfig config, FitConfig fit, Executor executor) {
    this.config = Objects.requireNonNull(config, "config");
    this.fit = Objects.requireNonNull(fit, "fit");
    this.executor = executor;
  }

  /**
   * @param config training configuration, including the rank B; its seed is replaced by the seed of
   *     {@link #train}
   * @param fit few-shot fitting configuration (e.g. {@link FitConfig#defaults()} or {@link
   *     FitConfig#paper()})
   */
  public static LoReMethod create(TrainConfig config, FitConfig fit) {
    return new LoReMethod(config, fit, null);
  }

  /**
   * As {@link #create(TrainConfig, FitConfig)}, training the {@code config.threads()} partitions
   * on {@code executor} (not shut down here; null for the calling thread). The model is bitwise
   * identical to the one trained without an executor at the same thread count.
   */
  public static LoReMethod create(TrainConfig config, FitConfig fit, Executor executor) {
    return new LoReMethod(config, fit, executor);
  }

  /** The engine's defaults at rank B, with the default few-shot solver. */
  public static LoReMethod withRank(int rank) {
    return create(TrainConfig.defaults().withRank(rank), FitConfig.defaults());
  }

  @Override
  public String name() {
    return "LoRe";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    RewardModel model =
        new Trainer(config.withSeed(seed)).executor(executor).train(train);
    return new LinearTrained(model, fit, false);
  }

  /** A trained linear model; shared with {@link BtMethod}. */
  static final class LinearTrained implements Trained {
    private final RewardModel seenModel;
    private final FitConfig fit;
    private final boolean fixedUnitWeight;
    private final long parameterCount;
    private RewardModel model;

    LinearTrained(RewardModel model, FitConfig fit, boolean fixedUnitWeight) {
      this.seenModel = model;
      this.model = model;
      this.fit = fit;
      this.fixedUnitWeight = fixedUnitWeight;
      long bd = (long) model.rank() * model.dim();
      this.parameterCount = fixedUnitWeight ? bd : bd + (long) model.userCount() * model.rank();
    }

    /** The current model (seen users plus adapted ones). */
    RewardModel model() {
      return model;
    }

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      // at rank 1 (BT) the fit is [1] for everyone: the new users are added with that weight
      model = model.withFittedUsers(fewShot, fit.withSeed(seed));
    }

    @Override
    public float[] margins(PreferenceData test) {
      return margins(model, test);
    }

    @Override
    public long parameterCount() {
      return parameterCount;
    }

    @Override
    public String toString() {
      return "LoRe[" + seenModel + "]";
    }

    static float[] margins(RewardModel model, PreferenceData test) {
      double[] m = Evaluation.margins(model, test);
      float[] out = new float[m.length];
      for (int p = 0; p < m.length; p++) {
        out[p] = (float) m[p];
      }
      return out;
    }
  }
}
