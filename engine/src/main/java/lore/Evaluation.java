package lore;

import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.train.Margins;

/**
 * Held-out accuracy as in the paper (Eq. 15): for each user, the fraction of that user's pairs with
 * {@code w_u . A (e_c - e_r) > 0} (strict: ties count as wrong). Items are projected once, so the
 * cost is one pass over the referenced items plus O(pairs x B).
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * Per-user accuracy on {@code test}, in the order of {@code test}'s users. Every test user must
   * be in {@code model} (seen users, or new users added by {@link RewardModel#withFittedUsers}).
   * Allocates O(items x B + users).
   *
   * @throws IllegalArgumentException on a dimension mismatch or a test user unknown to the model
   */
  public static double[] accuracy(RewardModel model, PreferenceData test) {
    double[] m = margins(model, test);
    double[] acc = new double[test.userCount()];
    for (int u = 0; u < test.userCount(); u++) {
      int correct = 0;
      for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
        if (m[p] > 0) {
          correct++;
        }
      }
      acc[u] = (double) correct / (test.pairEnd(u) - test.pairStart(u));
    }
    return acc;
  }

  /**
   * The margin {@code w_u . A (e_c - e_r)} of every pair of {@code test}, in pair order, without
   * the logit scale (its sign is the prediction). Every test user must be in {@code model}.
   * Allocates O(items x B + pairs).
   *
   * @throws IllegalArgumentException on a dimension mismatch or a test user unknown to the model
   */
  public static double[] margins(RewardModel model, PreferenceData test) {
    if (test.dim() != model.dim()) {
      throw new IllegalArgumentException(
          "test embedding dim " + test.dim() + " != model dim " + model.dim());
    }
    int k = model.rank();
    float[] z = projectReferenced(model, test);
    float[] weights = model.userWeightsInternal();
    double[] m = new double[test.pairCount()];
    for (int u = 0; u < test.userCount(); u++) {
      int w = model.userSlot(test.userId(u)) * k;
      for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
        m[p] = Margins.margin(weights, w, z, test.chosen(p) * k, test.rejected(p) * k, k);
      }
    }
    return m;
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
   * Projections {@code A e_i} of every item some pair of {@code data} references (items x B, rows
   * of unreferenced items left zero).
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
    Kernels.Workspace ws = kernels.workspace();
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
      kernels.project(items, i * d, j - i, d, basis, k, z, i * k, ws);
      i = j;
    }
    return z;
  }
}
