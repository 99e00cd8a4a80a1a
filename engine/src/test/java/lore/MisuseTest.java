package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Misuse that used to pass silently now fails loudly, naming what is wrong. */
class MisuseTest {

  static RewardModel model() {
    float[] items = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0};
    PreferenceData data =
        PreferenceData.builder(items, 4, 3).add("a", 0, 1).add("a", 2, 3).add("b", 1, 0).build();
    return new Trainer(TrainConfig.defaults().withRank(2).withSteps(3)).train(data);
  }

  /**
   * Sharing one fitter between threads gave 17.5 % silently wrong fits and almost no exceptions;
   * now a second thread fails on its first call.
   */
  @Test
  void aFitterSharedWithAnotherThreadFailsOnItsFirstCall() {
    FewShotFitter fitter = model().fewShotFitter(FitConfig.defaults(), 4);
    float[] dz = {1f, -1f, 0.5f, 0.5f};
    float[] out = new float[2];
    fitter.fitProjected(dz, 2, out); // binds the fitter to this thread
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () ->
                CompletableFuture.runAsync(() -> fitter.fitProjected(dz, 2, new float[2])).join());
    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
    assertTrue(e.getCause().getMessage().contains("not thread-safe"), e.getCause().getMessage());
    fitter.fitProjected(dz, 2, out); // the owner goes on working
  }

  @Test
  void aFitterMadeOnOneThreadWorksOnTheThreadThatUsesItFirst() {
    FewShotFitter fitter = model().fewShotFitter(FitConfig.defaults(), 4);
    float[] w =
        CompletableFuture.supplyAsync(
                () -> {
                  float[] out = new float[2];
                  fitter.fitProjected(new float[] {1f, -1f}, 1, out);
                  return out;
                })
            .join();
    assertEquals(1f, w[0] + w[1], 1e-6f);
    assertThrows(
        IllegalStateException.class, () -> fitter.fitProjected(new float[] {1f, -1f}, 1, w));
  }

  @Test
  void logitScaleOutsideItsRangeIsRejectedEverywhere() {
    for (double s : new double[] {1e30, 1e5, 0, -1, Double.NaN, Double.POSITIVE_INFINITY, 1e-9}) {
      BadInputTest.rejects(() -> TrainConfig.defaults().withLogitScale(s), "logit scale");
      BadInputTest.rejects(() -> RewardModel.fromBasis(new float[] {1, 0}, 1, 2, s), "logit scale");
    }
    assertEquals(1e4, TrainConfig.defaults().withLogitScale(1e4).logitScale());
  }

  @Test
  void threadCountIsBounded() {
    BadInputTest.rejects(() -> TrainConfig.defaults().withThreads(100_000), "threads");
    assertEquals(
        TrainConfig.MAX_THREADS,
        TrainConfig.defaults().withThreads(TrainConfig.MAX_THREADS).threads());
  }
}
