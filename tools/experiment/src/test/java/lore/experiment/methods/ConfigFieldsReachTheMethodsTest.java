package lore.experiment.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import lore.FitConfig;
import lore.TrainConfig;
import lore.experiment.PreferenceMethod;
import lore.experiment.Withers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field of each method's configuration (the baselines' and LoRe's training and few-shot
 * configurations) changes what the method does: with one field changed (through its wither), the
 * trained and adapted method gives other margins on a small planted problem. A field a method
 * cannot use is listed with the reason, and the test asserts that changing it changes nothing, so
 * the list stays true. In the spirit of {@link FitConfigReachesAdaptTest}: a configuration rebuilt
 * positionally, or a field read from the wrong place, would keep the recorded settings from
 * reaching the run.
 */
class ConfigFieldsReachTheMethodsTest {
  static final long SEED = Long.getLong("lore.test.seed", 5L);

  /** d = 8 = the PAL projectors' width, so that their residual connection applies. */
  static final Planted DATA = Planted.create(SEED, 60, 8, 8, 4, 12, 6, 10);

  /** A method family: a small configuration every field matters in, and what it builds. */
  record Family<C extends Record>(
      String name, C config, Function<C, PreferenceMethod> method, Map<String, String> unused) {
    float[] outcome(C c) {
      PreferenceMethod.Trained t = method.apply(c).train(DATA.train(), SEED);
      t.adapt(DATA.fewShot(), SEED);
      float[] seen = t.margins(DATA.seenTest());
      float[] unseen = t.margins(DATA.newTest());
      float[] out = Arrays.copyOf(seen, seen.length + unseen.length);
      System.arraycopy(unseen, 0, out, seen.length, unseen.length);
      return out;
    }
  }

  static final Family<LoReMlpMethod.Config> MLP =
      new Family<>(
          "LoRe-MLP",
          LoReMlpMethod.Config.defaults()
              .withRank(2)
              .withHidden(6)
              .withEpochs(2)
              .withUsersPerBatch(3),
          LoReMlpMethod::create,
          Map.of());
  static final Family<PalMethod.Config> PAL_A =
      new Family<>(
          "PAL-A",
          PalMethod.Config.paperA().withDim(8).withNewUserEpochs(2),
          PalAMethod::create,
          Map.of("logitScaleLearningRate", "PAL-A has no logit scale"));
  static final Family<PalMethod.Config> PAL_B =
      new Family<>(
          "PAL-B",
          PalMethod.Config.paperB().withDim(8).withNewUserEpochs(2),
          c -> PalBMethod.create(c, null, 0),
          Map.of("prototypeLearningRate", "PAL-B has no prototypes"));

  /** 96 pairs x 2 duplicates / batch 8: 24 steps, 12 of warmup, 6 KL annealing cycles. */
  static final Family<VplMethod.Config> VPL =
      new Family<>(
          "VPL",
          VplMethod.Config.paper()
              .withLatent(4)
              .withHidden(6)
              .withLearningRate(1e-3)
              .withWeightDecay(0.1)
              .withKlWeight(0.1)
              .withBatchSize(8)
              .withEpochs(1)
              .withDuplicates(2)
              .withMaxContext(3)
              .withWarmupRatio(0.5)
              .withAnnealPeriod(4),
          VplMethod::create,
          Map.of());

  /**
   * LoRe's trainer: Adam with projected weights, so that optimizer and simplex can each change
   * alone (the alternating optimizer needs projection); the ITEMS layout, so that the changed one
   * is surely another (AUTO might pick it).
   */
  static final Family<TrainConfig> LORE_TRAIN =
      new Family<>(
          "LoRe train",
          TrainConfig.defaults()
              .withRank(3)
              .withSteps(10)
              .withOptimizer(TrainConfig.Optimizer.ADAM)
              .withLayout(TrainConfig.Layout.ITEMS),
          c -> LoReMethod.create(c, FitConfig.defaults()),
          Map.of("seed", "train(data, seed) replaces it: the protocol seeds every method"));

  /** LoRe's few-shot fit by Adam (FitConfigReachesAdaptTest has the Newton solver's prior). */
  static final Family<FitConfig> LORE_FIT =
      new Family<>(
          "LoRe fit",
          FitConfig.paper().withMaxIterations(20),
          c -> LoReMethod.create(TrainConfig.defaults().withRank(3).withSteps(10), c),
          Map.of(
              "seed", "adapt(data, seed) replaces it: the protocol seeds every method",
              "tolerance", "the Newton solver's stopping rule; Adam runs maxIterations steps",
              "priorStrength", "the Newton solver's prior; Adam fits Eq. 11 as the reference",
              "prior", "the Newton solver's prior; Adam fits Eq. 11 as the reference"));

  static final List<Family<?>> FAMILIES = List.of(MLP, PAL_A, PAL_B, VPL, LORE_TRAIN, LORE_FIT);

  static Stream<Arguments> fields() {
    return FAMILIES.stream()
        .flatMap(
            f ->
                Arrays.stream(f.config().getClass().getRecordComponents())
                    .map(c -> Arguments.of(f.name(), c.getName(), f, c)));
  }

  static Stream<Arguments> families() {
    return FAMILIES.stream().map(f -> Arguments.of(f.name(), f));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fields")
  <C extends Record> void changingTheFieldChangesTheMargins(
      String method, String field, Family<C> family, RecordComponent c) {
    float[] base = family.outcome(family.config());
    float[] changed = family.outcome(Withers.withChanged(family.config(), c, Map.of()));
    String unused = family.unused().get(field);
    if (unused == null) {
      assertFalse(
          Arrays.equals(base, changed),
          "seed=" + SEED + " " + method + ": " + field + " never reached the method");
    } else {
      assertArrayEquals(base, changed, method + " " + field + " is listed as unused: " + unused);
    }
  }

  /** Without this, a field could seem to matter through a method that is not deterministic. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  <C extends Record> void theSameConfigurationGivesTheSameMargins(String method, Family<C> family) {
    assertArrayEquals(family.outcome(family.config()), family.outcome(family.config()), method);
  }
}
