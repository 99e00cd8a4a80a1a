package lore.tools.experiment.methods;

import java.util.Objects;
import java.util.concurrent.Executor;
import lore.FitConfig;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.UserWeights;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.tools.experiment.PreferenceMethod;

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
    return create(TrainConfig.builder().rank(rank).build(), FitConfig.defaults());
  }

  @Override
  public String name() {
    return "LoRe";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    RewardModel model =
        new Trainer(config.toBuilder().seed(seed).build()).executor(executor).train(train);
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
      if (fixedUnitWeight) {
        return; // rank 1: every user's weight is [1]
      }
      FitConfig f = new FitConfig(
          fit.method(), fit.tolerance(), fit.maxIterations(), fit.learningRate(), seed);
      model = model.withFittedUsers(fewShot, f);
    }

    @Override
    public float[] margins(PreferenceData test) {
      return margins(model, test, fixedUnitWeight);
    }

    @Override
    public long parameterCount() {
      return parameterCount;
    }

    @Override
    public String toString() {
      return "LoRe[" + seenModel + "]";
    }

    static float[] margins(RewardModel model, PreferenceData test, boolean unitWeight) {
      if (test.dim() != model.dim()) {
        throw new IllegalArgumentException(
            "test embedding dim " + test.dim() + " != model dim " + model.dim());
      }
      int k = model.rank();
      int d = model.dim();
      int[] items = Support.referencedItems(test);
      int[] pos = Support.positions(test.itemCount(), items);
      Kernels kernels = KernelProvider.get();
      float[] z = new float[items.length * k];
      float[] scratch = new float[Kernels.SCRATCH_FLOATS];
      int chunk = 1024;
      for (int from = 0; from < items.length; from += chunk) {
        int n = Math.min(chunk, items.length - from);
        float[] x = Support.gather(test.items(), d, items, from, n);
        kernels.project(x, 0, n, d, model.basis(), k, z, from * k, scratch);
      }
      float[] out = new float[test.pairCount()];
      for (int u = 0; u < test.userCount(); u++) {
        UserWeights w = unitWeight ? UserWeights.uniform(1) : model.weights(test.userId(u));
        for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
          int c = pos[test.chosen(p)] * k;
          int r = pos[test.rejected(p)] * k;
          double m = 0;
          for (int b = 0; b < k; b++) {
            m += (double) w.get(b) * (z[c + b] - z[r + b]);
          }
          out[p] = (float) m;
        }
      }
      return out;
    }
  }
}
