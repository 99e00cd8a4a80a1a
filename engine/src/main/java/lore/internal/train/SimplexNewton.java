package lore.internal.train;

import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;

/**
 * Solver for the convex few-shot problem of the paper (Eq. 11) on the probability simplex:
 *
 * <pre>
 *   minimize  f(w) = (1/n) sum_p log(1 + exp(-s * w . dz_p))   subject to  w >= 0, sum w = 1
 * </pre>
 *
 * where {@code dz_p = A (e_chosen - e_rejected)} are the user's projected pairs (n x k) and s the
 * logit scale. A projected (proximal) Newton method: each step minimizes the quadratic model {@code
 * g.(v - w) + (1/2)(v - w)' H (v - w)} over the simplex by accelerated projected gradient, then an
 * Armijo backtracking line search along {@code v - w} keeps every iterate feasible. Converges in a
 * handful of outer steps; the stopping test is the model decrease {@code -g.(v - w) <= tol}, which
 * bounds the distance to the optimal objective for a convex f.
 *
 * <p>All scratch lives in this object, sized for rank k and up to {@code maxPairs} pairs: {@link
 * #solve} allocates nothing. Internal; not API. Not thread-safe.
 */
public final class SimplexNewton {
  private final int k;
  private final double[] g;
  private final double[] h;
  private final double[] v;
  private final double[] y;
  private final double[] vPrev;
  private final double[] trial;
  private final double[] sortWork;
  private final double[] proj;
  private double[] margins;
  private double[] expNeg; // e^{-|m|} of each pair at the last objective call
  private double[] rows; // n x stride: the pairs' projections, zero-padded, for one solve
  private double[] weighted; // n x stride: the same times each pair's curvature; column k: slope
  private final Kernels kernels; // the Gram product that gives H and g
  private final int stride; // kernels.gramStride(k + 1)
  private final double[] gram; // H's lower triangle in rows 0..k-1, g in row k
  private double[] slopes; // n: each pair's loss derivative in w's direction, scaled
  private double[] curvatures; // n: each pair's second derivative, scaled
  private double lastObjective;
  private final double[] kkt; // the Cholesky factor of H_SS, m x m
  private final double[] kktU; // H_SS^-1 (-c_S)
  private final double[] kktZ; // H_SS^-1 1
  private final boolean[] inSet;
  private final int[] setIndex;
  private final double[] x;
  private double priorStrength;
  private double[] priorCenter;
  private double[] priorMatrix; // k x k, or null for the isotropic prior
  private final double[] diff; // w - center

  /**
   * Scratch for rank k and up to {@code maxPairs} pairs (grows on demand): O(k^2 + maxPairs k)
   * doubles. The Hessian's Gram product runs on the process's kernels ({@link
   * KernelProvider#get()}), whose implementations give the same bits.
   */
  public SimplexNewton(int k, int maxPairs) {
    this.k = k;
    kernels = KernelProvider.get();
    stride = kernels.gramStride(k + 1);
    gram = new double[(k + 4) / 4 * 4 * stride];
    g = new double[k];
    h = new double[k * k];
    v = new double[k];
    y = new double[k];
    vPrev = new double[k];
    trial = new double[k];
    sortWork = new double[k];
    proj = new double[k];
    kkt = new double[k * k];
    kktU = new double[k];
    kktZ = new double[k];
    inSet = new boolean[k];
    setIndex = new int[k];
    x = new double[k + 1];
    diff = new double[k];
    allocatePairScratch(Math.max(1, maxPairs));
  }

  /** The per-pair scratch for up to n pairs. */
  private void allocatePairScratch(int n) {
    margins = new double[n];
    expNeg = new double[n];
    rows = new double[n * stride];
    weighted = new double[n * stride];
    slopes = new double[n];
    curvatures = new double[n];
  }

  /** Objective value at the solution of the last {@link #solve} call. */
  public double lastObjective() {
    return lastObjective;
  }

  /**
   * Minimizes f over the simplex, starting from {@code w} (which must be on the simplex) and
   * leaving the solution in {@code w}.
   *
   * @param dz n x k projected pair differences at {@code off}, not modified
   * @param scale the logit scale s
   * @param w length k, in: a feasible start; out: the solution
   * @param tol stopping tolerance on the model decrease (objective units)
   * @param maxIterations cap on Newton steps
   * @return the number of Newton steps taken (negative if the cap was hit before convergence)
   */
  public int solve(
      float[] dz, int off, int n, double scale, double[] w, double tol, int maxIterations) {
    return solve(dz, off, n, scale, w, tol, maxIterations, 0, null);
  }

  /**
   * As {@link #solve(float[], int, int, double, double[], double, int)} with a Gaussian prior: the
   * objective gains {@code (strength / 2) ||w - center||^2}, which shrinks users with few pairs
   * towards {@code center} (a MAP estimate). {@code strength = 0} is Eq. 11 exactly.
   *
   * @param center length k, on the simplex; ignored when strength is 0
   */
  public int solve(
      float[] dz,
      int off,
      int n,
      double scale,
      double[] w,
      double tol,
      int maxIterations,
      double strength,
      double[] center) {
    return solve(dz, off, n, scale, w, tol, maxIterations, strength, null, center);
  }

  /**
   * As {@link #solve(float[], int, int, double, double[], double, int)} with a Gaussian prior of
   * precision {@code strength * M}: the objective gains {@code (strength / 2) (w - center)' M (w -
   * center)}. With {@code M = null} it is the identity.
   *
   * @param metric k x k symmetric positive semi-definite, row-major, not modified; null for the
   *     identity
   * @param center length k, on the simplex; ignored when strength is 0
   */
  public int solve(
      float[] dz,
      int off,
      int n,
      double scale,
      double[] w,
      double tol,
      int maxIterations,
      double strength,
      double[] metric,
      double[] center) {
    this.priorStrength = strength;
    this.priorCenter = center;
    this.priorMatrix = metric;
    if (n > margins.length) { // only when a caller exceeds the size it declared
      allocatePairScratch(n);
    }
    transpose(dz, off, n);
    double f = objective(n, scale, w);
    for (int it = 1; it <= maxIterations; it++) {
      double hmax = gradientAndHessian(dz, off, n, scale, w);
      if (!activeSetModel(w)) {
        solveModel(w, hmax); // singular or cycling: the first-order solver always terminates
      }
      double slope = 0; // g . (v - w), negative for a descent direction
      for (int i = 0; i < k; i++) {
        slope += g[i] * (v[i] - w[i]);
      }
      if (-slope <= tol) {
        lastObjective = f;
        return it;
      }
      double t = 1.0;
      double fTrial;
      while (true) {
        for (int i = 0; i < k; i++) {
          trial[i] = w[i] + t * (v[i] - w[i]);
        }
        fTrial = objective(n, scale, trial);
        if (fTrial <= f + 0.25 * t * slope || t < 1e-10) {
          break;
        }
        t *= 0.5;
      }
      if (fTrial > f) { // no progress possible in floating point
        lastObjective = f;
        return it;
      }
      System.arraycopy(trial, 0, w, 0, k);
      f = fTrial;
    }
    lastObjective = f;
    return -maxIterations;
  }

  /** The pairs as rows of {@link #stride} doubles (the padding stays 0) into {@link #rows}. */
  private void transpose(float[] dz, int off, int n) {
    for (int p = 0; p < n; p++) {
      int row = p * stride;
      int in = off + p * k;
      for (int a = 0; a < k; a++) {
        rows[row + a] = dz[in + a];
      }
    }
  }

  /** Test hook: the objective without a prior at w over n pairs. */
  double objectiveAt(float[] dz, int n, double scale, double[] w) {
    if (n > margins.length) {
      throw new IllegalArgumentException("more pairs than this solver was sized for");
    }
    priorStrength = 0;
    transpose(dz, 0, n);
    return objective(n, scale, w);
  }

  /**
   * Test hook: the gradient and Hessian (with its relative ridge of 1e-9 times the trace) of the
   * objective without a prior at w, into {@code gradOut} (k) and {@code hessOut} (k x k).
   */
  void gradientAndHessian(
      float[] dz, int n, double scale, double[] w, double[] gradOut, double[] hessOut) {
    if (n > margins.length) {
      throw new IllegalArgumentException("more pairs than this solver was sized for");
    }
    priorStrength = 0;
    transpose(dz, 0, n);
    objective(n, scale, w);
    gradientAndHessian(dz, 0, n, scale, w);
    System.arraycopy(g, 0, gradOut, 0, k);
    System.arraycopy(h, 0, hessOut, 0, k * k);
  }

  /** Pairs per product of {@code 1 + e^{-|m|}} (each in [1, 2]): 2^64 leaves room in a double. */
  private static final int LOG_CHUNK = 64;

  /**
   * f at w; sets {@link #margins} and {@link #expNeg}. {@code sum_p log(1 + e^{-|m_p|})} is the log
   * of the product over each 64 pairs: one exp per pair and one log per 64 pairs, where a log per
   * pair took as long as the exp (error below 1e-16 per pair, far under any solver tolerance).
   */
  private double objective(int n, double scale, double[] w) {
    for (int p = 0; p < n; p++) {
      int row = p * stride;
      double m = w[0] * rows[row];
      for (int b = 1; b < k; b++) {
        m += w[b] * rows[row + b];
      }
      margins[p] = m;
    }
    double hinge = 0; // sum_p max(-m_p, 0)
    double logs = 0;
    for (int q = 0; q < n; q += LOG_CHUNK) {
      int end = Math.min(n, q + LOG_CHUNK);
      double product = 1;
      for (int p = q; p < end; p++) {
        double m = margins[p] * scale;
        margins[p] = m;
        double t = Math.exp(-Math.abs(m));
        expNeg[p] = t;
        hinge += Math.max(-m, 0);
        product *= 1 + t;
      }
      logs += Math.log(product);
    }
    double f = (hinge + logs) / n;
    if (priorStrength > 0) {
      f += 0.5 * priorStrength * priorQuadratic(w);
    }
    return f;
  }

  /** {@code (w - center)' M (w - center)}, M the prior metric (identity when null). */
  private double priorQuadratic(double[] w) {
    double r = 0;
    if (priorMatrix == null) {
      for (int b = 0; b < k; b++) {
        double t = w[b] - priorCenter[b];
        r += t * t;
      }
      return r;
    }
    for (int a = 0; a < k; a++) {
      double ta = w[a] - priorCenter[a];
      double s = 0;
      for (int b = 0; b < k; b++) {
        s += priorMatrix[a * k + b] * (w[b] - priorCenter[b]);
      }
      r += ta * s;
    }
    return r;
  }

  /**
   * Fills g and h at w (margins and {@code e^{-|m|}} from the last objective call at w); returns
   * the trace of h.
   */
  private double gradientAndHessian(float[] dz, int off, int n, double scale, double[] w) {
    double slopeScale = -scale / n; // one division per call, not two per pair
    double curvatureScale = scale * scale / n;
    for (int p = 0; p < n; p++) {
      double t = expNeg[p];
      double q = 1.0 / (1.0 + t);
      double sig = margins[p] >= 0 ? q : t * q; // sigmoid(m)
      double rest = margins[p] >= 0 ? t * q : q; // 1 - sigmoid(m), without cancellation
      slopes[p] = rest * slopeScale; // d/dm log(1+e^-m) = sigmoid(m) - 1
      curvatures[p] = sig * rest * curvatureScale;
    }
    // H = Z' D Z and g = Z' slopes in one Gram product of the padded rows: the curvature-weighted
    // rows with the slopes in column k against the rows (whose column k is 0), so row k of the
    // result is g; one FMA chain per entry, where scalar dot products took most of a fit's time
    for (int p = 0; p < n; p++) {
      int row = p * stride;
      double c = curvatures[p];
      for (int a = 0; a < k; a++) {
        weighted[row + a] = c * rows[row + a];
      }
      weighted[row + k] = slopes[p];
    }
    kernels.gram(weighted, rows, n, k + 1, stride, gram);
    for (int a = 0; a < k; a++) {
      System.arraycopy(gram, a * stride, h, a * k, a + 1);
    }
    System.arraycopy(gram, k * stride, g, 0, k);
    double trace = 0;
    if (priorStrength > 0) {
      for (int a = 0; a < k; a++) {
        diff[a] = w[a] - priorCenter[a];
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < a; b++) {
        h[b * k + a] = h[a * k + b];
      }
      if (priorStrength > 0) {
        if (priorMatrix == null) {
          g[a] += priorStrength * diff[a];
          h[a * k + a] += priorStrength;
        } else {
          double s = 0;
          for (int b = 0; b < k; b++) {
            s += priorMatrix[a * k + b] * diff[b];
          }
          g[a] += priorStrength * s;
        }
      }
      trace += h[a * k + a];
    }
    if (priorStrength > 0 && priorMatrix != null) {
      trace = 0;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          h[a * k + b] += priorStrength * priorMatrix[a * k + b];
        }
        trace += h[a * k + a];
      }
    }
    // a tiny ridge keeps the model strongly convex when n < k or the pairs are degenerate
    double ridge = 1e-9 * (trace + 1e-12);
    for (int a = 0; a < k; a++) {
      h[a * k + a] += ridge;
    }
    return trace + k * ridge;
  }

  /**
   * v = argmin over the simplex of g.(v - w) + (1/2)(v - w)' H (v - w) by a primal active-set
   * method (Nocedal and Wright, Numerical Optimization, 2nd ed., Algorithm 16.3): on the current
   * support S solve the equality-constrained KKT system, step to the first blocking bound when the
   * solution leaves the simplex, and add the index with the most negative multiplier when it is
   * optimal on S but not overall. Exact in a few iterations for the small k here, where FISTA needs
   * hundreds on the ill-conditioned models of separable data.
   *
   * @return false if a KKT system is singular or the iteration cap is hit (v is then undefined)
   */
  private boolean activeSetModel(double[] w) {
    // linear term c = g - H w of (1/2) v'Hv + c'v
    for (int a = 0; a < k; a++) {
      double s = g[a];
      for (int b = 0; b < k; b++) {
        s -= h[a * k + b] * w[b];
      }
      proj[a] = s; // proj holds c during this method
    }
    for (int a = 0; a < k; a++) {
      v[a] = w[a];
      inSet[a] = w[a] > 0;
    }
    for (int iter = 0; iter < 4 * k + 10; iter++) {
      int m = 0;
      for (int a = 0; a < k; a++) {
        if (inSet[a]) {
          setIndex[m++] = a;
        }
      }
      if (!solveKkt(m)) {
        return false;
      }
      double mu = x[m];
      boolean feasible = true;
      for (int i = 0; i < m; i++) {
        if (x[i] < 0) {
          feasible = false;
          break;
        }
      }
      if (feasible) {
        java.util.Arrays.fill(v, 0);
        for (int i = 0; i < m; i++) {
          v[setIndex[i]] = x[i];
        }
        // multipliers of the bounds outside S: (H v + c)_j + mu must be >= 0
        int enter = -1;
        double worst = 0;
        double scale = 0;
        for (int j = 0; j < k; j++) {
          double q = proj[j];
          for (int b = 0; b < k; b++) {
            q += h[j * k + b] * v[b];
          }
          scale = Math.max(scale, Math.abs(q));
          if (!inSet[j] && q + mu < worst) {
            worst = q + mu;
            enter = j;
          }
        }
        if (enter < 0 || worst > -1e-13 * (scale + 1e-300)) {
          return true;
        }
        inSet[enter] = true;
      } else {
        // step from v towards x until the first coordinate of S reaches 0
        double alpha = 1.0;
        int leave = -1;
        for (int i = 0; i < m; i++) {
          int a = setIndex[i];
          if (x[i] < v[a]) {
            double t = v[a] / (v[a] - x[i]);
            if (t < alpha) {
              alpha = t;
              leave = a;
            }
          }
        }
        for (int i = 0; i < m; i++) {
          int a = setIndex[i];
          v[a] += alpha * (x[i] - v[a]);
        }
        if (leave >= 0) {
          v[leave] = 0;
          inSet[leave] = false;
        }
        for (int i = 0; i < m; i++) { // drop coordinates that landed on their bound
          int a = setIndex[i];
          if (v[a] <= 0) {
            v[a] = 0;
            inSet[a] = false;
          }
        }
      }
    }
    return false;
  }

  /**
   * Solves [H_SS 1; 1' 0] [x; mu] = [-c_S; 1] for the m indices in setIndex; the solution goes to
   * x[0..m]. H_SS is positive definite (the ridge), so by its Cholesky factor L: {@code u = H_SS^-1
   * (-c_S)}, {@code z = H_SS^-1 1}, {@code mu = (1'u - 1) / 1'z}, {@code x = u - mu z}; a third of
   * the operations of eliminating the bordered system with pivoting. Returns false when a pivot is
   * not positive or the solution is not finite.
   */
  private boolean solveKkt(int m) {
    double[] l = kkt; // m x m, lower triangle
    for (int i = 0; i < m; i++) {
      int hi = setIndex[i] * k;
      for (int j = 0; j <= i; j++) {
        double sum = h[hi + setIndex[j]];
        for (int q = 0; q < j; q++) {
          sum -= l[i * m + q] * l[j * m + q];
        }
        if (i == j) {
          if (!(sum > 0)) {
            return false;
          }
          l[i * m + i] = Math.sqrt(sum);
        } else {
          l[i * m + j] = sum / l[j * m + j];
        }
      }
    }
    // forward: L a = -c_S and L b = 1
    for (int i = 0; i < m; i++) {
      double su = -proj[setIndex[i]];
      double sz = 1;
      for (int q = 0; q < i; q++) {
        su -= l[i * m + q] * kktU[q];
        sz -= l[i * m + q] * kktZ[q];
      }
      double inv = 1.0 / l[i * m + i];
      kktU[i] = su * inv;
      kktZ[i] = sz * inv;
    }
    // back: L' u = a and L' z = b
    double sumU = 0;
    double sumZ = 0;
    for (int i = m - 1; i >= 0; i--) {
      double su = kktU[i];
      double sz = kktZ[i];
      for (int q = i + 1; q < m; q++) {
        su -= l[q * m + i] * kktU[q];
        sz -= l[q * m + i] * kktZ[q];
      }
      double inv = 1.0 / l[i * m + i];
      kktU[i] = su * inv;
      kktZ[i] = sz * inv;
      sumU += kktU[i];
      sumZ += kktZ[i];
    }
    double mu = (sumU - 1) / sumZ;
    for (int i = 0; i < m; i++) {
      x[i] = kktU[i] - mu * kktZ[i];
      if (!Double.isFinite(x[i])) {
        return false;
      }
    }
    x[m] = mu;
    return Double.isFinite(mu);
  }

  /**
   * v = argmin over the simplex of g.(v - w) + (1/2)(v - w)' H (v - w), by FISTA with step 1/L (L =
   * trace H bounds the largest eigenvalue) and adaptive restart.
   */
  private void solveModel(double[] w, double lipschitz) {
    double step = 1.0 / lipschitz;
    System.arraycopy(w, 0, v, 0, k);
    System.arraycopy(w, 0, y, 0, k);
    double momentum = 1.0;
    for (int it = 0; it < 300; it++) {
      System.arraycopy(v, 0, vPrev, 0, k);
      // gradient of the model at y: g + H (y - w)
      for (int a = 0; a < k; a++) {
        double s = g[a];
        int row = a * k;
        for (int b = 0; b < k; b++) {
          s += h[row + b] * (y[b] - w[b]);
        }
        proj[a] = y[a] - step * s;
      }
      Numerics.projectToSimplex(proj, 0, k, sortWork);
      double change = 0;
      double restart = 0;
      for (int a = 0; a < k; a++) {
        v[a] = proj[a];
        double dv = v[a] - vPrev[a];
        change += dv * dv;
        restart += (y[a] - v[a]) * dv;
      }
      if (change < 1e-22) {
        return;
      }
      double next = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
      double beta = restart > 0 ? 0 : (momentum - 1) / next; // restart when momentum goes uphill
      momentum = restart > 0 ? 1.0 : next;
      for (int a = 0; a < k; a++) {
        y[a] = v[a] + beta * (v[a] - vPrev[a]);
      }
    }
  }
}
