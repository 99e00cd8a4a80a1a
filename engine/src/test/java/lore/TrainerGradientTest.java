package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The analytic gradients of Eq. 10 against central finite differences of the objective. */
class TrainerGradientTest {
  static final long SEED = Long.getLong("lore.test.seed", 3L);

  /**
   * With a prior strength, the objective gains the prior on personal deviations (its center c is
   * the weighted mean of the weights, recomputed at every evaluation, so the differences see it
   * move). Users get different pair counts so that the 1/|D_u| weights matter.
   */
  @ParameterizedTest
  @CsvSource({
    "ITEMS, PROJECTION, 3, 0", "DIFFERENCES, PROJECTION, 3, 0", "ITEMS, SOFTMAX, 4, 0",
    "DIFFERENCES, SOFTMAX, 1, 0", "DIFFERENCES, PROJECTION, 2, 0", "ITEMS, PROJECTION, 1, 2.5",
    "DIFFERENCES, PROJECTION, 2, 0.7", "ITEMS, PROJECTION, 3, 40"
  })
  void gradientsMatchCentralDifferences(
      TrainConfig.Layout layout, TrainConfig.Simplex simplex, int threads, double strength) {
    Planted pl = new Planted(SEED, 37, 3, 40, 6, 1.0);
    PreferenceData data = strength > 0 ? unevenPairs(pl) : pl.pairs("u", 0, 6, 9, 0, 40);
    int k = 3;
    TrainConfig cfg =
        TrainConfig.defaults()
            .withRank(k)
            .withLogitScale(0.7)
            .withLayout(layout)
            .withSimplex(simplex)
            .withOptimizer(TrainConfig.Optimizer.ADAM)
            .withThreads(threads)
            .withPriorStrength(strength);
    Trainer trainer = new Trainer(cfg);
    SplittableRandom rnd = new SplittableRandom(SEED);
    float[] basis = new float[k * data.dim()];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = (float) (rnd.nextGaussian() * 0.5);
    }
    float[] params = new float[data.userCount() * k];
    for (int u = 0; u < data.userCount(); u++) {
      double s = 0;
      for (int b = 0; b < k; b++) {
        params[u * k + b] = (float) (0.2 + rnd.nextDouble());
        s += params[u * k + b];
      }
      for (int b = 0; b < k; b++) {
        params[u * k + b] /= (float) s;
      }
    }
    float[] gBasis = new float[basis.length];
    float[] gParams = new float[params.length];
    trainer.objectiveAndGradient(data, basis, params, gBasis, gParams);
    float[] scratchB = new float[basis.length];
    float[] scratchP = new float[params.length];
    String where =
        "seed="
            + SEED
            + " "
            + layout
            + " "
            + simplex
            + " threads="
            + threads
            + " strength="
            + strength;
    float h = 1e-2f;
    for (int i = 0; i < basis.length; i += 7) {
      float saved = basis[i];
      basis[i] = saved + h;
      double up = trainer.objectiveAndGradient(data, basis, params, scratchB, scratchP);
      basis[i] = saved - h;
      double down = trainer.objectiveAndGradient(data, basis, params, scratchB, scratchP);
      basis[i] = saved;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, gBasis[i], 2e-3 * (1 + Math.abs(fd)), where + " basis " + i);
    }
    for (int i = 0; i < params.length; i++) {
      float saved = params[i];
      params[i] = saved + h;
      double up = trainer.objectiveAndGradient(data, basis, params, scratchB, scratchP);
      params[i] = saved - h;
      double down = trainer.objectiveAndGradient(data, basis, params, scratchB, scratchP);
      params[i] = saved;
      double fd = (up - down) / (2 * h);
      assertEquals(fd, gParams[i], 2e-3 * (1 + Math.abs(fd)), where + " param " + i);
    }
  }

  /** Six users with 3 to 13 pairs each. */
  static PreferenceData unevenPairs(Planted pl) {
    PreferenceData.Builder b = PreferenceData.builder(pl.embeddings, pl.items, pl.d);
    for (int u = 0; u < 6; u++) {
      PreferenceData one = pl.pairs("u", u, 1, 3 + 2 * u, 0, 40);
      for (int p = 0; p < one.pairCount(); p++) {
        b.add(one.userId(0), one.chosen(p), one.rejected(p));
      }
    }
    return b.build();
  }
}
