package lore.experiment.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import lore.PreferenceData;
import lore.experiment.nn.Activation;
import lore.experiment.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PAL's new-user adaptation on cached frozen outputs ({@code PalMethod.Model.Frozen}) against the
 * reference path that backpropagates through the frozen projectors: same loss and logit gradient
 * per batch, and the same adapted users end to end.
 */
class PalAdaptationTest {

  static Stream<Arguments> cases() {
    var b =
        PalMethod.Config.paperB()
            .withPrototypes(3)
            .withDim(16)
            .withEpochs(2)
            .withProjectorLearningRate(1e-3)
            .withUserLearningRate(5e-2)
            .withNewUserLearningRate(5e-2);
    var a =
        b.withActivation(Activation.Kind.RELU).withResidual(true).withPrototypeLearningRate(5e-2);
    Planted d8 = Planted.create(11, 120, 8, 12, 10, 20, 9, 10);
    Planted d16 = Planted.create(12, 120, 16, 12, 10, 20, 9, 10); // d = dim: residual projector
    float[] prompts = new float[120 * 5];
    var rnd = new SplittableRandom(5);
    for (int i = 0; i < prompts.length; i++) {
      prompts[i] = (float) rnd.nextGaussian();
    }
    return Stream.of(
        Arguments.of("PAL-A", PalAMethod.create(a), d8),
        Arguments.of("PAL-A residual", PalAMethod.create(a), d16),
        Arguments.of("PAL-B", PalBMethod.create(b, null, 0), d8),
        Arguments.of("PAL-B prompts", PalBMethod.create(b, prompts, 5), d8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cachedBatchLossAndGradientMatchTheReference(String name, PalMethod method, Planted data) {
    PalMethod.Model model = (PalMethod.Model) method.train(data.train(), 3);
    PreferenceData shots = data.fewShot();
    int k = model.k;
    Param w = new Param("w", shots.userCount() * k);
    var rnd = new SplittableRandom(9);
    for (int i = 0; i < w.size(); i++) {
      w.value()[i] = (float) (2 * rnd.nextGaussian());
    }
    int[] pairUser = Support.pairUsers(shots);
    int[] order = Support.range(shots.pairCount());
    Support.shuffle(order, rnd);
    PalMethod.Model.Frozen frozen = model.frozen(shots);
    int checkedGradients = 0;
    for (int from = 0; from < order.length; from += 4) {
      int n = Math.min(4, order.length - from);
      w.zeroGrad();
      double expected = model.batchLoss(shots, order, from, n, pairUser, w, true);
      float[] expectedGrad = w.grad().clone();
      w.zeroGrad();
      double actual = frozen.loss(shots, order, from, n, pairUser, w);
      assertEquals(expected, actual, 1e-5 * (1 + Math.abs(expected)), name + " loss at " + from);
      for (int i = 0; i < w.size(); i++) {
        assertEquals(
            expectedGrad[i],
            w.grad()[i],
            1e-5 + 1e-4 * Math.abs(expectedGrad[i]),
            name + " gradient " + i + " at batch " + from);
        if (expectedGrad[i] != 0) {
          checkedGradients++;
        }
      }
    }
    assertTrue(checkedGradients > 10, name + ": too few nonzero gradients to compare");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void adaptedUsersMatchTheReference(String name, PalMethod method, Planted data) {
    PalMethod.Model fast = (PalMethod.Model) method.train(data.train(), 3);
    PalMethod.Model exact = (PalMethod.Model) method.train(data.train(), 3);
    exact.exactAdaptation = true;
    fast.adapt(data.fewShot(), 4);
    exact.adapt(data.fewShot(), 4);
    double moved = 0;
    var init =
        Support.gaussian(data.fewShot().userCount() * fast.k, new SplittableRandom(4).split());
    for (int u = 0; u < data.fewShot().userCount(); u++) {
      String user = data.fewShot().userId(u);
      float[] x = fast.logitsOf(user);
      float[] y = exact.logitsOf(user);
      for (int j = 0; j < fast.k; j++) {
        assertEquals(y[j], x[j], 2e-3, name + " user " + user + " logit " + j);
        moved = Math.max(moved, Math.abs(x[j] - init[u * fast.k + j]));
      }
    }
    assertTrue(moved > 0.05, name + ": adaptation did not move the logits (max " + moved + ")");
    float[] mf = fast.margins(data.newTest());
    float[] me = exact.margins(data.newTest());
    for (int p = 0; p < mf.length; p++) {
      assertEquals(me[p], mf[p], 1e-2 * (1 + Math.abs(me[p])), name + " margin " + p);
    }
  }
}
