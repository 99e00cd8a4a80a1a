package lore.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SparkTrainerTest {
  @TempDir static Path dir;
  static Fixtures fx;

  /** Few steps at the default learning rate: the Adam path, before it amplifies rounding. */
  static final TrainConfig CONFIG =
      TrainConfig.defaults().withRank(4).withSteps(20).withLayout(TrainConfig.Layout.DIFFERENCES);

  @BeforeAll
  static void data() throws IOException {
    fx = Fixtures.write(dir, 11, 300, 48, 80, 30, 3);
  }

  @AfterEach
  void noInjectedFailure() {
    SparkUsers.failPass = -1;
    SparkUsers.failPartition = -1;
  }

  /** The fixture's pairs on Spark, the item table broadcast. */
  static SparkPairs read(SparkPairs.Options options) throws IOException {
    return SparkPairs.read(
        LocalSpark.context(),
        fx.pairs.toString(),
        fx.items.toString(),
        options,
        SparkPairs.DEFAULT_BROADCAST_LIMIT);
  }

  static RewardModel spark(TrainConfig config, SparkPairs.Options options) throws IOException {
    SparkPairs data = read(options);
    try {
      return new SparkTrainer(config).train(data);
    } finally {
      data.release();
    }
  }

  /** max |a - b| / max |a| over the basis, and the same over every user's weights. */
  static void assertClose(RewardModel expected, RewardModel actual, double tol) {
    assertEquals(expected.userCount(), actual.userCount());
    assertEquals(relative(expected.basis(), actual.basis()), 0, tol, "basis");
    for (int u = 0; u < expected.userCount(); u++) {
      String id = expected.userId(u);
      assertEquals(id, actual.userId(u), "users in the order they first appear");
      assertEquals(
          relative(expected.weights(id).weights(), actual.weights(id).weights()),
          0,
          tol,
          "weights of " + id);
    }
  }

  static double relative(float[] a, float[] b) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(a[i]));
    }
    return diff / Math.max(scale, 1e-30);
  }

  @ParameterizedTest(name = "{0} partitions, prior strength {1}, layout {2}")
  @CsvSource({
    "1, 0, DIFFERENCES",
    "3, 0, DIFFERENCES",
    "1, 0.5, ITEMS",
    "3, 0.5, ITEMS",
    "3, 0, AUTO"
  })
  void sameModelAsTheSingleMachineTrainer(int partitions, double strength, String layout)
      throws IOException {
    TrainConfig c =
        CONFIG.withPriorStrength(strength).withLayout(TrainConfig.Layout.valueOf(layout));
    RewardModel local = new Trainer(c).train(fx.data);
    RewardModel onSpark = spark(c, SparkPairs.Options.of(partitions).withLayout(c.layout()));
    assertClose(local, onSpark, 1e-5);
    assertEquals(local.metadata().get("passes"), onSpark.metadata().get("passes"));
    assertEquals(
        Double.parseDouble(local.metadata().get("finalLoss")),
        Double.parseDouble(onSpark.metadata().get("finalLoss")),
        1e-6);
    assertEquals(
        local.metadata().get("priorCenter").split(",").length,
        onSpark.metadata().get("priorCenter").split(",").length);
    assertTrue(onSpark.metadata().get("layout").startsWith("SPARK:"));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"FLOAT32, DIFFERENCES", "BFLOAT16, DIFFERENCES", "BFLOAT16, ITEMS"})
  void onePartitionRunsTheSameArithmeticAsOneThread(String storage, String layout)
      throws IOException {
    TrainConfig c =
        CONFIG
            .withStorage(TrainConfig.Storage.valueOf(storage))
            .withLayout(TrainConfig.Layout.valueOf(layout));
    RewardModel local = new Trainer(c).train(fx.data);
    RewardModel onSpark = spark(c, SparkPairs.Options.of(1).withLayout(c.layout()));
    assertEquals(storage, onSpark.metadata().get("storage"));
    assertArrayEquals(local.basis(), onSpark.basis());
    for (int u = 0; u < local.userCount(); u++) {
      String id = local.userId(u);
      assertArrayEquals(local.weights(id).weights(), onSpark.weights(id).weights(), id);
    }
  }

  @Test
  void populationStartAndTheBradleyTerryLimitFollowTheTrainer() throws IOException {
    TrainConfig pop = CONFIG.withSteps(5).withInit(TrainConfig.Init.POPULATION);
    assertClose(
        new Trainer(pop).train(fx.data),
        spark(pop, SparkPairs.Options.of(1).withLayout(pop.layout())),
        1e-6);
    TrainConfig bt = CONFIG.withPriorStrength(Double.POSITIVE_INFINITY);
    assertClose(
        new Trainer(bt).train(fx.data),
        spark(bt, SparkPairs.Options.of(3).withLayout(bt.layout())),
        1e-5);
  }

  @Test
  void usersWhoseLinesInterleaveKeepTheirOrderOfFirstAppearance() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(fx.pairs));
    String header = lines.removeFirst();
    Collections.shuffle(lines, new java.util.Random(5));
    lines.addFirst(header);
    Path shuffled = dir.resolve("shuffled.csv");
    Files.write(shuffled, lines);
    PreferenceData data = lore.datasets.PairsCsv.read(shuffled, fx.table);
    RewardModel local = new Trainer(CONFIG).train(data);
    SparkPairs onSpark =
        SparkPairs.read(
            LocalSpark.context(),
            shuffled.toString(),
            fx.items.toString(),
            SparkPairs.Options.of(1).withLayout(CONFIG.layout()),
            SparkPairs.DEFAULT_BROADCAST_LIMIT);
    try {
      RewardModel m = new SparkTrainer(CONFIG).train(onSpark);
      assertArrayEquals(local.basis(), m.basis());
      for (int u = 0; u < local.userCount(); u++) {
        assertEquals(local.userId(u), m.userId(u));
      }
    } finally {
      onSpark.release();
    }
  }

  @Test
  void aRetriedTaskGivesTheSameModel() throws IOException {
    SparkPairs.Options three = SparkPairs.Options.of(3).withLayout(CONFIG.layout());
    RewardModel clean = spark(CONFIG, three);
    int before = SparkUsers.injected.get();
    SparkUsers.failPass = 3;
    SparkUsers.failPartition = 1;
    RewardModel retried = spark(CONFIG, three);
    assertEquals(before + 1, SparkUsers.injected.get(), "the failure was injected once");
    assertArrayEquals(clean.basis(), retried.basis());
    for (int u = 0; u < clean.userCount(); u++) {
      String id = clean.userId(u);
      assertArrayEquals(clean.weights(id).weights(), retried.weights(id).weights(), id);
    }
    assertEquals(clean.metadata().get("finalLoss"), retried.metadata().get("finalLoss"));
  }

  @Test
  void theCapKeepsASeededSampleOfEachUsersPairs() throws IOException {
    int cap = 8;
    TrainConfig c = CONFIG.withSteps(10);
    SparkPairs.Options opts =
        SparkPairs.Options.of(3).withLayout(c.layout()).withMaxPairsPerUser(cap);
    // the same sample, drawn on one machine: every user's pairs in file order, then sample()
    PreferenceData.Builder b =
        PreferenceData.builder(fx.data.items(), fx.data.itemCount(), fx.data.dim());
    long kept = 0;
    int capped = 0;
    for (int u = 0; u < fx.data.userCount(); u++) {
      int lo = fx.data.pairStart(u);
      int m = fx.data.pairEnd(u) - lo;
      int[] keep = SparkPairs.sample(m, cap, opts.seed(), fx.data.userId(u));
      capped += keep.length < m ? 1 : 0;
      for (int j : keep) {
        b.add(fx.data.userId(u), fx.data.chosen(lo + j), fx.data.rejected(lo + j));
        kept++;
      }
    }
    assertTrue(capped > 10, "the fixture has users above the cap");
    SparkPairs data = read(opts);
    try {
      assertEquals(kept, data.pairs());
      assertEquals(capped, data.cappedUsers());
      assertClose(new Trainer(c).train(b.build()), new SparkTrainer(c).train(data), 1e-5);
    } finally {
      data.release();
    }
  }

  @ParameterizedTest(name = "{0} partitions")
  @CsvSource({"1", "3"})
  void aTableTooLargeToBroadcastIsJoinedToThePairsWithTheSameResult(int partitions)
      throws IOException {
    SparkPairs.Options opts =
        SparkPairs.Options.of(partitions)
            .withLayout(TrainConfig.Layout.DIFFERENCES)
            .withMaxPairsPerUser(12);
    RewardModel[] m = new RewardModel[2];
    long[] limits = {SparkPairs.DEFAULT_BROADCAST_LIMIT, 1};
    for (int i = 0; i < 2; i++) {
      SparkPairs data =
          SparkPairs.read(
              LocalSpark.context(), fx.pairs.toString(), fx.items.toString(), opts, limits[i]);
      try {
        assertEquals(i == 0, data.itemsBroadcast());
        assertEquals(fx.data.itemCount(), data.itemCount());
        m[i] = new SparkTrainer(CONFIG).train(data);
      } finally {
        data.release();
      }
    }
    assertArrayEquals(m[0].basis(), m[1].basis(), "the same differences, in the same order");
    for (int u = 0; u < m[0].userCount(); u++) {
      assertArrayEquals(
          m[0].weights(m[0].userId(u)).weights(), m[1].weights(m[1].userId(u)).weights());
    }
  }

  @Test
  void aMissingOrDamagedItemTableIsNamed() throws IOException {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                SparkPairs.read(
                    LocalSpark.context(),
                    fx.pairs.toString(),
                    dir.resolve("none.npy").toString(),
                    SparkPairs.Options.of(1),
                    1));
    assertTrue(e.getMessage().contains("none.npy: no such file"), e.getMessage());
    Path cut = dir.resolve("cut.npy");
    byte[] bytes = Files.readAllBytes(fx.items);
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 4));
    e =
        assertThrows(
            IOException.class,
            () ->
                SparkPairs.read(
                    LocalSpark.context(),
                    fx.pairs.toString(),
                    cut.toString(),
                    SparkPairs.Options.of(1),
                    1));
    assertTrue(e.getMessage().contains("cut.npy: "), e.getMessage());
  }

  @Test
  void sampleIsUniformSortedAndSeededByTheUser() {
    assertArrayEquals(new int[] {0, 1, 2}, SparkPairs.sample(3, 5, 1, "a"));
    int[] s = SparkPairs.sample(100, 10, 1, "a");
    assertEquals(10, s.length);
    for (int i = 1; i < s.length; i++) {
      assertTrue(s[i - 1] < s[i], "sorted, distinct");
    }
    assertArrayEquals(s, SparkPairs.sample(100, 10, 1, "a"));
    assertTrue(!java.util.Arrays.equals(s, SparkPairs.sample(100, 10, 1, "b")));
    int[] hits = new int[20];
    for (int t = 0; t < 20000; t++) {
      for (int j : SparkPairs.sample(20, 5, t, "u")) {
        hits[j]++;
      }
    }
    for (int h : hits) { // each kept with probability 1/4: 5000 +- 4 sigma (sigma ~ 61)
      assertEquals(5000, h, 250);
    }
  }

  @Test
  void theModelScoresAndFitsNewUsersOnOneMachine() throws IOException {
    RewardModel m = spark(CONFIG, SparkPairs.Options.of(2).withLayout(CONFIG.layout()));
    Path file = dir.resolve("spark-model.lore");
    m.save(file);
    RewardModel back = RewardModel.load(file);
    assertArrayEquals(m.basis(), back.basis());
    String id = fx.data.userId(0);
    float[] e = java.util.Arrays.copyOfRange(fx.data.items(), 0, fx.data.dim());
    assertEquals(m.score(id, e), back.score(id, e));
    float[] chosen = java.util.Arrays.copyOfRange(fx.data.items(), 0, 3 * fx.data.dim());
    float[] rejected =
        java.util.Arrays.copyOfRange(fx.data.items(), 3 * fx.data.dim(), 6 * fx.data.dim());
    float[] w = back.fewShotFitter(lore.FitConfig.defaults(), 3).fit(chosen, rejected, 3).weights();
    double sum = 0;
    for (float x : w) {
      sum += x;
    }
    assertEquals(1, sum, 1e-5, "a new user's weights on the simplex");
  }

  @Test
  void generatedDataDoesNotDependOnThePartitioning() {
    TrainConfig c = TrainConfig.defaults().withRank(3).withSteps(10);
    RewardModel[] models = new RewardModel[2];
    List<java.util.Map<String, String>> pairs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      SparkPairs data =
          SparkPairs.generate(
              LocalSpark.context(),
              new SparkPairs.Planted(500, 12, 16, 200, 3, 7),
              SparkPairs.Options.of(2 + i).withLayout(TrainConfig.Layout.ITEMS));
      try {
        assertEquals(500, data.users());
        assertEquals(500 * 12, data.pairs());
        java.util.Map<String, String> byUser = new java.util.TreeMap<>();
        for (Shard s : data.shards.collect()) {
          for (int u = 0; u < s.users(); u++) {
            int lo = s.pairStart[u];
            int hi = s.pairStart[u + 1];
            byUser.put(
                s.ids[u],
                java.util.Arrays.toString(java.util.Arrays.copyOfRange(s.chosen, lo, hi))
                    + java.util.Arrays.toString(java.util.Arrays.copyOfRange(s.rejected, lo, hi)));
          }
        }
        pairs.add(byUser);
        models[i] = new SparkTrainer(c).train(data);
      } finally {
        data.release();
      }
    }
    assertEquals(pairs.get(0), pairs.get(1), "every user's pairs, whatever the partitioning");
    assertEquals("u0", models[0].userId(0));
    assertEquals(relative(models[0].basis(), models[1].basis()), 0, 1e-5);
    assertEquals(
        Double.parseDouble(models[0].metadata().get("finalLoss")),
        Double.parseDouble(models[1].metadata().get("finalLoss")),
        1e-6);
  }

  @Test
  void theAdamOptimizerIsRefusedWithTheReason() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(TrainConfig.paper()));
    assertTrue(e.getMessage().contains("ALTERNATING"), e.getMessage());
  }
}
