package lore.experiment.methods;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import lore.FitConfig;
import lore.TrainConfig;
import lore.experiment.PreferenceMethod;
import org.junit.jupiter.api.Test;

/**
 * Every field of the few-shot configuration reaches the fit of new users. {@code adapt} used to
 * rebuild the configuration positionally with the constructor that has no prior, so {@code lore
 * experiment --prior 10} fitted new users without it while the results recorded the prior.
 */
class FitConfigReachesAdaptTest {
  static final long SEED = Long.getLong("lore.test.seed", 7L);

  static float[] adaptedMargins(FitConfig fit) {
    Planted p = Planted.create(SEED, 40, 6, 20, 8, 30, 3, 20);
    PreferenceMethod.Trained t =
        LoReMethod.create(TrainConfig.defaults().withRank(3).withSteps(20), fit)
            .train(p.train(), SEED);
    t.adapt(p.fewShot(), SEED);
    return t.margins(p.newTest());
  }

  @Test
  void thePriorChangesTheNewUsersFits() {
    FitConfig eq11 = FitConfig.defaults().withPrior(FitConfig.Prior.NONE);
    float[] none = adaptedMargins(eq11);
    float[] strong =
        adaptedMargins(FitConfig.defaults().withPrior(FitConfig.Prior.MEAN).withPriorStrength(1e4));
    assertFalse(Arrays.equals(none, strong), "the prior strength never reached the fit");
    assertTrue(Arrays.equals(none, adaptedMargins(eq11)), "not deterministic");
  }
}
