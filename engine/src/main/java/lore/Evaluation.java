package lore;

import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/**
 * Held-out accuracy as in the paper (Eq. 15): for each user, the fraction of that user's pairs with
 * {@code w_u . A (e_c - e_r) > 0} (strict: ties count as wrong). Items are projected once, so the
 * cost is one pass over the referenced items plus O(pairs x B).
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * Per-user accuracy on {@code test}, in the order of {@code test}'s users. Every test user must be
   * in {@code model} (seen users, or new users added by {@link RewardModel#withFittedUsers}).
   * Allocates O(items x B + users).
   *
   * @throws IllegalArgumentException on a dimension mismatch or a test user unknown to the model
   */
  public static double[] accuracy(RewardModel model, PreferenceData test) {
    if (test.dim() != model.dim()) {
      throw new IllegalArgumentException(
          "test embedding dim " + test.dim() + " != model dim " + model.dim());
    }
    int k = model.rank();
    float[] z = projectReferenced(model, test);
    double[] acc = new double[test.userCount()];
    for (int u = 0; u < test.userCount(); u++) {
      UserWeights w = model.weights(test.userId(u));
      int correct = 0;
      for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
        int c = test.chosen(p) * k;
        int r = test.rejected(p) * k;
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += (double) w.get(b) * (z[c + b] - z[r + b]);
        }
        if (m > 0) {
          correct++;
        }
      }
      acc[u] = (double) correct / (test.pairEnd(u) - test.pairStart(u));
    }
    return acc;
  }

  /** Mean of the values. */
  public static double mean(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return values.length == 0 ? Double.NaN : s / values.length;
  }

  /** Sample standard deviation of the values (n - 1 in the denominator). */
  public static double std(double[] values) {
    if (values.length < 2) {
      return 0;
    }
    double m = mean(values);
    double s = 0;
    for (double v : values) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (values.length - 1));
  }

  /**
   * Projections {@code A e_i} of every item some pair of {@code data} references (items x B, rows of
   * unreferenced items left zero).
   */
  static float[] projectReferenced(RewardModel model, PreferenceData data) {
    Kernels kernels = KernelProvider.get();
    int k = model.rank();
    int d = model.dim();
    boolean[] used = new boolean[data.itemCount()];
    for (int p = 0; p < data.pairCount(); p++) {
      used[data.chosen(p)] = true;
      used[data.rejected(p)] = true;
    }
    float[] z = new float[data.itemCount() * k];
    float[] items = data.items();
    float[] basis = model.basisInternal();
    float[] scratch = new float[Kernels.SCRATCH_FLOATS];
    int i = 0;
    while (i < used.length) { // project runs of consecutive used items in one kernel call
      if (!used[i]) {
        i++;
        continue;
      }
      int j = i;
      while (j < used.length && used[j]) {
        j++;
      }
      kernels.project(items, i * d, j - i, d, basis, k, z, i * k, scratch);
      i = j;
    }
    return z;
  }
}
