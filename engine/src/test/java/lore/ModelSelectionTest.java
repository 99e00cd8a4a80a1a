package lore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The nested model and its selection: the population limit is the Bradley-Terry model, data without
 * personal signal select it, planted low-rank data select a finite strength, and the selection is
 * deterministic.
 */
class ModelSelectionTest {
  static final long SEED = Long.getLong("lore.test.seed", 5L);

  static final SelectionConfig SMALL =
      SelectionConfig.defaults()
          .withRanks(List.of(2, 3, 5))
          .withStrengths(List.of(10.0, 1.0, 0.1, 0.01))
          .withFolds(3)
          .withPathSteps(20);

  /** One rank, two strengths, two folds: a selection of seconds. */
  static final SelectionConfig TINY =
      SelectionConfig.defaults()
          .withRanks(List.of(3))
          .withStrengths(List.of(1.0, 0.1))
          .withFolds(2)
          .withPathSteps(10);

  /** Margins {@code w_u . A (e_c - e_r)} of every pair of {@code data} under {@code model}. */
  static double[] margins(RewardModel model, PreferenceData data) {
    double[] out = new double[data.pairCount()];
    for (int u = 0; u < data.userCount(); u++) {
      PersonalReward r = model.reward(data.userId(u));
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        out[p] =
            (double) r.score(data.items(), data.itemOffset(data.chosen(p)))
                - r.score(data.items(), data.itemOffset(data.rejected(p)));
      }
    }
    return out;
  }

  static void assertSameMargins(double[] want, double[] got, double rtol, String where) {
    double scale = 0;
    for (double m : want) {
      scale = Math.max(scale, Math.abs(m));
    }
    for (int p = 0; p < want.length; p++) {
      assertEquals(want[p], got[p], rtol * scale, where + " pair " + p);
    }
  }

  @Test
  void infiniteStrengthIsBradleyTerry() {
    Planted pl = new Planted(SEED, 30, 3, 150, 40, 0.3);
    PreferenceData data = pl.pairs("u", 0, 40, 25, 0, 150);
    TrainConfig base = TrainConfig.defaults().withSteps(40).withSeed(SEED);
    RewardModel bt = new Trainer(base.withRank(1)).train(data);
    RewardModel limit =
        new Trainer(base.withRank(4).withPriorStrength(Double.POSITIVE_INFINITY)).train(data);
    assertEquals(4, limit.rank());
    assertEquals("Infinity", limit.metadata().get("priorStrength"));
    String where = "seed=" + SEED;
    assertSameMargins(margins(bt, data), margins(limit, data), 1e-6, where + " limit");
    // towards the limit the rows merge around the population's direction: a very strong prior
    // gives BT's margins up to a common scale
    RewardModel strong =
        new Trainer(base.withRank(4).withPriorStrength(1e7).withInit(TrainConfig.Init.POPULATION))
            .train(data);
    double[] want = margins(bt, data);
    double[] got = margins(strong, data);
    double dot = 0;
    double ww = 0;
    double gg = 0;
    for (int p = 0; p < want.length; p++) {
      dot += want[p] * got[p];
      ww += want[p] * want[p];
      gg += got[p] * got[p];
    }
    double cosine = dot / Math.sqrt(ww * gg);
    assertTrue(cosine > 1 - 1e-5, where + " lambda=1e7: cosine of the margins " + cosine);
    // new users of the limit get the population's weights, whatever their pairs say
    PreferenceData few = pl.pairs("new", 0, 5, 9, 0, 150);
    RewardModel fitted = limit.withFittedUsers(few, FitConfig.defaults());
    for (int u = 0; u < few.userCount(); u++) {
      assertArrayEquals(
          new float[] {0.25f, 0.25f, 0.25f, 0.25f},
          fitted.weights(few.userId(u)).weights(),
          1e-6f,
          where);
    }
  }

  @Test
  void populationOnlyDataSelectTheLimit() {
    // one reward for everybody (rank-1 truth): no personal signal. The Bradley-Terry model is
    // trained to convergence here (the candidates' paths train the population reward further, so
    // an unconverged one would lose to them for that reason alone)
    Planted pl = new Planted(SEED, 24, 1, 200, 60, 1.0);
    PreferenceData data = pl.pairs("u", 0, 60, 30, 0, 200);
    TrainConfig base = TrainConfig.defaults().withSteps(400).withSeed(SEED);
    ModelSelection.Result r = new ModelSelection(base, SMALL).select(data);
    String where = "seed=" + SEED + "\n" + r.describe();
    assertEquals(1, r.rank(), where);
    assertEquals(Double.POSITIVE_INFINITY, r.strength(), where);
    assertEquals(1 + 3 * 4, r.table().size(), where);
    RewardModel bt = new Trainer(base.withRank(1)).train(data);
    assertArrayEquals(bt.basis(), r.model().basis(), where);
    assertSameMargins(margins(bt, data), margins(r.model(), data), 0, where);
    assertEquals("1", r.model().metadata().get("selectedRank"));
    assertEquals("Infinity", r.model().metadata().get("selectedStrength"));
    assertTrue(r.model().metadata().get("selectionTable").startsWith("1:Infinity:"), where);
  }

  @Test
  void plantedLowRankDataSelectAFiniteStrength() {
    Planted pl = new Planted(SEED, 32, 3, 300, 120, 0.2);
    PreferenceData data = pl.pairs("u", 0, 120, 40, 0, 300);
    TrainConfig base = TrainConfig.defaults().withSteps(60).withSeed(SEED);
    ModelSelection.Result r = new ModelSelection(base, SMALL).select(data);
    String where = "seed=" + SEED + "\n" + r.describe();
    assertTrue(Double.isFinite(r.strength()), where);
    assertTrue(r.rank() >= 3, where);
    assertTrue(r.best().accuracy() > r.table().get(0).accuracy() + 0.05, where);
    // item-disjoint folds select the same kind of model
    int[] groups = new int[pl.items];
    for (int i = 0; i < groups.length; i++) {
      groups[i] = i;
    }
    ModelSelection.Result byItem = new ModelSelection(base, SMALL).select(data, groups);
    where = "seed=" + SEED + "\n" + byItem.describe();
    assertTrue(Double.isFinite(byItem.strength()), where);
    assertTrue(byItem.rank() >= 3, where);
    ModelSelection.Result byUserItem =
        new ModelSelection(base, SMALL).select(data, ModelSelection.Folds.USER_ITEMS, null);
    where = "seed=" + SEED + "\n" + byUserItem.describe();
    assertTrue(Double.isFinite(byUserItem.strength()), where);
    assertEquals("USER_ITEMS", byUserItem.model().metadata().get("selectionFoldScheme"), where);
  }

  @Test
  void theChosenPriorSurvivesTheModelFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    Planted pl = new Planted(SEED, 20, 3, 150, 60, 0.2);
    PreferenceData data = pl.pairs("u", 0, 60, 30, 0, 150);
    TrainConfig base = TrainConfig.defaults().withSteps(30).withSeed(SEED);
    ModelSelection.Result r = new ModelSelection(base, TINY).select(data);
    String where = "seed=" + SEED + "\n" + r.describe();
    assertEquals(
        Double.toString(r.newUserStrength()),
        r.model().metadata().get("newUserPriorStrength"),
        where);
    java.nio.file.Path file = dir.resolve("m.lore");
    r.model().save(file);
    RewardModel back = RewardModel.load(file);
    PreferenceData few = pl.pairs("new", 0, 8, 5, 0, 150);
    assertArrayEquals(
        DeterminismTest.weights(r.model().withFittedUsers(few, FitConfig.defaults())),
        DeterminismTest.weights(back.withFittedUsers(few, FitConfig.defaults())),
        where);
  }

  /** {@code data} with every embedding multiplied by {@code c}: the same pairs, another scale. */
  static PreferenceData scaled(PreferenceData data, float c) {
    float[] items = data.items().clone();
    for (int i = 0; i < items.length; i++) {
      items[i] *= c;
    }
    PreferenceData.Builder b = PreferenceData.builder(items, data.itemCount(), data.dim());
    for (int u = 0; u < data.userCount(); u++) {
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        b.add(data.userId(u), data.chosen(p), data.rejected(p));
      }
    }
    return b.build();
  }

  @Test
  void learningRatesAreCandidates() {
    // embeddings 100x smaller: Adam's steps of 0.5 per coordinate reach too little in 30 steps,
    // steps of 50 reach what 0.5 reaches at the original scale
    Planted pl = new Planted(SEED, 20, 3, 150, 60, 0.2);
    PreferenceData data = scaled(pl.pairs("u", 0, 60, 30, 0, 150), 0.01f);
    TrainConfig base = TrainConfig.defaults().withSteps(30).withSeed(SEED);
    ModelSelection.Result r =
        new ModelSelection(base, TINY.withLearningRates(List.of(0.5, 50.0))).select(data);
    String where = "seed=" + SEED + "\n" + r.describe();
    assertEquals(50.0, r.learningRate(), where);
    assertEquals("50.0", r.model().metadata().get("learningRate"), where);
    String[] rates = r.model().metadata().get("selectionLearningRates").split(";");
    assertEquals(2, rates.length, where);
    assertTrue(rates[0].startsWith("0.5:") && rates[1].startsWith("50.0:"), where);
    // the kept rate's cross-validation and model are exactly those of a selection given only it
    ModelSelection.Result only =
        new ModelSelection(base, TINY.withLearningRates(List.of(50.0))).select(data);
    assertEquals(only.table(), r.table(), where);
    assertArrayEquals(only.model().basis(), r.model().basis(), where);
    assertNull(only.model().metadata().get("selectionLearningRates"), where);
    // and one rate equal to the base's is the selection without candidates, bit for bit
    ModelSelection.Result plain = new ModelSelection(base, TINY).select(data);
    ModelSelection.Result same =
        new ModelSelection(base, TINY.withLearningRates(List.of(0.5))).select(data);
    assertEquals(plain.table(), same.table(), where);
    assertArrayEquals(plain.model().basis(), same.model().basis(), where);
    assertEquals(0.5, plain.learningRate(), where);
    assertTrue(
        Trainer.passes(r.model()) < Long.parseLong(r.model().metadata().get("selectionPasses")),
        where);
  }

  @Test
  void aDivergingLearningRateIsDroppedNotFatal() {
    Planted pl = new Planted(SEED, 20, 3, 150, 60, 0.2);
    PreferenceData data = pl.pairs("u", 0, 60, 30, 0, 150);
    TrainConfig base = TrainConfig.defaults().withSteps(30).withSeed(SEED);
    // steps of 1e38 per coordinate overflow float within a few steps
    ModelSelection.Result r =
        new ModelSelection(base, TINY.withLearningRates(List.of(1e38, 0.5))).select(data);
    String where = "seed=" + SEED + "\n" + r.describe();
    assertEquals(0.5, r.learningRate(), where);
    ModelSelection.Result plain = new ModelSelection(base, TINY).select(data);
    assertArrayEquals(plain.model().basis(), r.model().basis(), where);
    assertTrue(
        r.model().metadata().get("selectionLearningRates").startsWith("1.0E38:diverged;0.5:"),
        r.model().metadata().get("selectionLearningRates"));
    // when every candidate diverges, the selection fails and says so
    ArithmeticException e =
        assertThrows(
            ArithmeticException.class,
            () -> new ModelSelection(base, TINY.withLearningRates(List.of(1e38))).select(data));
    assertTrue(e.getMessage().contains("1.0E38"), e.getMessage());
  }

  @Test
  void learningRateCandidatesAreChecked() {
    SelectionConfig c = SelectionConfig.defaults();
    assertThrows(IllegalArgumentException.class, () -> c.withLearningRates(List.of(0.5, 0.0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> c.withLearningRates(List.of(Double.POSITIVE_INFINITY)));
    assertThrows(IllegalArgumentException.class, () -> c.withLearningRates(List.of(1.0, 1.0)));
    // without candidates the text (part of recorded experiments' fingerprints) is unchanged
    assertFalse(c.toString().contains("learningRates"), c.toString());
    assertTrue(
        c.withLearningRates(List.of(0.5, 8.0)).toString().endsWith(", learningRates=[0.5, 8.0]]"));
  }

  @Test
  void selectionIsDeterministic() {
    Planted pl = new Planted(SEED, 20, 3, 120, 40, 0.3);
    PreferenceData data = pl.pairs("u", 0, 40, 20, 0, 120);
    SelectionConfig small =
        SelectionConfig.defaults()
            .withRanks(List.of(2, 3))
            .withStrengths(List.of(100.0, 10.0))
            .withFolds(2)
            .withPathSteps(10);
    TrainConfig base = TrainConfig.defaults().withSteps(20).withThreads(2).withSeed(SEED);
    ModelSelection.Result a = new ModelSelection(base, small).select(data);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      ModelSelection.Result b = new ModelSelection(base, small).executor(pool).select(data);
      assertEquals(a.table(), b.table());
      assertArrayEquals(a.model().basis(), b.model().basis());
      assertArrayEquals(DeterminismTest.weights(a.model()), DeterminismTest.weights(b.model()));
    } finally {
      pool.shutdown();
    }
  }
}
