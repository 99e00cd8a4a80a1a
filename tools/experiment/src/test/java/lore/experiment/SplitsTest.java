package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import lore.PreferenceData;
import lore.datasets.ItemTable;
import lore.datasets.Jester5k;
import lore.datasets.RatingsToPairs;
import lore.datasets.SyntheticConfig;
import org.junit.jupiter.api.Test;

/** No test pair shares a prompt (item) with a training, validation or few-shot pair. */
class SplitsTest {
  static final long SEED = Long.getLong("lore.test.seed", 20250611L);

  static SyntheticConfig tiny() {
    return new SyntheticConfig(16, 120, 30, 4, 5, 0.01, 12, 10, 20, 9, 7L);
  }

  @Test
  void syntheticSplitKeepsTestPromptsOutOfTraining() {
    SyntheticConfig c = tiny();
    SyntheticDataset ds = new SyntheticDataset(c);
    int r = c.responsesPerPrompt();
    Split s0 = ds.split(0, SEED, 20, 0.25);
    Split s1 = ds.split(1, SEED + 1, 20, 0.25);
    for (Split s : new Split[] {s0, s1}) {
      String msg = "seed=" + SEED + " split " + s.index();
      IntUnaryOperator prompt = i -> i / r;
      Set<Integer> testPrompts = groups(prompt, s.testSeen(), s.testUnseen());
      Set<Integer> fitPrompts =
          groups(prompt, s.train(), s.fewShotPool(), s.validationTrain(), s.validation());
      assertDisjoint(testPrompts, fitPrompts, msg);
      for (int p : fitPrompts) {
        assertTrue(p < c.trainPrompts(), msg);
      }
      assertDisjoint(
          groups(prompt, s.validation()), groups(prompt, s.validationTrain()), msg + " validation");
      checkUsers(s, msg);
      assertEquals(20, s.fewShotAvailable(), msg);
    }
    // a split is a new draw of the generator: other users' weights, other pairs
    assertNotEquals(pairsOf(s0.train()), pairsOf(s1.train()));
  }

  @Test
  void itemSplitKeepsTestItemsOutOfTraining() {
    PreferenceData all = randomRatings(new SplittableRandom(SEED), 60, 30, 50);
    ItemSplitDataset ds = new ItemSplitDataset(all, "random", null, 0.5, 0.3, 0);
    for (int i = 0; i < 3; i++) {
      Split s = ds.split(i, SEED + i, 9, 0.25);
      String msg = "seed=" + SEED + " split " + i;
      IntUnaryOperator item = x -> x;
      assertDisjoint(
          groups(item, s.testSeen(), s.testUnseen()),
          groups(item, s.train(), s.fewShotPool(), s.validationTrain(), s.validation()),
          msg);
      assertDisjoint(groups(item, s.validation()), groups(item, s.validationTrain()), msg);
      checkUsers(s, msg);
      assertTrue(s.testUnseen().userCount() >= 10, msg);
    }
  }

  @Test
  void jesterSplitKeepsTestJokesOutOfTraining() throws java.io.IOException {
    ItemTable jokes = Jester5k.embeddings();
    PreferenceData all =
        new RatingsToPairs(0, 40, SEED).preferences(Jester5k.ratings(jokes.index()), jokes);
    ItemSplitDataset ds = new ItemSplitDataset(all, "jester5k", null, 0.5, 0.3, 0);
    Split s = ds.split(0, SEED, 9, 0.3);
    String msg = "seed=" + SEED;
    IntUnaryOperator item = x -> x;
    assertDisjoint(
        groups(item, s.testSeen(), s.testUnseen()),
        groups(item, s.train(), s.fewShotPool(), s.validationTrain(), s.validation()),
        msg);
    checkUsers(s, msg);
    assertTrue(s.testSeen().userCount() > 1000, msg + " " + s.description());
  }

  @Test
  void itemSplitWithPromptsKeepsTestPromptsOutOfTraining() {
    PreferenceData all = randomRatings(new SplittableRandom(SEED ^ 1), 90, 20, 60);
    int[] promptOf = new int[90];
    for (int i = 0; i < promptOf.length; i++) {
      promptOf[i] = i / 3;
    }
    ItemSplitDataset ds = new ItemSplitDataset(all, "random", promptOf, 0.4, 0.3, 25);
    Split s = ds.split(0, SEED, 5, 0.3);
    IntUnaryOperator prompt = x -> promptOf[x];
    assertDisjoint(
        groups(prompt, s.testSeen(), s.testUnseen()),
        groups(prompt, s.train(), s.fewShotPool(), s.validationTrain(), s.validation()),
        "seed=" + SEED);
    for (int u = 0; u < s.train().userCount(); u++) {
      assertTrue(s.train().pairEnd(u) - s.train().pairStart(u) <= 25);
    }
    checkUsers(s, "seed=" + SEED);
  }

  @Test
  void fewShotSetsAreNestedPrefixes() {
    Split s = new SyntheticDataset(tiny()).split(0, SEED, 9, 0.25);
    PreferenceData k2 = s.fewShot(2);
    PreferenceData k5 = s.fewShot(5);
    assertEquals(s.fewShotPool().userCount(), k2.userCount());
    for (int u = 0; u < k2.userCount(); u++) {
      assertEquals(2, k2.pairEnd(u) - k2.pairStart(u));
      assertEquals(5, k5.pairEnd(u) - k5.pairStart(u));
      for (int q = 0; q < 2; q++) {
        assertEquals(k5.chosen(k5.pairStart(u) + q), k2.chosen(k2.pairStart(u) + q));
        assertEquals(k5.rejected(k5.pairStart(u) + q), k2.rejected(k2.pairStart(u) + q));
      }
    }
    // more than available: each user keeps all of its pairs
    assertEquals(s.fewShotPool().pairCount(), s.fewShot(1000).pairCount());
  }

  @Test
  void splitsAreDeterministic() {
    PreferenceData all = randomRatings(new SplittableRandom(SEED), 40, 16, 30);
    ItemSplitDataset ds = new ItemSplitDataset(all, "random", null, 0.5, 0.3, 0);
    String first = pairsOf(ds.split(0, 5, 9, 0.2).testSeen());
    assertEquals(first, pairsOf(ds.split(0, 5, 9, 0.2).testSeen()));
    assertNotEquals(first, pairsOf(ds.split(1, 6, 9, 0.2).testSeen()));
  }

  /** Seen and unseen users disjoint; every tested user can be scored. */
  static void checkUsers(Split s, String msg) {
    Set<String> seen = users(s.train());
    Set<String> unseen = users(s.fewShotPool());
    for (String u : unseen) {
      assertFalse(seen.contains(u), msg + ": user " + u + " is both seen and unseen");
    }
    assertTrue(seen.containsAll(users(s.testSeen())), msg);
    assertTrue(unseen.containsAll(users(s.testUnseen())), msg);
    assertEquals(users(s.testUnseen()), unseen, msg);
    assertTrue(users(s.validationTrain()).containsAll(users(s.validation())), msg);
    assertTrue(seen.containsAll(users(s.validationTrain())), msg);
  }

  static PreferenceData randomRatings(SplittableRandom rnd, int items, int users, int pairs) {
    int d = 4;
    float[] e = new float[items * d];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    PreferenceData.Builder b = PreferenceData.builder(e, items, d);
    for (int u = 0; u < users; u++) {
      for (int p = 0; p < pairs; p++) {
        int c = rnd.nextInt(items);
        int r = rnd.nextInt(items - 1);
        b.add("user-" + u, c, r >= c ? r + 1 : r);
      }
    }
    return b.build();
  }

  static Set<Integer> groups(IntUnaryOperator groupOf, PreferenceData... sets) {
    Set<Integer> g = new HashSet<>();
    for (PreferenceData d : sets) {
      for (int p = 0; p < d.pairCount(); p++) {
        g.add(groupOf.applyAsInt(d.chosen(p)));
        g.add(groupOf.applyAsInt(d.rejected(p)));
      }
    }
    return g;
  }

  static Set<String> users(PreferenceData d) {
    Set<String> s = new HashSet<>();
    for (int u = 0; u < d.userCount(); u++) {
      s.add(d.userId(u));
    }
    return s;
  }

  static String pairsOf(PreferenceData d) {
    StringBuilder b = new StringBuilder();
    for (int u = 0; u < d.userCount(); u++) {
      for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
        b.append(d.userId(u))
            .append(':')
            .append(d.chosen(p))
            .append('>')
            .append(d.rejected(p))
            .append(' ');
      }
    }
    return b.toString();
  }

  static void assertDisjoint(Set<Integer> a, Set<Integer> b, String msg) {
    Set<Integer> both = new HashSet<>(a);
    both.retainAll(b);
    assertTrue(both.isEmpty(), () -> msg + ": shared " + both);
    assertFalse(a.isEmpty(), msg);
    assertFalse(b.isEmpty(), msg);
  }
}
