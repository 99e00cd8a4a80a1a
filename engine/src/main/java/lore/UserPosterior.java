package lore;

import lore.internal.kernel.Numerics;

/**
 * A new user's posterior over their weights: the Laplace approximation at the MAP under the model's
 * empirical-Bayes prior ({@link FitConfig.Prior#MODEL}), in the tangent space of the simplex face
 * the MAP lies on. With {@code f(w) = sum_p log(1 + exp(-s w . z_p)) + (1/2) (w - c)' P (w - c)}
 * the negative log posterior ({@code z_p = A (e_c - e_r)}, P the prior's precision) and V a basis
 * of the directions that keep {@code sum w = 1} and the zero weights at zero, the covariance is
 * {@code V (V' H V)^-1 V'} with H the Hessian of f at the MAP. Weights at zero get no variance: the
 * MAP is on that face and the Laplace approximation stays on it.
 *
 * <p>Predictions integrate the uncertainty by the probit approximation (MacKay 1992): {@code P(a >
 * b) = sigmoid(mu / sqrt(1 + pi v / 8))}, mu and v the mean and variance of the pair's logit.
 *
 * <p>Immutable and thread-safe: a {@link ColdStart} publishes a new one after every answer, and
 * readers on other threads keep the one they hold. Obtain from {@link ColdStart#posterior()}.
 */
public final class UserPosterior {
  /** Weights at or below this are on the face's boundary (the solver leaves exact zeros there). */
  static final double FACE_EPS = 1e-7;

  final RewardModel model;
  final double[] mean; // the MAP, length B, on the simplex
  final double[] root; // r x B: covariance = root' root
  final int covRank; // r: the face's dimension (0 for a point mass)
  final double scale; // the logit scale s
  private final int pairs;
  private final PersonalReward reward;

  private UserPosterior(
      RewardModel model, double[] mean, double[] root, int covRank, int pairs, UserWeights w) {
    this.model = model;
    this.mean = mean;
    this.root = root;
    this.covRank = covRank;
    this.scale = model.logitScale();
    this.pairs = pairs;
    this.reward = model.personalize(w);
  }

  /**
   * The Laplace posterior at {@code map} with Hessian {@code hessian} (B x B, of the negative log
   * posterior summed over pairs, not modified). A singular Hessian on the face (no prior) is
   * refused; a null Hessian gives a point mass (the population limit). Allocates O(B^2 + d).
   */
  static UserPosterior laplace(RewardModel model, double[] map, double[] hessian, int pairs) {
    int k = model.rank();
    int[] face = new int[k];
    int f = 0;
    for (int b = 0; b < k && hessian != null; b++) {
      if (map[b] > FACE_EPS) {
        face[f++] = b;
      }
    }
    int r = Math.max(f - 1, 0);
    // V's columns: e_face[j] - e_face[last], j < r. C = V' H V, r x r.
    double[] c = new double[r * r];
    int last = f > 0 ? face[f - 1] : 0;
    for (int i = 0; i < r; i++) {
      int a = face[i];
      for (int j = 0; j < r; j++) {
        int b = face[j];
        c[i * r + j] =
            hessian[a * k + b]
                - hessian[a * k + last]
                - hessian[last * k + b]
                + hessian[last * k + last];
      }
    }
    cholesky(c, r);
    // root = L^-1 V' (r x B), so that V C^-1 V' = root' root
    double[] root = new double[r * k];
    for (int i = 0; i < r; i++) {
      root[i * k + face[i]] = 1;
      root[i * k + last] = -1;
    }
    for (int col = 0; col < k; col++) {
      for (int i = 0; i < r; i++) {
        double s = root[i * k + col];
        for (int j = 0; j < i; j++) {
          s -= c[i * r + j] * root[j * k + col];
        }
        root[i * k + col] = s / c[i * r + i];
      }
    }
    float[] w = new float[k];
    double sum = 0;
    for (int b = 0; b < k; b++) {
      w[b] = (float) Math.max(map[b], 0);
      sum += w[b];
    }
    for (int b = 0; b < k; b++) {
      w[b] = (float) (w[b] / sum);
    }
    return new UserPosterior(model, map.clone(), root, r, pairs, new UserWeights(w));
  }

  /** In-place lower Cholesky factor of the n x n matrix a; throws when not positive definite. */
  private static void cholesky(double[] a, int n) {
    for (int j = 0; j < n; j++) {
      double d = a[j * n + j];
      for (int q = 0; q < j; q++) {
        d -= a[j * n + q] * a[j * n + q];
      }
      if (!(d > 0)) {
        throw new IllegalStateException(
            "the posterior's Hessian is not positive definite on the simplex face (pivot "
                + d
                + "): the model's prior has no spread in some direction");
      }
      double l = Math.sqrt(d);
      a[j * n + j] = l;
      for (int i = j + 1; i < n; i++) {
        double s = a[i * n + j];
        for (int q = 0; q < j; q++) {
          s -= a[i * n + q] * a[j * n + q];
        }
        a[i * n + j] = s / l;
      }
      for (int q = j + 1; q < n; q++) {
        a[j * n + q] = 0;
      }
    }
  }

  /** The posterior mean (the MAP) as weights on the simplex. */
  public UserWeights weights() {
    return reward.weights();
  }

  /** The reward of the posterior mean, for scoring (cached; allocation-free scoring). */
  public PersonalReward reward() {
    return reward;
  }

  /** The number of answered pairs this posterior conditions on. */
  public int pairs() {
    return pairs;
  }

  /** The model the posterior belongs to. */
  public RewardModel model() {
    return model;
  }

  /**
   * A copy of the posterior covariance of the weights, B x B row-major: zero rows and columns for
   * weights at zero, rows summing to zero (the simplex's tangent space). Allocates O(B^2).
   */
  public double[] covariance() {
    int k = mean.length;
    double[] cov = new double[k * k];
    for (int i = 0; i < covRank; i++) {
      for (int a = 0; a < k; a++) {
        double ra = root[i * k + a];
        if (ra != 0) {
          for (int b = 0; b < k; b++) {
            cov[a * k + b] += ra * root[i * k + b];
          }
        }
      }
    }
    return cov;
  }

  /** Mean of the logit {@code s w . z} of a projected pair z at {@code off} (B values). */
  double logitMean(float[] z, int off) {
    double m = 0;
    for (int b = 0; b < mean.length; b++) {
      m += mean[b] * z[off + b];
    }
    return scale * m;
  }

  /**
   * Variance of the logit {@code s w . z} of a projected pair at {@code off}: {@code s^2 z' S z}.
   */
  double logitVariance(float[] z, int off) {
    int k = mean.length;
    double v = 0;
    for (int i = 0; i < covRank; i++) {
      double t = 0;
      for (int b = 0; b < k; b++) {
        t += root[i * k + b] * z[off + b];
      }
      v += t * t;
    }
    return scale * scale * v;
  }

  /** The probit approximation of {@code E sigmoid(x)} for x with mean mu and variance v. */
  static double probit(double mu, double v) {
    return Numerics.sigmoid(mu / Math.sqrt(1 + Math.PI * v / 8));
  }

  /**
   * Predictive probability that the user prefers the pair's first side, from its projection {@code
   * z = A (e_a - e_b)} at {@code off} (B values): the posterior's uncertainty integrated by the
   * probit approximation. Allocates nothing.
   */
  public double preferenceProbabilityProjected(float[] z, int off) {
    checkRow(z, off);
    return probit(logitMean(z, off), logitVariance(z, off));
  }

  /**
   * Predictive probability that the user prefers {@code a} over {@code b} (embeddings of length d),
   * integrating the posterior's uncertainty. Projects the pair onto the basis: O(B d). Allocates
   * O(B).
   */
  public double preferenceProbability(float[] a, float[] b) {
    float[] z = new float[mean.length];
    project(a, b, z);
    return preferenceProbabilityProjected(z, 0);
  }

  /**
   * Posterior standard deviation of the reward {@code w . A e} of one embedding (length d): the
   * error bar of {@code reward().score(e)}. O(B d); allocates O(B).
   */
  public double scoreStd(float[] embedding) {
    float[] z = new float[mean.length];
    project(embedding, null, z);
    return Math.sqrt(logitVariance(z, 0)) / scale;
  }

  /**
   * Expected information gain of asking the pair with projection z at {@code off}, in nats: the
   * drop of the Laplace posterior's entropy, {@code (1/2) log(1 + sigmoid'(mu) v)}, mu and v the
   * logit's mean and variance (D-optimal design: the log-determinant change of the posterior
   * precision under the pair's Fisher information). Allocates nothing.
   */
  public double informationGain(float[] z, int off) {
    checkRow(z, off);
    return 0.5 * Math.log1p(fisher(logitMean(z, off)) * logitVariance(z, off));
  }

  /** {@code sigmoid'(m) = sigmoid(m) (1 - sigmoid(m))}, computed without overflow. */
  static double fisher(double m) {
    double e = Math.exp(-Math.abs(m));
    double d = 1 + e;
    return e / (d * d);
  }

  private void project(float[] a, float[] b, float[] z) {
    int d = model.dim();
    if (a.length != d || (b != null && b.length != d)) {
      throw new IllegalArgumentException(
          "embeddings must have length d = "
              + d
              + ", got "
              + a.length
              + (b != null ? " and " + b.length : ""));
    }
    float[] basis = model.basisInternal();
    var kernels = lore.internal.kernel.KernelProvider.get();
    for (int r = 0; r < z.length; r++) {
      double v = kernels.dot(basis, r * d, a, 0, d);
      if (b != null) {
        v -= kernels.dot(basis, r * d, b, 0, d);
      }
      z[r] = (float) v;
    }
  }

  private void checkRow(float[] z, int off) {
    if (off < 0 || off > z.length - mean.length) {
      throw new IllegalArgumentException(
          "a projected pair needs rank "
              + mean.length
              + " values at offset "
              + off
              + ", array length "
              + z.length);
    }
  }

  @Override
  public String toString() {
    return "UserPosterior[pairs="
        + pairs
        + ", weights="
        + weights()
        + ", face dim="
        + covRank
        + "]";
  }
}
