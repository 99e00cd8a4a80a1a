package lore.experiment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.datasets.ItemTable;
import lore.datasets.UserPairs;
import lore.datasets.Zappos5;

/**
 * Random splits of one {@link PreferenceData} by pair, not by item: for datasets with too few items
 * for {@link ItemSplitDataset} (Zappos5 has 5 shoes, so holding out items leaves almost no
 * within-user pair on either side). Test items were seen in training; what is held out is the
 * comparison.
 *
 * <p>Per split, a random fraction of the users is unseen (as in {@link ItemSplitDataset}). Each
 * user's pairs are grouped by comparison, the unordered item pair {c, r}, so that a comparison the
 * user answered twice never lands on both sides; a random {@code testFraction} of each user's
 * comparisons (at least one, and at least one left) is test-only. Seen users train on the rest
 * (capped at {@code maxTrainPairs}); unseen users' remaining pairs, shuffled, are the few-shot pool
 * (the few-shot set for k is its first k, so no few-shot pair is a test comparison). Rank selection
 * holds out, per seen user, a random {@code validationFraction} of that user's training comparisons
 * (users with a single training comparison keep it for training). Users with fewer than two
 * distinct comparisons are dropped from the split.
 */
public final class PairSplitDataset extends UserPairsDataset {

  /**
   * @param data every user's pairs (not copied)
   * @param name dataset name for the description, e.g. {@code "zappos5"}
   * @param unseenFraction fraction of users that are unseen, in (0, 1); the paper uses 0.5
   * @param testFraction fraction of each user's comparisons that are test-only, in (0, 1)
   * @param maxTrainPairs cap on training pairs per seen user (a random subset); 0 for all
   */
  public PairSplitDataset(
      PreferenceData data,
      String name,
      double unseenFraction,
      double testFraction,
      int maxTrainPairs) {
    this(data, name, unseenFraction, testFraction, maxTrainPairs, null);
  }

  private PairSplitDataset(
      PreferenceData data,
      String name,
      double unseenFraction,
      double testFraction,
      int maxTrainPairs,
      java.util.List<String> itemIds) {
    super(data, name, unseenFraction, testFraction, maxTrainPairs, itemIds);
  }

  /**
   * The Zappos5 comparisons (6,000 workers x the 10 pairs of 5 shoes, one-hot items, d = 5) as one
   * dataset: the bundled copy, or {@code dir/zappos_6000.csv} when {@code dir} is not null.
   */
  public static PreferenceData zappos5(java.nio.file.Path dir) throws IOException {
    ItemTable items = Zappos5.items();
    PreferenceData.Builder b =
        PreferenceData.builder(items.matrix().data(), items.rows(), items.cols());
    List<UserPairs> users =
        dir == null ? Zappos5.comparisons() : Zappos5.comparisons(dir.resolve("zappos_6000.csv"));
    for (UserPairs u : users) {
      for (int i = 0; i < u.size(); i++) {
        b.add(u.user(), u.chosen()[i], u.rejected()[i]);
      }
    }
    return b.build();
  }

  /** This dataset with ids for the rows of its item table (see {@link #itemIds()}). */
  public PairSplitDataset withItemIds(java.util.List<String> ids) {
    return new PairSplitDataset(data, name, unseenFraction, testFraction, maxTrainPairs, ids);
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "%s: %d items x d=%d, %d users, %d pairs; split by pair, NOT item-disjoint (test items"
            + " were seen in training; a user's test comparisons are not in their training,"
            + " validation or few-shot pairs), test fraction %s of each user's comparisons,"
            + " unseen fraction %s, max train pairs %s",
        name,
        data.itemCount(),
        data.dim(),
        data.userCount(),
        data.pairCount(),
        testFraction,
        unseenFraction,
        trainPairsCap());
  }

  /** Split by comparison (test items were seen in training): folds over each user's pairs. */
  @Override
  public int[] foldGroups(PreferenceData d) {
    return null;
  }

  /** Rank selection holds out comparisons of each seen user, not prompts or items. */
  static final String VALIDATION_UNIT = "training comparisons (pairs, per user)";

  @Override
  public String validationUnit() {
    return VALIDATION_UNIT;
  }

  /**
   * The few-shot pairs every unseen user is sure to get, whatever the split: the fewest non-test
   * comparisons of any user the splits keep (users with two or more distinct comparisons). A main
   * table k above it would silently give some users fewer pairs.
   */
  public int fewShotGuaranteed() {
    int min = Integer.MAX_VALUE;
    for (int u = 0; u < data.userCount(); u++) {
      int n = comparisons(data, data.pairStart(u), data.pairEnd(u)).size();
      if (n >= 2) {
        min = Math.min(min, n - testCount(n));
      }
    }
    return min == Integer.MAX_VALUE ? 0 : min;
  }

  private int testCount(int comparisons) {
    return Math.max(1, Math.min(comparisons - 1, (int) Math.round(testFraction * comparisons)));
  }

  @Override
  public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
    Splits.checkFraction("validation fraction", validationFraction);
    SplittableRandom rnd = new SplittableRandom(seed);
    int users = data.userCount();
    boolean[] unseen = Splits.unseenUsers(users, unseenFraction, rnd.split());
    PreferenceData.Builder train = PreferenceData.builder(data);
    PreferenceData.Builder testSeen = PreferenceData.builder(data);
    PreferenceData.Builder pool = PreferenceData.builder(data);
    PreferenceData.Builder testUnseen = PreferenceData.builder(data);
    PreferenceData.Builder valTrain = PreferenceData.builder(data);
    PreferenceData.Builder val = PreferenceData.builder(data);
    SplittableRandom pairRnd = rnd.split();
    SplittableRandom valRnd = rnd.split();
    for (int u = 0; u < users; u++) { // users in data order; each draws from its own streams
      SplittableRandom userRnd = pairRnd.split();
      SplittableRandom userValRnd = valRnd.split();
      List<int[]> groups = comparisons(data, data.pairStart(u), data.pairEnd(u));
      int n = groups.size();
      if (n < 2) {
        continue;
      }
      shuffle(groups, userRnd);
      int nTest = testCount(n);
      String id = data.userId(u);
      PreferenceData.Builder testTo = unseen[u] ? testUnseen : testSeen;
      for (int g = 0; g < nTest; g++) {
        for (int p : groups.get(g)) {
          testTo.add(id, data.chosen(p), data.rejected(p));
        }
      }
      int[] fit = flatten(groups.subList(nTest, n));
      Splits.shuffle(fit, fit.length, userRnd);
      int take = unseen[u] ? Math.min(fit.length, Math.max(1, fewShotPairs)) : fit.length;
      if (!unseen[u] && maxTrainPairs > 0) {
        take = Math.min(take, maxTrainPairs);
      }
      int[] kept = java.util.Arrays.copyOf(fit, take);
      for (int p : kept) {
        (unseen[u] ? pool : train).add(id, data.chosen(p), data.rejected(p));
      }
      if (!unseen[u]) {
        holdOut(id, kept, validationFraction, userValRnd, valTrain, val);
      }
    }
    if (train.size() == 0 || pool.size() == 0) {
      throw new IllegalArgumentException(
          description()
              + ": split "
              + index
              + " has no seen or no unseen user with two or more"
              + " distinct comparisons");
    }
    PreferenceData tr = train.build();
    PreferenceData fs = pool.build();
    PreferenceData ts = testSeen.build();
    PreferenceData tu = testUnseen.build();
    PreferenceData vt = val.size() == 0 ? null : valTrain.build();
    PreferenceData v = val.size() == 0 ? null : val.build();
    String what =
        String.format(
            Locale.ROOT,
            "seed %d: train %s, test seen %s, few-shot pool %s, test unseen %s",
            seed,
            SyntheticDataset.count(tr),
            SyntheticDataset.count(ts),
            SyntheticDataset.count(fs),
            SyntheticDataset.count(tu));
    return new Split(index, seed, what, tr, ts, fs, tu, vt, v);
  }

  /**
   * Holds out a random {@code fraction} of one seen user's training comparisons (at least one, at
   * least one left; none when the user has a single comparison).
   */
  private void holdOut(
      String id,
      int[] pairs,
      double fraction,
      SplittableRandom rnd,
      PreferenceData.Builder rest,
      PreferenceData.Builder heldOut) {
    List<int[]> groups = comparisonsOf(data, pairs);
    int n = groups.size();
    int held = n < 2 ? 0 : Math.max(1, Math.min(n - 1, (int) Math.round(fraction * n)));
    shuffle(groups, rnd);
    for (int g = 0; g < n; g++) {
      for (int p : groups.get(g)) {
        (g < held ? heldOut : rest).add(id, data.chosen(p), data.rejected(p));
      }
    }
  }

  /** Pair indices [from, to) grouped by unordered item pair, groups in first-seen order. */
  private static List<int[]> comparisons(PreferenceData d, int from, int to) {
    int[] pairs = new int[to - from];
    for (int p = from; p < to; p++) {
      pairs[p - from] = p;
    }
    return comparisonsOf(d, pairs);
  }

  private static List<int[]> comparisonsOf(PreferenceData d, int[] pairs) {
    Map<Long, List<Integer>> byKey = new LinkedHashMap<>();
    for (int p : pairs) {
      byKey.computeIfAbsent(key(d, p), k -> new ArrayList<>()).add(p);
    }
    List<int[]> out = new ArrayList<>(byKey.size());
    for (List<Integer> g : byKey.values()) {
      out.add(g.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  /** The unordered item pair of pair p: the same for (a > b) and (b > a). */
  static long key(PreferenceData d, int p) {
    int a = Math.min(d.chosen(p), d.rejected(p));
    int b = Math.max(d.chosen(p), d.rejected(p));
    return (long) a * d.itemCount() + b;
  }

  private static int[] flatten(List<int[]> groups) {
    return groups.stream().flatMapToInt(java.util.Arrays::stream).toArray();
  }

  private static void shuffle(List<int[]> a, SplittableRandom rnd) {
    for (int i = a.size() - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      a.set(j, a.set(i, a.get(j)));
    }
  }
}
