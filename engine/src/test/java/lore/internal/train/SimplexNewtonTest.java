package lore.internal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import lore.internal.kernel.Numerics;
import org.junit.jupiter.api.Test;

class SimplexNewtonTest {
  static final long SEED = Long.getLong("lore.test.seed", 11L);

  /**
   * The solver's gradient and Hessian, assembled by blocked dot products over the pairs, against
   * their definitions summed pair by pair: {@code g = (1/n) sum_p l'(m_p) s z_p} and {@code H =
   * (1/n) sum_p l''(m_p) s^2 z_p z_p'} with {@code m_p = s w.z_p}, for odd and even ranks and pair
   * counts, and margins of both signs.
   */
  @Test
  void gradientAndHessianMatchTheirDefinitions() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int trial = 0; trial < 100; trial++) {
      int k = 1 + rnd.nextInt(13);
      int n = 1 + rnd.nextInt(40);
      double s = Math.pow(10, rnd.nextInt(3) - 1);
      float[] dz = new float[n * k];
      for (int i = 0; i < dz.length; i++) {
        dz[i] = (float) (rnd.nextGaussian() * 3);
      }
      double[] w = new double[k];
      double sum = 0;
      for (int b = 0; b < k; b++) {
        w[b] = rnd.nextDouble();
        sum += w[b];
      }
      for (int b = 0; b < k; b++) {
        w[b] /= sum;
      }
      double[] g = new double[k];
      double[] h = new double[k * k];
      new SimplexNewton(k, n).gradientAndHessian(dz, n, s, w, g, h);
      double[] wantG = new double[k];
      double[] wantH = new double[k * k];
      for (int p = 0; p < n; p++) {
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += w[b] * dz[p * k + b];
        }
        m *= s;
        double sig = Numerics.sigmoid(m);
        double d1 = Numerics.softplusNegGrad(m) * s / n;
        double d2 = sig * (1 - sig) * s * s / n;
        for (int a = 0; a < k; a++) {
          wantG[a] += d1 * dz[p * k + a];
          for (int b = 0; b < k; b++) {
            wantH[a * k + b] += d2 * dz[p * k + a] * dz[p * k + b];
          }
        }
      }
      double trace = 0;
      for (int a = 0; a < k; a++) {
        trace += wantH[a * k + a];
      }
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k + " n=" + n + " s=" + s;
      for (int a = 0; a < k; a++) {
        assertEquals(wantG[a], g[a], 1e-12 * (1 + Math.abs(wantG[a])), where + " g" + a);
        for (int b = 0; b < k; b++) {
          double tol = 1e-12 * (1 + trace) + 2e-9 * trace; // the solver's ridge on the diagonal
          assertEquals(wantH[a * k + b], h[a * k + b], tol, where + " H" + a + "," + b);
          assertEquals(h[b * k + a], h[a * k + b], 0, where + " symmetric " + a + "," + b);
        }
      }
    }
  }

  /**
   * The objective, whose log terms are summed as the log of their product over each 64 pairs,
   * against the pair-by-pair sum of {@code log(1 + exp(-m))}: pair counts that span several
   * products and a partial one, margins from -200 to 200 (terms from 1e-87 to 200).
   */
  @Test
  void objectiveMatchesThePairByPairSum() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int trial = 0; trial < 60; trial++) {
      int k = 1 + rnd.nextInt(12);
      int n = 1 + rnd.nextInt(400);
      double s = Math.pow(10, rnd.nextInt(4) - 1);
      float[] dz = new float[n * k];
      for (int i = 0; i < dz.length; i++) {
        dz[i] = (float) (rnd.nextGaussian() * 2);
      }
      double[] w = randomSimplex(rnd, k);
      double want = 0;
      double terms = 0;
      for (int p = 0; p < n; p++) {
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += w[b] * dz[p * k + b];
        }
        double term = Numerics.softplusNeg(s * m);
        want += term;
        terms += Math.abs(term);
      }
      want /= n;
      double got = new SimplexNewton(k, n).objectiveAt(dz, n, s, w);
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k + " n=" + n + " s=" + s;
      assertEquals(want, got, 1e-15 * (1 + terms / n) + 1e-14 * Math.abs(want), where);
    }
  }

  /**
   * The solution under a full Gaussian prior metric (as the few-shot fit's empirical-Bayes prior)
   * satisfies the KKT conditions of the simplex: with g the gradient of the objective with its
   * prior, {@code g_j >= lambda} for every j and {@code g_j = lambda} on the support, lambda = min
   * g, so the Frank-Wolfe gap {@code sum_j w_j (g_j - lambda)} is 0; for pair counts past one
   * 64-pair product and ranks where the active set changes.
   */
  @Test
  void solutionWithAPriorMetricSatisfiesTheKktConditions() {
    SplittableRandom rnd = new SplittableRandom(SEED + 1);
    for (int trial = 0; trial < 100; trial++) {
      int k = 1 + rnd.nextInt(12);
      int n = 1 + rnd.nextInt(150);
      double s = Math.pow(10, rnd.nextInt(3) - 1);
      float[] dz = new float[n * k];
      for (int i = 0; i < dz.length; i++) {
        dz[i] = (float) (rnd.nextGaussian() * 3 + (i % k == 0 ? 1 : 0));
      }
      // a symmetric positive definite metric R'R + I / 10 and a center on the simplex
      double[] r = new double[k * k];
      for (int i = 0; i < r.length; i++) {
        r[i] = rnd.nextGaussian();
      }
      double[] metric = new double[k * k];
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          double t = a == b ? 0.1 : 0;
          for (int q = 0; q < k; q++) {
            t += r[q * k + a] * r[q * k + b];
          }
          metric[a * k + b] = t;
        }
      }
      double[] center = randomSimplex(rnd, k);
      double strength = rnd.nextBoolean() ? 0 : Math.pow(10, rnd.nextInt(4) - 3);
      double[] w = new double[k];
      java.util.Arrays.fill(w, 1.0 / k);
      int it = new SimplexNewton(k, n).solve(dz, 0, n, s, w, 1e-12, 100, strength, metric, center);
      String where = "seed=" + (SEED + 1) + " trial=" + trial + " k=" + k + " n=" + n + " s=" + s;
      assertTrue(it > 0, where + ": no convergence in 100 steps (" + it + ")");
      double[] g = new double[k];
      double sum = 0;
      for (int b = 0; b < k; b++) {
        assertTrue(w[b] >= 0, where);
        sum += w[b];
      }
      assertEquals(1.0, sum, 1e-12, where);
      for (int p = 0; p < n; p++) {
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += w[b] * dz[p * k + b];
        }
        double c = Numerics.softplusNegGrad(s * m) * s / n;
        for (int b = 0; b < k; b++) {
          g[b] += c * dz[p * k + b];
        }
      }
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          g[a] += strength * metric[a * k + b] * (w[b] - center[b]);
        }
      }
      double lambda = Double.POSITIVE_INFINITY;
      double scale = 0;
      for (int b = 0; b < k; b++) {
        lambda = Math.min(lambda, g[b]);
        scale = Math.max(scale, Math.abs(g[b]));
      }
      // complementary slackness summed: the Frank-Wolfe gap g.w - min g bounds f(w) - f* (convex
      // f);
      // at tolerance 1e-12 it is at most 1.9e-5 of the gradient scale here, before and after the
      // Cholesky KKT solve and the chunked logs (equal to 10 digits)
      double gap = 0;
      for (int b = 0; b < k; b++) {
        gap += w[b] * (g[b] - lambda);
      }
      assertTrue(gap <= 1e-4 * (scale + 1e-3), where + ": Frank-Wolfe gap " + gap);
    }
  }

  private static double[] randomSimplex(SplittableRandom rnd, int k) {
    double[] w = new double[k];
    double sum = 0;
    for (int b = 0; b < k; b++) {
      w[b] = -Math.log(rnd.nextDouble());
      sum += w[b];
    }
    for (int b = 0; b < k; b++) {
      w[b] /= sum;
    }
    return w;
  }
}
