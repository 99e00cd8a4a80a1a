package lore.internal.kernel;

/**
 * Scalar numerics shared by both kernel implementations: the stable logistic loss, the stable
 * softmax and the Euclidean projection onto the probability simplex. These work on vectors of at
 * most a few dozen entries (the rank), where SIMD does not pay. Internal; not API; may change
 * without notice.
 */
public final class Numerics {
  private Numerics() {}

  /** {@code log(1 + e^{-m})} without overflow or cancellation for any finite or infinite m. */
  public static double softplusNeg(double m) {
    return softplusNeg(m, Math.exp(-Math.abs(m)));
  }

  /**
   * {@link #softplusNeg(double)} given {@code t = e^{-|m|}}, for callers that reuse t (the logistic
   * function of m is {@code 1 / (1 + t)} or {@code t / (1 + t)}).
   */
  public static double softplusNeg(double m, double t) {
    return (m > 0 ? 0 : -m) + log1p(t);
  }

  /**
   * {@code log(1 + t)} to within a few ulps for t >= 0, by Goldberg's identity {@code log(u) * t /
   * (u - 1)} with {@code u = 1 + t} rounded: Math.log is a JIT intrinsic, while Math.log1p runs
   * StrictMath's software log1p, which was a fifth of the time of a few-shot fit.
   */
  public static double log1p(double t) {
    double u = 1.0 + t;
    return u == 1.0 ? t : Math.log(u) * (t / (u - 1.0));
  }

  /** {@code d/dm log(1 + e^{-m}) = -1 / (1 + e^{m})}, in [-1, 0]; exact limits at +-infinity. */
  public static double softplusNegGrad(double m) {
    if (m >= 0) {
      double t = Math.exp(-m); // in (0, 1]: no overflow
      return -t / (1.0 + t);
    }
    return -1.0 / (1.0 + Math.exp(m));
  }

  /** Logistic function {@code 1 / (1 + e^{-m})} without overflow. */
  public static double sigmoid(double m) {
    if (m >= 0) {
      return 1.0 / (1.0 + Math.exp(-m));
    }
    double t = Math.exp(m);
    return t / (1.0 + t);
  }

  /**
   * Stable softmax {@code out[i] = exp(v[i] - max v) / sum_j exp(v[j] - max v)} over {@code k}
   * entries starting at {@code off}. {@code out} may alias {@code v} (in place).
   */
  public static void softmax(float[] v, int off, int k, float[] out, int outOff) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      max = Math.max(max, v[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < k; i++) {
      double e = Math.exp((double) v[off + i] - max);
      out[outOff + i] = (float) e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = 0; i < k; i++) {
      out[outOff + i] *= inv;
    }
  }

  /**
   * In place Euclidean projection onto the probability simplex {@code {w >= 0, sum w = 1}}: {@code
   * w_i = max(v_i - tau, 0)} with the threshold {@code tau = (sum_{j<=rho} u_j - 1) / rho}, where u
   * is v sorted in decreasing order and {@code rho = max{j : u_j > (sum_{i<=j} u_i - 1) / j}}
   * (Held, Wolfe and Crowder 1974; Duchi, Shalev-Shwartz, Singer and Chandra, ICML 2008, Algorithm
   * 1). Exact up to rounding; O(k log k) with an insertion sort, which is fastest for the small k
   * used here.
   *
   * @param v k entries at {@code off}, replaced by their projection; must be finite
   * @param work scratch of length at least k, overwritten
   */
  public static void projectToSimplex(float[] v, int off, int k, float[] work) {
    for (int i = 0; i < k; i++) {
      float x = v[off + i];
      int j = i - 1;
      while (j >= 0 && work[j] < x) { // insertion sort, decreasing
        work[j + 1] = work[j];
        j--;
      }
      work[j + 1] = x;
    }
    double cumulative = 0;
    double tau = 0;
    for (int j = 0; j < k; j++) {
      cumulative += work[j];
      double t = (cumulative - 1.0) / (j + 1);
      if (work[j] > t) {
        tau = t; // the last j that passes is rho; the condition is monotone in j
      }
    }
    double sum = 0;
    for (int i = 0; i < k; i++) {
      float w = (float) Math.max(v[off + i] - tau, 0.0);
      v[off + i] = w;
      sum += w;
    }
    // renormalize so that the float result sums to 1 within one ulp per entry
    if (sum > 0 && sum != 1.0) {
      float inv = (float) (1.0 / sum);
      for (int i = 0; i < k; i++) {
        v[off + i] *= inv;
      }
    }
  }

  /** Double-precision twin of {@link #projectToSimplex(float[], int, int, float[])}, in place. */
  public static void projectToSimplex(double[] v, int off, int k, double[] work) {
    for (int i = 0; i < k; i++) {
      double x = v[off + i];
      int j = i - 1;
      while (j >= 0 && work[j] < x) {
        work[j + 1] = work[j];
        j--;
      }
      work[j + 1] = x;
    }
    double cumulative = 0;
    double tau = 0;
    for (int j = 0; j < k; j++) {
      cumulative += work[j];
      double t = (cumulative - 1.0) / (j + 1);
      if (work[j] > t) {
        tau = t;
      }
    }
    for (int i = 0; i < k; i++) {
      v[off + i] = Math.max(v[off + i] - tau, 0.0);
    }
  }
}
