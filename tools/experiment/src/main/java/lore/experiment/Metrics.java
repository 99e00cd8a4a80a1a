package lore.experiment;

import lore.PreferenceData;

/**
 * The paper's accuracy (Eq. 15) from a method's margins: per user, the fraction of the user's test
 * pairs whose margin is strictly positive (a tie, 0, or NaN counts as wrong); reported as the
 * unweighted mean over users.
 */
public final class Metrics {
  private Metrics() {}

  /**
   * Per-user accuracy, in the order of {@code test}'s users. Allocates O(users).
   *
   * @param test the pairs the margins were computed for
   * @param margins one margin per pair of {@code test}, in pair order, not modified
   * @throws IllegalArgumentException if there is not exactly one margin per pair
   */
  public static double[] perUserAccuracy(PreferenceData test, float[] margins) {
    if (margins.length != test.pairCount()) {
      throw new IllegalArgumentException(
          margins.length + " margins for " + test.pairCount() + " test pairs");
    }
    double[] acc = new double[test.userCount()];
    for (int u = 0; u < acc.length; u++) {
      int correct = 0;
      for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
        if (margins[p] > 0) { // strict: ties and NaN are wrong
          correct++;
        }
      }
      acc[u] = (double) correct / (test.pairEnd(u) - test.pairStart(u));
    }
    return acc;
  }

  /** Mean of the values; NaN for none. Sums in double. */
  public static double mean(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s / values.length;
  }

  /** Sample standard deviation (n - 1); NaN for fewer than two values. No rescaling. */
  public static double std(double[] values) {
    if (values.length < 2) {
      return Double.NaN;
    }
    double m = mean(values);
    double s = 0;
    for (double v : values) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (values.length - 1));
  }

  /** The two arrays one after the other (e.g. seen then unseen users, for "overall"). */
  static double[] concat(double[] a, double[] b) {
    double[] all = new double[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
