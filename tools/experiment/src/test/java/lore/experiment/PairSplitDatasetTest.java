package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pair-level splits: no comparison (unordered item pair) of a user is on both the test side and the
 * training / validation / few-shot side; deterministic per seed; every user is assigned.
 */
class PairSplitDatasetTest {
  static final long SEED = Long.getLong("lore.test.seed", 20250611L);

  @TempDir Path dir;

  /**
   * Few items, many pairs per user: the same comparison comes up again and again, in both
   * orientations, so a per-pair (rather than per-comparison) split would leak.
   */
  static PreferenceData repeated(long seed) {
    return SplitsTest.randomRatings(new SplittableRandom(seed), 6, 40, 25);
  }

  @Test
  void testComparisonsNeverReachTrainingValidationOrFewShot() {
    PreferenceData all = repeated(SEED);
    PairSplitDataset ds = new PairSplitDataset(all, "random", 0.5, 0.3, 0);
    for (int i = 0; i < 4; i++) {
      Split s = ds.split(i, SEED + i, 7, 0.25);
      String msg = "seed=" + SEED + " split " + i;
      check(s, msg);
      assertNotNull(s.validation(), msg);
    }
  }

  @Test
  void zappos5SplitIsDisjointPerUserAndAssignsEveryUser() throws IOException {
    PreferenceData all = PairSplitDataset.zappos5(null);
    assertEquals(6000, all.userCount());
    assertEquals(60000, all.pairCount());
    assertEquals(5, all.dim());
    PairSplitDataset ds = new PairSplitDataset(all, "zappos5", 0.5, 0.2, 0);
    assertEquals(8, ds.fewShotGuaranteed());
    assertTrue(ds.description().contains("NOT item-disjoint"), ds.description());
    Split s = ds.split(0, SEED, 50, 0.2);
    String msg = "seed=" + SEED;
    check(s, msg);
    // every worker answered the 10 comparisons once: 2 test, 8 training / few-shot each
    Set<String> seen = SplitsTest.users(s.train());
    Set<String> unseen = SplitsTest.users(s.fewShotPool());
    assertEquals(3000, seen.size(), msg);
    assertEquals(3000, unseen.size(), msg);
    Set<String> everyone = new HashSet<>(seen);
    everyone.addAll(unseen);
    assertEquals(SplitsTest.users(all), everyone, msg);
    assertEquals(3000 * 8, s.train().pairCount(), msg);
    assertEquals(3000 * 2, s.testSeen().pairCount(), msg);
    assertEquals(3000 * 8, s.fewShotPool().pairCount(), msg);
    assertEquals(3000 * 2, s.testUnseen().pairCount(), msg);
    assertEquals(8, s.fewShotAvailable(), msg);
    // validation: round(0.2 x 8) = 2 of each seen user's 8 training comparisons
    assertEquals(3000 * 2, s.validation().pairCount(), msg);
    assertEquals(3000 * 6, s.validationTrain().pairCount(), msg);
  }

  @Test
  void everyPairOfAKeptUserIsUsedOnce() {
    PreferenceData all = repeated(SEED ^ 7);
    PairSplitDataset ds = new PairSplitDataset(all, "random", 0.4, 0.25, 0);
    Split s = ds.split(0, SEED, 1000, 0.2); // few-shot pool: every non-test pair
    Map<String, List<String>> before = pairsByUser(all);
    Map<String, List<String>> after =
        pairsByUser(s.train(), s.testSeen(), s.fewShotPool(), s.testUnseen());
    assertEquals(before.keySet(), after.keySet(), "every user is assigned");
    for (String u : before.keySet()) {
      List<String> a = new java.util.ArrayList<>(before.get(u));
      List<String> b = new java.util.ArrayList<>(after.get(u));
      java.util.Collections.sort(a);
      java.util.Collections.sort(b);
      assertEquals(a, b, "user " + u + ": each pair exactly once");
    }
    Map<String, List<String>> validation = pairsByUser(s.validationTrain(), s.validation());
    for (String u : SplitsTest.users(s.train())) {
      List<String> a = new java.util.ArrayList<>(pairsByUser(s.train()).get(u));
      List<String> b = new java.util.ArrayList<>(validation.get(u));
      java.util.Collections.sort(a);
      java.util.Collections.sort(b);
      assertEquals(a, b, "user " + u + ": validation split of the training pairs");
    }
  }

  @Test
  void splitsAreDeterministicPerSeed() throws IOException {
    PairSplitDataset ds = new PairSplitDataset(repeated(SEED), "random", 0.5, 0.3, 0);
    Split a = ds.split(0, 5, 9, 0.2);
    Split b = ds.split(0, 5, 9, 0.2);
    Split c = ds.split(1, 6, 9, 0.2);
    assertEquals(all(a), all(b));
    assertNotEquals(all(a), all(c));
    PairSplitDataset z = new PairSplitDataset(PairSplitDataset.zappos5(null), "z", 0.5, 0.2, 0);
    assertEquals(all(z.split(0, 3, 9, 0.2)), all(z.split(0, 3, 9, 0.2)));
    assertNotEquals(
        SplitsTest.pairsOf(z.split(0, 3, 9, 0.2).testSeen()),
        SplitsTest.pairsOf(z.split(0, 4, 9, 0.2).testSeen()));
  }

  @Test
  void capsTrainingPairsAndFewShotPool() {
    PairSplitDataset ds = new PairSplitDataset(repeated(SEED), "random", 0.5, 0.3, 4);
    Split s = ds.split(0, SEED, 3, 0.25);
    for (PreferenceData d : new PreferenceData[] {s.train(), s.fewShotPool()}) {
      for (int u = 0; u < d.userCount(); u++) {
        int n = d.pairEnd(u) - d.pairStart(u);
        assertTrue(n >= 1 && n <= (d == s.train() ? 4 : 3), "user " + d.userId(u) + ": " + n);
      }
    }
    check(s, "capped");
  }

  @Test
  void zappos5EndToEndWritesATable() throws IOException {
    ExperimentDataset ds = DatasetCatalog.zappos5(null, 0.5, 0.2, 47, 5);
    ExperimentConfig config =
        MethodCatalog.withMethods(
            TestMethods.oneSplit(ds, dir).withRankGrid(List.of(1, 3)),
            List.of("LoRe", "BT"),
            new MethodCatalog.Settings(
                lore.TrainConfig.defaults().withSteps(20).withThreads(2),
                lore.FitConfig.defaults()),
            true);
    new Experiment(config).run();
    String md = Files.readString(dir.resolve("results.md"));
    assertTrue(md.contains("split by pair, NOT item-disjoint"), md);
    assertTrue(md.contains("held-out training comparisons (pairs, per user) of the seen"), md);
    for (String m : new String[] {"LoRe", "BT"}) {
      String row =
          md.lines()
              .filter(l -> l.startsWith("| " + m + " |"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(md));
      double seen = Double.parseDouble(row.split("\\|")[2].trim().split(" ")[0]);
      assertTrue(seen > 55 && seen < 100, row); // the shoes are not a coin flip
    }
    assertTrue(Files.exists(dir.resolve("fewshot.png")));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> DatasetCatalog.zappos5(null, 0.5, 0.2, 47, 9));
    assertTrue(
        e.getMessage().contains("--few-shot 9: each zappos5 user has only 8 non-test"),
        e.getMessage());
  }

  /**
   * Per user: no test comparison on the fitting side; few-shot and test of unseen users disjoint;
   * validation and validation-train disjoint; the common user invariants.
   */
  static void check(Split s, String msg) {
    PreferenceData items = s.train();
    Map<String, Set<Long>> test = keys(s.testSeen(), s.testUnseen());
    Map<String, Set<Long>> fit =
        keys(s.train(), s.fewShotPool(), s.validationTrain(), s.validation());
    int compared = 0;
    for (Map.Entry<String, Set<Long>> e : test.entrySet()) {
      Set<Long> f = fit.get(e.getKey());
      assertNotNull(f, msg + ": tested user " + e.getKey() + " has no training or few-shot pair");
      for (long k : e.getValue()) {
        assertFalse(
            f.contains(k),
            msg + ": user " + e.getKey() + " has comparison " + k + " in test and training");
        compared++;
      }
    }
    assertTrue(compared > 0, msg);
    if (s.validation() != null) {
      Map<String, Set<Long>> v = keys(s.validation());
      Map<String, Set<Long>> vt = keys(s.validationTrain());
      for (Map.Entry<String, Set<Long>> e : v.entrySet()) {
        for (long k : e.getValue()) {
          assertFalse(vt.get(e.getKey()).contains(k), msg + ": validation leak " + e.getKey());
        }
      }
    }
    SplitsTest.checkUsers(s, msg);
    assertEquals(items.itemCount(), s.testUnseen().itemCount());
  }

  /** Each user's unordered item pairs over the given sets. */
  static Map<String, Set<Long>> keys(PreferenceData... sets) {
    Map<String, Set<Long>> out = new HashMap<>();
    for (PreferenceData d : sets) {
      if (d == null) {
        continue;
      }
      for (int u = 0; u < d.userCount(); u++) {
        Set<Long> k = out.computeIfAbsent(d.userId(u), x -> new HashSet<>());
        for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
          int a = Math.min(d.chosen(p), d.rejected(p));
          int b = Math.max(d.chosen(p), d.rejected(p));
          k.add((long) a * d.itemCount() + b);
        }
      }
    }
    return out;
  }

  static Map<String, List<String>> pairsByUser(PreferenceData... sets) {
    Map<String, List<String>> out = new HashMap<>();
    for (PreferenceData d : sets) {
      for (int u = 0; u < d.userCount(); u++) {
        List<String> l = out.computeIfAbsent(d.userId(u), x -> new java.util.ArrayList<>());
        for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
          l.add(d.chosen(p) + ">" + d.rejected(p));
        }
      }
    }
    return out;
  }

  static String all(Split s) {
    return String.join(
        "\n",
        SplitsTest.pairsOf(s.train()),
        SplitsTest.pairsOf(s.testSeen()),
        SplitsTest.pairsOf(s.fewShotPool()),
        SplitsTest.pairsOf(s.testUnseen()),
        s.validation() == null ? "-" : SplitsTest.pairsOf(s.validation()),
        s.validationTrain() == null ? "-" : SplitsTest.pairsOf(s.validationTrain()));
  }
}
