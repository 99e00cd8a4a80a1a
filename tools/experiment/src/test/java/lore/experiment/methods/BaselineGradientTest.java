package lore.experiment.methods;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lore.experiment.nn.Activation;
import lore.experiment.nn.GradientCheck;
import lore.experiment.nn.Param;
import lore.experiment.nn.Sequential;
import org.junit.jupiter.api.Test;

/** Every baseline's batch loss: backward against central finite differences on tiny shapes. */
class BaselineGradientTest {
  static final long SEED = Long.getLong("lore.test.seed", 21L);

  private static Planted tiny() {
    return Planted.create(SEED, 12, 4, 3, 2, 4, 2, 2);
  }

  @Test
  void loreMlpLossGradientMatchesFiniteDifferences() {
    Planted data = tiny();
    var rnd = new SplittableRandom(SEED);
    Sequential f = Sequential.mlp("f", new int[] {4, 5, 3}, Activation.Kind.RELU, 0, rnd);
    Param logits = new Param("logits", 3 * 3);
    System.arraycopy(Support.gaussian(9, rnd), 0, logits.value(), 0, 9);
    int[] order = {2, 0, 1};
    List<Param> all = new ArrayList<>(f.params());
    all.add(logits);
    GradientCheck.zeroGrads(all);
    LoReMlpMethod.batchLoss(f, logits, data.train(), order, 0, 3, 0.7, true);
    GradientCheck.assertGradients(
        all,
        () -> LoReMlpMethod.batchLoss(f, logits, data.train(), order, 0, 3, 0.7, false),
        "seed=" + SEED + " LoRe-MLP");
  }

  private static PalMethod.Config tinyPal(Activation.Kind act, boolean residual, int dim) {
    return PalMethod.Config.paperA()
        .withDim(dim)
        .withActivation(act)
        .withResidual(residual)
        .withEpochs(0)
        .withProjectorLearningRate(1e-3)
        .withNewUserEpochs(0);
  }

  private static void checkPal(PalMethod method, Planted data, String what) {
    var model = (PalMethod.Model) method.train(data.train(), SEED);
    List<Param> all = new ArrayList<>(model.projectorParams());
    all.add(model.logits);
    all.add(model.own());
    int[] pairUser = Support.pairUsers(data.train());
    int[] order = {5, 0, 11, 3};
    GradientCheck.zeroGrads(all);
    model.batchLoss(data.train(), order, 0, 4, pairUser, model.logits, true);
    GradientCheck.assertGradients(
        all,
        () -> model.batchLoss(data.train(), order, 0, 4, pairUser, model.logits, false),
        "seed=" + SEED + " " + what);
  }

  @Test
  void palALossGradientMatchesFiniteDifferences() {
    Planted data = tiny();
    checkPal(PalAMethod.create(tinyPal(Activation.Kind.RELU, true, 4)), data, "PAL-A residual");
    checkPal(PalAMethod.create(tinyPal(Activation.Kind.GELU, false, 3)), data, "PAL-A");
  }

  @Test
  void palBLossGradientMatchesFiniteDifferences() {
    Planted data = tiny();
    checkPal(PalBMethod.create(tinyPal(Activation.Kind.GELU, false, 3), null, 0), data, "PAL-B");
    float[] prompts = Support.gaussian(12 * 5, new SplittableRandom(SEED));
    checkPal(
        PalBMethod.create(tinyPal(Activation.Kind.GELU, false, 3), prompts, 5),
        data,
        "PAL-B prompts");
  }

  @Test
  void vplLossGradientMatchesFiniteDifferences() {
    Planted data = tiny();
    var config =
        VplMethod.Config.paper()
            .withLatent(3)
            .withHidden(4)
            .withLearningRate(1e-3)
            .withKlWeight(0.3)
            .withBatchSize(4)
            .withEpochs(0)
            .withDuplicates(1)
            .withMaxContext(3)
            .withAnnealPeriod(100);
    var model = (VplMethod.Model) VplMethod.create(config).train(data.train(), SEED);
    // samples: target pair and its context (the same user's pairs)
    int[] target = {0, 5, 9};
    int[] ctxStart = {0, 2, 3, 6};
    int[] flat = {1, 2, 6, 8, 10, 11};
    int[] order = {0, 1, 2};
    List<Param> all = model.params();
    GradientCheck.zeroGrads(all);
    // the same noise for every evaluation, so the loss is a deterministic function
    model.batchLoss(
        data.train(), order, 0, 3, target, ctxStart, flat, 0.3, new SplittableRandom(SEED), true);
    GradientCheck.assertGradients(
        all,
        () ->
            model.batchLoss(
                data.train(),
                order,
                0,
                3,
                target,
                ctxStart,
                flat,
                0.3,
                new SplittableRandom(SEED),
                false),
        "seed=" + SEED + " VPL");
  }
}
