package lore.datasets;

import java.util.SplittableRandom;

/**
 * Within-user pairwise preferences from ratings: for items i, j rated by the same user with
 * {@code score_i - score_j >= minGap}, the pair (chosen i, rejected j). Ties (equal scores) are
 * always dropped, even with {@code minGap = 0}. If a user has more qualifying pairs than {@code
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
   * Allocates O(qualifying pairs).
   */
  UserPairs pairs(String user, int[] items, float[] scores, int m, SplittableRandom rnd) {
    long count = 0;
    for (int i = 0; i < m; i++) {
      for (int j = i + 1; j < m; j++) {
        if (qualifies(scores[i], scores[j])) {
          count++;
        }
      }
    }
    long[] all = new long[(int) Math.min(count, Integer.MAX_VALUE - 8)];
    int at = 0;
    for (int i = 0; i < m && at < all.length; i++) {
      for (int j = i + 1; j < m && at < all.length; j++) {
        if (qualifies(scores[i], scores[j])) {
          all[at++] = scores[i] > scores[j] ? ((long) i << 32) | j : ((long) j << 32) | i;
        }
      }
    }
    int keep = Math.min(all.length, maxPairsPerUser);
    for (int i = 0; i < keep; i++) { // partial Fisher-Yates: a uniform sample in random order
      int k = i + rnd.nextInt(all.length - i);
      long t = all[i];
      all[i] = all[k];
      all[k] = t;
    }
    int[] c = new int[keep];
    int[] rj = new int[keep];
    for (int i = 0; i < keep; i++) {
      c[i] = items[(int) (all[i] >>> 32)];
      rj[i] = items[(int) all[i]];
    }
    return new UserPairs(user, c, rj);
  }

  private boolean qualifies(float a, float b) {
    return a != b && Math.abs((double) a - b) >= minGap;
  }
}
