package lore.internal.train;

import lore.internal.kernel.Numerics;

/**
 * The pair margin {@code m = (s w_u) . dz} of the Bradley-Terry objective (paper Eq. 10) and its
 * loss and derivative, written once for every layout, for training and for evaluation. {@code dz}
 * is a pair's projected difference {@code A (e_chosen - e_rejected)}, k floats. Internal; not API.
 */
public final class Margins {
  private Margins() {}

  /** {@code w[wOff..wOff+k) . dz[dzOff..dzOff+k)}, summed in double. */
  public static double margin(float[] w, int wOff, float[] dz, int dzOff, int k) {
    double m = 0;
    for (int b = 0; b < k; b++) {
      m += (double) w[wOff + b] * dz[dzOff + b];
    }
    return m;
  }

  /**
   * The margin of a pair from the projections of its items, {@code w . (z_c - z_r)}: the difference
   * taken in float, as a projected difference would be, then {@link #margin}.
   */
  public static double margin(float[] w, int wOff, float[] z, int cOff, int rOff, int k) {
    double m = 0;
    for (int b = 0; b < k; b++) {
      m += (double) w[wOff + b] * (z[cOff + b] - z[rOff + b]);
    }
    return m;
  }

  /**
   * Scores rows of projected differences: for row r of user {@code u = rowUser[rowUserOff + r]},
   * the margin {@code m_r = userW[u] . dz_r} (userW already holds {@code s * w_u}), the loss {@code
   * factor[u] * log(1 + exp(-m_r))} (summed in double and returned), its derivative {@code c_r}
   * written to {@code coef[coefOff + r]}, and {@code g_r = c_r * userW[u]} written to {@code g[gOff
   * + r*k ..]}, the rows of the basis gradient {@code sum_r g_r (outer) x_r}.
   */
  public static double score(
      int rows,
      int k,
      int[] rowUser,
      int rowUserOff,
      float[] userW,
      float[] factor,
      float[] dz,
      int dzOff,
      float[] coef,
      int coefOff,
      float[] g,
      int gOff) {
    double loss = 0;
    for (int r = 0; r < rows; r++) {
      int u = rowUser[rowUserOff + r];
      double m = margin(userW, u * k, dz, dzOff + r * k, k);
      double f = factor[u];
      loss += f * Numerics.softplusNeg(m);
      float c = (float) (f * Numerics.softplusNegGrad(m));
      coef[coefOff + r] = c;
      for (int b = 0; b < k; b++) {
        g[gOff + r * k + b] = c * userW[u * k + b];
      }
    }
    return loss;
  }

  /** {@code sum_r factor[u_r] * log(1 + exp(-m_r))} over rows, without derivatives. */
  public static double loss(
      int rows, int k, int[] rowUser, float[] userW, float[] factor, float[] dz) {
    double loss = 0;
    for (int r = 0; r < rows; r++) {
      int u = rowUser[r];
      loss += factor[u] * Numerics.softplusNeg(margin(userW, u * k, dz, r * k, k));
    }
    return loss;
  }
}
