package lore.datasets;

import java.util.Objects;
import lore.PreferenceData;

/**
 * A generated synthetic dataset (see {@link SyntheticPersonalLlm}): the paper's four splits over
 * one shared item table, plus the hidden ground truth.
 *
 * <p>Arrays are held, not copied, and must not be modified. Immutable otherwise and thread-safe.
 *
 * @param config the configuration it was generated from
 * @param train seen users' pairs on train prompts ({@code trainPairsPerUser} each)
 * @param fewShot unseen users' pairs on train prompts ({@code fewShotPairsPerUser} each)
 * @param testSeen seen users' pairs on every test prompt
 * @param testUnseen unseen users' pairs on every test prompt
 * @param hiddenRewards items x rewardFunctions row-major: the hidden reward functions' values
 * @param seenWeights seenUsers x rewardFunctions row-major: row u is user {@code seen-u}'s weights
 *     on the simplex, and dense user u of {@code train} and {@code testSeen}
 * @param unseenWeights unseenUsers x rewardFunctions row-major, likewise for {@code unseen-u},
 *     {@code fewShot} and {@code testUnseen}
 */
public record SyntheticData(
    SyntheticConfig config,
    PreferenceData train,
    PreferenceData fewShot,
    PreferenceData testSeen,
    PreferenceData testUnseen,
    float[] hiddenRewards,
    float[] seenWeights,
    float[] unseenWeights) {

  /**
   * Checks the shapes against {@code config} and that the four datasets share one item table.
   *
   * @throws IllegalArgumentException on a null component, a shape mismatch, or datasets with
   *     different item tables
   */
  public SyntheticData {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(fewShot, "fewShot");
    Objects.requireNonNull(testSeen, "testSeen");
    Objects.requireNonNull(testUnseen, "testUnseen");
    Objects.requireNonNull(hiddenRewards, "hiddenRewards");
    Objects.requireNonNull(seenWeights, "seenWeights");
    Objects.requireNonNull(unseenWeights, "unseenWeights");
    if (train.itemCount() != config.itemCount() || train.dim() != config.dim()) {
      throw new IllegalArgumentException(
          "train has "
              + train.itemCount()
              + " items x dim "
              + train.dim()
              + ", config says "
              + config.itemCount()
              + " x "
              + config.dim());
    }
    if (fewShot.items() != train.items()
        || testSeen.items() != train.items()
        || testUnseen.items() != train.items()) {
      throw new IllegalArgumentException("the four datasets must share one item table");
    }
    int m = config.rewardFunctions();
    checkLength("hiddenRewards", hiddenRewards, (long) config.itemCount() * m);
    checkLength("seenWeights", seenWeights, (long) config.seenUsers() * m);
    checkLength("unseenWeights", unseenWeights, (long) config.unseenUsers() * m);
  }

  private static void checkLength(String name, float[] a, long expected) {
    if (a.length != expected) {
      throw new IllegalArgumentException(
          name + " has " + a.length + " floats, expected " + expected);
    }
  }

  /** The item table shared by all four datasets (not a copy), items x dim row-major. */
  public float[] items() {
    return train.items();
  }

  /**
   * Per-user accuracy of the true rewards on {@code test}: the fraction of each user's pairs with
   * {@code w . hiddenRewards[chosen] > w . hiddenRewards[rejected]} (strict, like {@link
   * lore.Evaluation}). On the generated pairs this is exactly 1.0 for every user by construction:
   * chosen and rejected are the argmax and argmin of this same double-precision sum, and prompts
   * whose responses all tie are skipped. So it is a sanity check of files and pipelines (pairs
   * swapped or mis-indexed after a round trip show up as values below 1), not a benchmark ceiling.
   * Allocates O(users).
   *
   * @param test pairs over this dataset's items, e.g. {@link #testSeen()}
   * @param trueWeights users x rewardFunctions, row u for dense user u of {@code test}: {@link
   *     #seenWeights()} for {@code train}/{@code testSeen}, {@link #unseenWeights()} for {@code
   *     fewShot}/{@code testUnseen}
   * @throws IllegalArgumentException if {@code test} has another item count or {@code trueWeights}
   *     does not have one row per user of {@code test}
   */
  public double[] oracleAccuracy(PreferenceData test, float[] trueWeights) {
    int m = config.rewardFunctions();
    if (test.itemCount() != config.itemCount()) {
      throw new IllegalArgumentException(
          "test has " + test.itemCount() + " items, this dataset " + config.itemCount());
    }
    if (trueWeights.length != (long) test.userCount() * m) {
      throw new IllegalArgumentException(
          "trueWeights has "
              + trueWeights.length
              + " floats, expected "
              + test.userCount()
              + " users x "
              + m);
    }
    double[] acc = new double[test.userCount()];
    for (int u = 0; u < acc.length; u++) {
      int correct = 0;
      for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
        double c = userReward(hiddenRewards, m, test.chosen(p), trueWeights, u * m);
        double r = userReward(hiddenRewards, m, test.rejected(p), trueWeights, u * m);
        if (c > r) {
          correct++;
        }
      }
      acc[u] = (double) correct / (test.pairEnd(u) - test.pairStart(u));
    }
    return acc;
  }

  /**
   * A user's true reward of one item, {@code sum_k w[wo + k] * hidden[item * m + k]} in double. The
   * generator and {@link #oracleAccuracy} share it, so both see bitwise the same values.
   */
  static double userReward(float[] hidden, int m, int item, float[] w, int wo) {
    double s = 0;
    int ho = item * m;
    for (int k = 0; k < m; k++) {
      s += (double) w[wo + k] * hidden[ho + k];
    }
    return s;
  }
}
