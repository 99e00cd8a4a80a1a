package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The analytic gradients of Eq. 10 against central finite differences of the objective. */
class TrainerGradientTest {
  static final long SEED = Long.getLong("lore.test.seed", 3L);

  @ParameterizedTest
  @CsvSource({
    "ITEMS, PROJECTION, 3", "DIFFERENCES, PROJECTION, 3", "ITEMS, SOFTMAX, 4",
    "DIFFERENCES, SOFTMAX, 1", "DIFFERENCES, PROJECTION, 2"
  })
  void gradientsMatchCentralDifferences(
      TrainConfig.Layout layout, TrainConfig.Simplex simplex, int threads) {
    Planted pl = new Planted(SEED, 37, 3, 40, 6, 1.0);
    PreferenceData data = pl.pairs("u", 0, 6, 9, 0, 40);
    int k = 3;
    TrainConfig cfg =
        TrainConfig.defaults()
            .withRank(k)
            .withLogitScale(0.7)
            .withLayout(layout)
            .withSimplex(simplex)
            .withOptimizer(TrainConfig.Optimizer.ADAM)
            .withThreads(threads)
            ;
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
    String where = "seed=" + SEED + " " + layout + " " + simplex + " threads=" + threads;
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
}
