package lore.experiment.methods;

import java.util.SplittableRandom;
import lore.PreferenceData;

/**
 * A planted preference problem: items e in R^d (Gaussian), two hidden reward directions v_0, v_1;
 * user u belongs to group u mod 2 and prefers the item with the larger {@code v_g . e}. Seen users
 * have training and held-out test pairs; new users have few-shot and test pairs.
 */
record Planted(
    PreferenceData train,
    PreferenceData seenTest,
    PreferenceData fewShot,
    PreferenceData newTest,
    float[] populationReward) {

  static Planted create(
      long seed,
      int items,
      int d,
      int seenUsers,
      int newUsers,
      int trainPairs,
      int fewShot,
      int testPairs) {
    var rnd = new SplittableRandom(seed);
    float[] e = new float[items * d];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    double[][] v = new double[2][d];
    for (double[] row : v) {
      for (int j = 0; j < d; j++) {
        row[j] = rnd.nextGaussian();
      }
    }
    double[][] reward = new double[2][items];
    float[] mean = new float[items];
    for (int g = 0; g < 2; g++) {
      for (int i = 0; i < items; i++) {
        for (int j = 0; j < d; j++) {
          reward[g][i] += v[g][j] * e[i * d + j];
        }
        mean[i] += (float) (reward[g][i] / 2);
      }
    }
    PreferenceData first =
        pairs(PreferenceData.builder(e, items, d), "s", seenUsers, trainPairs, reward, rnd);
    return new Planted(
        first,
        pairs(PreferenceData.builder(first), "s", seenUsers, testPairs, reward, rnd),
        pairs(PreferenceData.builder(first), "n", newUsers, fewShot, reward, rnd),
        pairs(PreferenceData.builder(first), "n", newUsers, testPairs, reward, rnd),
        mean);
  }

  private static PreferenceData pairs(
      PreferenceData.Builder b,
      String prefix,
      int users,
      int perUser,
      double[][] reward,
      SplittableRandom rnd) {
    int items = reward[0].length;
    for (int u = 0; u < users; u++) {
      double[] r = reward[u % 2];
      for (int q = 0; q < perUser; q++) {
        int x = rnd.nextInt(items);
        int y = rnd.nextInt(items - 1);
        y = y >= x ? y + 1 : y;
        b.add(prefix + u, r[x] > r[y] ? x : y, r[x] > r[y] ? y : x);
      }
    }
    return b.build();
  }

  /** Fraction of positive margins. */
  static double accuracy(float[] margins) {
    int ok = 0;
    for (float m : margins) {
      if (m > 0) {
        ok++;
      }
    }
    return (double) ok / margins.length;
  }

  /** Default sizes: 300 items, d = 8, 40 seen and 20 new users, 30 train, 10 few-shot, 20 test. */
  static Planted small(long seed) {
    return create(seed, 300, 8, 40, 20, 30, 10, 20);
  }
}
