package lore.bench;

import java.util.SplittableRandom;

/** Random benchmark inputs; every benchmark draws from fixed seeds so runs are comparable. */
final class Inputs {
  static final long SEED = 42L;

  private Inputs() {}

  /** {@code n} floats uniform in [-1, 1). */
  static float[] uniform(SplittableRandom rnd, long n) {
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(n + " floats do not fit in one Java array");
    }
    float[] a = new float[(int) n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (2 * rnd.nextDouble() - 1);
    }
    return a;
  }

  /** {@code n} floats uniform in [lo, hi). */
  static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
    return a;
  }

  /** {@code users} rows of {@code k} weights on the probability simplex, times {@code scale}. */
  static float[] simplexRows(SplittableRandom rnd, int users, int k, double scale) {
    float[] w = new float[users * k];
    for (int u = 0; u < users; u++) {
      double sum = 0;
      for (int b = 0; b < k; b++) {
        double e = -Math.log(1 - rnd.nextDouble()); // exponential: a uniform Dirichlet draw
        w[u * k + b] = (float) e;
        sum += e;
      }
      for (int b = 0; b < k; b++) {
        w[u * k + b] = (float) (w[u * k + b] / sum * scale);
      }
    }
    return w;
  }

  /** Row owners: {@code rows} rows split into {@code users} contiguous, nearly equal groups. */
  static int[] rowUsers(int rows, int users) {
    int[] owner = new int[rows];
    for (int r = 0; r < rows; r++) {
      owner[r] = (int) ((long) r * users / rows);
    }
    return owner;
  }

  /** Per-user factor {@code 1 / |D_u|} for the grouping of {@link #rowUsers}. */
  static float[] userFactors(int[] rowUser, int users) {
    int[] count = new int[users];
    for (int u : rowUser) {
      count[u]++;
    }
    float[] f = new float[users];
    for (int u = 0; u < users; u++) {
      f[u] = count[u] == 0 ? 0f : 1f / count[u];
    }
    return f;
  }

  /** Element-wise absolute values (for tolerance scales). */
  static float[] abs(float[] a) {
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Math.abs(a[i]);
    }
    return b;
  }
}
