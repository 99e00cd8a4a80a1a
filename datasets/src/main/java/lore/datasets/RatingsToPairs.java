package lore.datasets;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.util.SplittableRandom;
import lore.PreferenceData;

/**
 * Within-user pairwise preferences from ratings: for items i, j rated by the same user with {@code
 * score_i - score_j >= minGap}, the pair (chosen i, rejected j). Ties (equal scores) are always
 * dropped, even with {@code minGap = 0}. If a user has more qualifying pairs than {@code
 * maxPairsPerUser}, a uniform sample without replacement is kept, drawn from a generator seeded by
 * {@code seed} and the user's position, so results do not depend on other users. Pairs come out in
 * random order (a prefix is a uniform sample too).
 *
 * @param minGap the minimum score difference, at least 0
 * @param maxPairsPerUser the cap on pairs per user, at least 1
 * @param seed the sampling seed
 */
public record RatingsToPairs(double minGap, int maxPairsPerUser, long seed) {
  /** Validates the fields. */
  public RatingsToPairs {
    if (!(minGap >= 0) || !Double.isFinite(minGap)) {
      throw new IllegalArgumentException("min score gap must be >= 0 and finite, got " + minGap);
    }
    if (maxPairsPerUser < 1) {
      throw new IllegalArgumentException(
          "max pairs per user must be at least 1, got " + maxPairsPerUser);
    }
  }

  /** The generator of user {@code u}: independent of other users. */
  SplittableRandom random(int u) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + u);
  }

  /**
   * Every user's pairs under these rules, over {@code items} (whose ids the ratings were read by):
   * the engine's input. The embeddings are referenced, not copied.
   */
  public PreferenceData preferences(Ratings ratings, ItemTable items) {
    PreferenceData.Builder b =
        PreferenceData.builder(items.matrix().data(), items.rows(), items.cols());
    for (int u = 0; u < ratings.userCount(); u++) {
      UserPairs p = pairs(ratings, u);
      for (int i = 0; i < p.size(); i++) {
        b.add(p.user(), p.chosen()[i], p.rejected()[i]);
      }
    }
    return b.build();
  }

  /** All of user {@code u}'s pairs under these rules. */
  public UserPairs pairs(Ratings r, int u) {
    int m = r.end(u) - r.start(u);
    int[] items = new int[m];
    float[] scores = new float[m];
    for (int i = 0; i < m; i++) {
      items[i] = r.item(r.start(u) + i);
      scores[i] = r.score(r.start(u) + i);
    }
    return pairs(r.userId(u), items, scores, m, random(u));
  }

  /**
   * The pairs among {@code items[0..m)} with {@code scores[0..m)}, sampled with {@code rnd}.
   * Allocates O(m + kept pairs), or O(qualifying pairs) when there are at most {@link
   * #DENSE_PAIRS}.
   */
  UserPairs pairs(String user, int[] items, float[] scores, int m, SplittableRandom rnd) {
    return pairs(user, items, scores, m, rnd, DENSE_PAIRS);
  }

  /**
   * Up to this many qualifying pairs are listed in an array (8 bytes each) and shuffled there;
   * beyond it only the positions the shuffle touches are stored. A user with 66,000 ratings has
   * over 2^31 pairs: listing them asked for a 16 GB array.
   */
  static final int DENSE_PAIRS = 1 << 22;

  /** As {@link #pairs(String, int[], float[], int, SplittableRandom)}; both ways agree exactly. */
  UserPairs pairs(
      String user, int[] items, float[] scores, int m, SplittableRandom rnd, int densePairs) {
    long[] before = new long[m + 1]; // before[i]: qualifying pairs (a, b > a) with a < i
    for (int i = 0; i < m; i++) {
      long c = 0;
      for (int j = i + 1; j < m; j++) {
        if (qualifies(scores[i], scores[j])) {
          c++;
        }
      }
      before[i + 1] = before[i] + c;
    }
    // pairs past the largest Java array were never drawn; kept so that samples stay the same
    int n = (int) Math.min(before[m], Integer.MAX_VALUE - 8);
    int keep = Math.min(n, maxPairsPerUser);
    long[] drawn = new long[keep];
    if (n <= densePairs) {
      long[] all = new long[n];
      int at = 0;
      for (int i = 0; i < m && at < n; i++) {
        for (int j = i + 1; j < m && at < n; j++) {
          if (qualifies(scores[i], scores[j])) {
            all[at++] = code(scores, i, j);
          }
        }
      }
      for (int i = 0; i < keep; i++) { // partial Fisher-Yates: a uniform sample in random order
        int k = i + rnd.nextInt(n - i);
        long t = all[i];
        all[i] = all[k];
        all[k] = t;
      }
      System.arraycopy(all, 0, drawn, 0, keep);
    } else {
      // the same partial Fisher-Yates over the same list, with only the moved entries stored
      Long2LongOpenHashMap moved = new Long2LongOpenHashMap();
      for (int i = 0; i < keep; i++) {
        int k = i + rnd.nextInt(n - i);
        long atK = moved.containsKey(k) ? moved.get(k) : pairAt(k, before, scores, m);
        long atI = moved.containsKey(i) ? moved.get(i) : pairAt(i, before, scores, m);
        moved.put(k, atI);
        drawn[i] = atK; // position i is never drawn again
      }
    }
    int[] c = new int[keep];
    int[] rj = new int[keep];
    for (int i = 0; i < keep; i++) {
      c[i] = items[(int) (drawn[i] >>> 32)];
      rj[i] = items[(int) drawn[i]];
    }
    return new UserPairs(user, c, rj);
  }

  /** The qualifying pair (i, j &gt; i), coded {@code chosen << 32 | rejected}. */
  private static long code(float[] scores, int i, int j) {
    return scores[i] > scores[j] ? ((long) i << 32) | j : ((long) j << 32) | i;
  }

  /** The p-th qualifying pair in the order (0, 1), (0, 2), ..., (1, 2), ...: O(log m + m). */
  private long pairAt(long p, long[] before, float[] scores, int m) {
    int lo = 0;
    int hi = m - 1; // the last i with before[i] <= p
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (before[mid] <= p) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    long r = p - before[lo];
    for (int j = lo + 1; j < m; j++) {
      if (qualifies(scores[lo], scores[j]) && r-- == 0) {
        return code(scores, lo, j);
      }
    }
    throw new IllegalStateException("pair " + p + " not found"); // before[] is its own count
  }

  private boolean qualifies(float a, float b) {
    return a != b && Math.abs((double) a - b) >= minGap;
  }
}
