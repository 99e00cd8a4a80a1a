package lore.experiment;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import lore.PreferenceData;

/**
 * Random splits of one ratings-style {@link PreferenceData} (every user compares items of one
 * shared table, e.g. jokes): per split, a random fraction of the users is unseen, and a random
 * fraction of the item groups (items, or prompts when a prompt id per item is given) is test-only.
 * Training and few-shot pairs use only non-test items, test pairs only test items; pairs across the
 * two are dropped. Users left without a training (few-shot) pair or without a test pair are dropped
 * from that split.
 */
public final class ItemSplitDataset extends UserPairsDataset {
  private final int[] itemGroup;

  /**
   * @param data every user's pairs (not copied)
   * @param name dataset name for the description, e.g. {@code "jester5k"}
   * @param itemGroup prompt id of each item (length {@code itemCount}), so that disjointness holds
   *     per prompt; {@code null} for per-item disjointness. Not modified, not copied.
   * @param unseenFraction fraction of users that are unseen, in (0, 1); the paper uses 0.5
   * @param testFraction fraction of item groups that are test-only, in (0, 1)
   * @param maxTrainPairs cap on training pairs per seen user (a random subset); 0 for all
   */
  public ItemSplitDataset(
      PreferenceData data,
      String name,
      int[] itemGroup,
      double unseenFraction,
      double testFraction,
      int maxTrainPairs) {
    this(data, name, itemGroup, unseenFraction, testFraction, maxTrainPairs, null);
  }

  private ItemSplitDataset(
      PreferenceData data,
      String name,
      int[] itemGroup,
      double unseenFraction,
      double testFraction,
      int maxTrainPairs,
      java.util.List<String> itemIds) {
    super(data, name, unseenFraction, testFraction, maxTrainPairs, itemIds);
    if (itemGroup != null && itemGroup.length != data.itemCount()) {
      throw new IllegalArgumentException(
          "item groups for " + itemGroup.length + " items, data has " + data.itemCount());
    }
    if (itemGroup != null && Arrays.stream(itemGroup).anyMatch(g -> g < 0)) {
      throw new IllegalArgumentException("item groups must be >= 0");
    }
    this.itemGroup = itemGroup;
  }

  /** This dataset with ids for the rows of its item table (see {@link #itemIds()}). */
  public ItemSplitDataset withItemIds(java.util.List<String> ids) {
    return new ItemSplitDataset(
        data, name, itemGroup, unseenFraction, testFraction, maxTrainPairs, ids);
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "%s: %d items x d=%d, %d users, %d pairs; %s-disjoint, test fraction %s, unseen fraction"
            + " %s, max train pairs %s",
        name,
        data.itemCount(),
        data.dim(),
        data.userCount(),
        data.pairCount(),
        itemGroup == null ? "item" : "prompt",
        testFraction,
        unseenFraction,
        trainPairsCap());
  }

  @Override
  public int[] foldGroups(PreferenceData d) {
    if (itemGroup == null || d.itemCount() != itemGroup.length) {
      return java.util.stream.IntStream.range(0, d.itemCount()).toArray(); // each item its own
    }
    return itemGroup.clone();
  }

  private IntUnaryOperator groupOf() {
    int[] g = itemGroup;
    return g == null ? i -> i : i -> g[i];
  }

  @Override
  public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
    Splits.checkFraction("validation fraction", validationFraction);
    SplittableRandom rnd = new SplittableRandom(seed);
    IntUnaryOperator groupOf = groupOf();
    boolean[] test = Splits.pickGroups(data, groupOf, testFraction, rnd.split());
    int users = data.userCount();
    boolean[] unseen = Splits.unseenUsers(users, unseenFraction, rnd.split());
    PreferenceData.Builder train = PreferenceData.builder(data);
    PreferenceData.Builder testSeen = PreferenceData.builder(data);
    PreferenceData.Builder pool = PreferenceData.builder(data);
    PreferenceData.Builder testUnseen = PreferenceData.builder(data);
    SplittableRandom pairRnd = rnd.split();
    int[] fit = new int[16];
    int[] held = new int[16];
    for (int u = 0; u < users; u++) { // users in data order; each draws from its own stream
      SplittableRandom userRnd = pairRnd.split();
      int nFit = 0;
      int nHeld = 0;
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        boolean c = test[groupOf.applyAsInt(data.chosen(p))];
        boolean r = test[groupOf.applyAsInt(data.rejected(p))];
        if (!c && !r) {
          fit = grow(fit, nFit);
          fit[nFit++] = p;
        } else if (c && r) {
          held = grow(held, nHeld);
          held[nHeld++] = p;
        }
      }
      if (nFit == 0 || nHeld == 0) {
        continue;
      }
      Splits.shuffle(fit, nFit, userRnd);
      String id = data.userId(u);
      int take = unseen[u] ? Math.min(nFit, fewShotPairs) : nFit;
      if (!unseen[u] && maxTrainPairs > 0) {
        take = Math.min(take, maxTrainPairs);
      }
      PreferenceData.Builder fitTo = unseen[u] ? pool : train;
      PreferenceData.Builder testTo = unseen[u] ? testUnseen : testSeen;
      for (int i = 0; i < take; i++) {
        fitTo.add(id, data.chosen(fit[i]), data.rejected(fit[i]));
      }
      for (int i = 0; i < nHeld; i++) {
        testTo.add(id, data.chosen(held[i]), data.rejected(held[i]));
      }
    }
    if (train.size() == 0 || pool.size() == 0) {
      throw new IllegalArgumentException(
          description()
              + ": split "
              + index
              + " has no seen or no unseen user with both"
              + " training and test pairs");
    }
    PreferenceData tr = train.build();
    PreferenceData fs = pool.build();
    Splits.Parts v = Splits.holdOut(tr, groupOf, validationFraction, rnd.split());
    PreferenceData ts = testSeen.build();
    PreferenceData tu = testUnseen.build();
    String what =
        String.format(
            Locale.ROOT,
            "seed %d: train %s, test seen %s, few-shot pool %s, test unseen %s",
            seed,
            SyntheticDataset.count(tr),
            SyntheticDataset.count(ts),
            SyntheticDataset.count(fs),
            SyntheticDataset.count(tu));
    return new Split(index, seed, what, tr, ts, fs, tu, v.rest(), v.heldOut());
  }

  private static int[] grow(int[] a, int n) {
    return n < a.length ? a : Arrays.copyOf(a, 2 * a.length);
  }
}
