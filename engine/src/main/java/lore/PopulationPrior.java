package lore;

import java.util.Map;

/**
 * The empirical-Bayes prior of a model's new users: a Gaussian on the simplex whose centre {@code
 * c} and covariance {@code S} are those of the seen users' fitted weights (weighted {@code
 * 1/|D_u|}, recorded at training as {@code priorCenter} and {@code priorCovariance}), with its
 * precision scaled by {@code rho} ({@code newUserPriorStrength}, chosen by {@link ModelSelection};
 * 1 when absent). A new user with k pairs minimizes {@code (1/k) [sum_p log(1 + exp(-m_p)) + (rho /
 * 2) (w - c)' (S + eps I)^-1 (w - c)]}, {@code eps = 1e-3 tr(S) / B}.
 *
 * @param limit whether every new user gets c outright (the population limit, or {@code rho =
 *     infinity})
 * @param center c, length B, on the simplex
 * @param precision {@code rho (S + eps I)^-1}, B x B row-major; null for no prior (Eq. 11)
 */
record PopulationPrior(boolean limit, double[] center, double[] precision) {

  /** The new-user prior of {@code model}; none (Eq. 11) when its training recorded no spread. */
  static PopulationPrior of(RewardModel model) {
    int k = model.rank();
    Map<String, String> meta = model.metadata();
    double[] center = parseVector(meta.get("priorCenter"), k);
    if (center == null) {
      return new PopulationPrior(false, model.meanUserWeights(), null);
    }
    double rho =
        meta.containsKey("newUserPriorStrength") ? parse(meta.get("newUserPriorStrength")) : 1;
    if (Double.isInfinite(parse(meta.get("priorStrength"))) || Double.isInfinite(rho)) {
      return new PopulationPrior(true, center, null);
    }
    double[] precision = rho > 0 ? spreadPrecision(meta.get("priorCovariance"), k) : null;
    if (precision != null) {
      for (int i = 0; i < precision.length; i++) {
        precision[i] *= rho;
      }
    }
    return new PopulationPrior(false, center, precision);
  }

  /** {@code (S + eps I)^-1} of the covariance S in {@code v} (B x B values), or null. */
  static double[] spreadPrecision(String v, int k) {
    if (v == null) {
      return null;
    }
    String[] parts = v.split(",");
    if (parts.length != k * k) {
      return null;
    }
    double[] a = new double[k * k];
    double tr = 0;
    for (int i = 0; i < k * k; i++) {
      a[i] = parse(parts[i]);
      if (!Double.isFinite(a[i])) {
        return null;
      }
    }
    for (int i = 0; i < k; i++) {
      tr += a[i * k + i];
    }
    double eps = 1e-3 * tr / k + 1e-12;
    for (int i = 0; i < k; i++) {
      a[i * k + i] += eps;
    }
    // Gauss-Jordan inverse
    double[] inv = new double[k * k];
    for (int i = 0; i < k; i++) {
      inv[i * k + i] = 1;
    }
    for (int col = 0; col < k; col++) {
      int piv = col;
      for (int r = col + 1; r < k; r++) {
        if (Math.abs(a[r * k + col]) > Math.abs(a[piv * k + col])) {
          piv = r;
        }
      }
      for (int c = 0; c < k; c++) {
        double t = a[col * k + c];
        a[col * k + c] = a[piv * k + c];
        a[piv * k + c] = t;
        t = inv[col * k + c];
        inv[col * k + c] = inv[piv * k + c];
        inv[piv * k + c] = t;
      }
      double p = a[col * k + col];
      for (int c = 0; c < k; c++) {
        a[col * k + c] /= p;
        inv[col * k + c] /= p;
      }
      for (int r = 0; r < k; r++) {
        if (r != col) {
          double f = a[r * k + col];
          for (int c = 0; c < k; c++) {
            a[r * k + c] -= f * a[col * k + c];
            inv[r * k + c] -= f * inv[col * k + c];
          }
        }
      }
    }
    return inv;
  }

  private static double parse(String v) {
    if (v == null) {
      return 0;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static double[] parseVector(String v, int k) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    String[] parts = v.split(",");
    if (parts.length != k) {
      return null;
    }
    double[] out = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      try {
        out[i] = Double.parseDouble(parts[i].strip());
      } catch (NumberFormatException e) {
        return null;
      }
      if (!(out[i] >= 0) || !Double.isFinite(out[i])) {
        return null;
      }
      sum += out[i];
    }
    if (Math.abs(sum - 1) > 1e-4) {
      return null;
    }
    return out;
  }
}
