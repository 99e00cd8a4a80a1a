package lore.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lore.PreferenceData;

/**
 * The seen/unseen protocol of the LoRe paper on real per-user data. Users are shuffled (seeded);
 * a fraction becomes <em>unseen</em>. Each user's data is split into a train part and a test part:
 * for ratings, by <em>items</em> (a user's rated items are split, then pairs are formed within each
 * part, so no test pair shares an item with that user's train pairs); for comparisons, by pairs.
 * Seen users' train pairs train the model; unseen users contribute only their first {@code
 * fewShot} train pairs, to fit their weights with the basis frozen. Both are evaluated on their
 * test pairs. Users left without a train or a test pair are dropped.
 *
 * @param unseenFraction share of users held out as unseen, in [0, 1)
 * @param fewShot few-shot pairs per unseen user, at least 1
 * @param testFraction share of each user's items (ratings) or pairs (comparisons) held out for test
 * @param seed the seed of the user shuffle and the per-user splits
 */
public record Protocol(double unseenFraction, int fewShot, double testFraction, long seed) {
  /** Validates the fields. */
  public Protocol {
    if (!(unseenFraction >= 0 && unseenFraction < 1)) {
      throw new IllegalArgumentException("unseen fraction must be in [0, 1), got " + unseenFraction);
    }
    if (fewShot < 1) {
      throw new IllegalArgumentException("few-shot pairs must be at least 1, got " + fewShot);
    }
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
    }
  }

  /**
   * The four sets of the protocol, all sharing one item table.
   *
   * @param train seen users' train pairs
   * @param fewShot unseen users' few-shot pairs
   * @param testSeen seen users' test pairs
   * @param testUnseen unseen users' test pairs
   * @param droppedUsers users without a train or test pair
   */
  public record Splits(
      PreferenceData train,
      PreferenceData fewShot,
      PreferenceData testSeen,
      PreferenceData testUnseen,
      int droppedUsers) {}

  /**
   * Splits ratings by items per user and turns each part into pairs with {@code rules}.
   *
   * @param items n x d item table, validated once and shared by the four sets
   */
  public Splits fromRatings(Ratings r, RatingsToPairs rules, float[] items, int n, int d) {
    List<UserPairs> train = new ArrayList<>();
    List<UserPairs> test = new ArrayList<>();
    for (int u = 0; u < r.userCount(); u++) {
      int m = r.end(u) - r.start(u);
      int[] it = new int[m];
      float[] sc = new float[m];
      for (int i = 0; i < m; i++) {
        it[i] = r.item(r.start(u) + i);
        sc[i] = r.score(r.start(u) + i);
      }
      SplittableRandom rnd = rules.random(u);
      shuffle(it, sc, rnd);
      int nTest = (int) Math.round(testFraction * m);
      int[] testItems = java.util.Arrays.copyOfRange(it, 0, nTest);
      float[] testScores = java.util.Arrays.copyOfRange(sc, 0, nTest);
      int[] trainItems = java.util.Arrays.copyOfRange(it, nTest, m);
      float[] trainScores = java.util.Arrays.copyOfRange(sc, nTest, m);
      train.add(rules.pairs(r.userId(u), trainItems, trainScores, trainItems.length, rnd));
      test.add(rules.pairs(r.userId(u), testItems, testScores, testItems.length, rnd));
    }
    return assemble(train, test, items, n, d);
  }

  /** Splits each user's comparisons by pairs (a random {@code testFraction} to test). */
  public Splits fromComparisons(List<UserPairs> users, float[] items, int n, int d) {
    List<UserPairs> train = new ArrayList<>();
    List<UserPairs> test = new ArrayList<>();
    for (int u = 0; u < users.size(); u++) {
      UserPairs p = users.get(u);
      int[] c = p.chosen().clone();
      int[] rj = p.rejected().clone();
      SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + u);
      for (int i = c.length - 1; i > 0; i--) {
        int k = rnd.nextInt(i + 1);
        int t = c[i];
        c[i] = c[k];
        c[k] = t;
        t = rj[i];
        rj[i] = rj[k];
        rj[k] = t;
      }
      int nTest = (int) Math.round(testFraction * c.length);
      UserPairs all = new UserPairs(p.user(), c, rj);
      test.add(all.slice(0, nTest));
      train.add(all.slice(nTest, c.length));
    }
    return assemble(train, test, items, n, d);
  }

  private Splits assemble(List<UserPairs> train, List<UserPairs> test, float[] items, int n, int d) {
    int users = train.size();
    int[] order = new int[users];
    for (int i = 0; i < users; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = users - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[k];
      order[k] = t;
    }
    int unseen = (int) Math.round(unseenFraction * users);
    PreferenceData.Builder tr = PreferenceData.builder(items, n, d);
    int dropped = 0;
    boolean[] keep = new boolean[users];
    for (int i = 0; i < users; i++) {
      int u = order[i];
      keep[u] = train.get(u).size() > 0 && test.get(u).size() > 0;
      if (!keep[u]) {
        dropped++;
      } else if (i >= unseen) {
        add(tr, train.get(u), train.get(u).size());
      }
    }
    PreferenceData trainData = tr.build();
    PreferenceData.Builder fs = PreferenceData.builder(trainData);
    PreferenceData.Builder ts = PreferenceData.builder(trainData);
    PreferenceData.Builder tu = PreferenceData.builder(trainData);
    for (int i = 0; i < users; i++) {
      int u = order[i];
      if (!keep[u]) {
        continue;
      }
      if (i < unseen) {
        add(fs, train.get(u), fewShot);
        add(tu, test.get(u), test.get(u).size());
      } else {
        add(ts, test.get(u), test.get(u).size());
      }
    }
    return new Splits(trainData, fs.build(), ts.build(), tu.build(), dropped);
  }

  private static void add(PreferenceData.Builder b, UserPairs p, int max) {
    for (int i = 0; i < Math.min(max, p.size()); i++) {
      b.add(p.user(), p.chosen()[i], p.rejected()[i]);
    }
  }

  private static void shuffle(int[] it, float[] sc, SplittableRandom rnd) {
    for (int i = it.length - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      int t = it[i];
      it[i] = it[k];
      it[k] = t;
      float s = sc[i];
      sc[i] = sc[k];
      sc[k] = s;
    }
  }
}
