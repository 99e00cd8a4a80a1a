package lore.bench;

import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.internal.kernel.KernelProvider;

/** Engine objects for the end-to-end benchmarks, built through the public API only. */
final class EngineModels {
  private EngineModels() {}

  /**
   * Makes the engine's process-wide kernel choice {@code want} ({@code panama} or {@code scalar}).
   * {@code RewardModel}, {@code FewShotFitter} and {@code PersonalReward} take their kernels from
   * {@code KernelProvider.get()}, which reads {@code -Dlore.kernels} once per JVM; JMH forks a JVM
   * per parameter combination, so setting the property before the first engine call picks the
   * implementation per trial.
   *
   * @throws IllegalStateException if the provider already chose something else in this JVM
   */
  static void selectKernels(String want) {
    if (System.getProperty("lore.kernels") == null) {
      System.setProperty("lore.kernels", want);
    }
    String got = KernelProvider.get().name();
    if (!got.startsWith(want)) {
      throw new IllegalStateException(
          "this JVM's engine kernels are "
              + got
              + ", the trial wants "
              + want
              + ": run forked (-f 1 or more), or pass -Dlore.kernels="
              + want);
    }
  }

  /**
   * A small model of dimension d and rank B, trained for one step on random preferences (public
   * API: {@code Trainer} with {@code steps(1)}): its basis is what the few-shot fitter and the
   * scorer use; its quality does not matter for timing.
   */
  static RewardModel tiny(int d, int rank) {
    var rnd = new SplittableRandom(Inputs.SEED);
    int items = 64;
    float[] table = Inputs.uniform(rnd, (long) items * d);
    PreferenceData.Builder data = PreferenceData.builder(table, items, d);
    for (int u = 0; u < 4; u++) {
      for (int p = 0; p < 16; p++) {
        int c = rnd.nextInt(items);
        int r = (c + 1 + rnd.nextInt(items - 1)) % items;
        data.add("user" + u, c, r);
      }
    }
    TrainConfig config = TrainConfig.defaults().withRank(rank).withSteps(1);
    return new Trainer(config).train(data.build());
  }
}
