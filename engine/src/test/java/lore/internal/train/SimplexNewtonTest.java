package lore.internal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
