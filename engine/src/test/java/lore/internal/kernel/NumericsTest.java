package lore.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NumericsTest {
  static final long SEED = Long.getLong("lore.test.seed", 5L);

  @Test
  void softplusIsStableAtExtremeMargins() {
    assertEquals(Math.log(2), Numerics.softplusNeg(0), Tolerances.F64);
    assertEquals(1000.0, Numerics.softplusNeg(-1000), Tolerances.F64); // naive form overflows
    assertEquals(0.0, Numerics.softplusNeg(1000), Tolerances.F64);
    assertEquals(Math.exp(-40), Numerics.softplusNeg(40), 1e-30); // no cancellation
    assertEquals(Double.POSITIVE_INFINITY, Numerics.softplusNeg(Double.NEGATIVE_INFINITY));
    assertEquals(0.0, Numerics.softplusNeg(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, Numerics.softplusNegGrad(-1000), 0);
    assertEquals(-0.5, Numerics.softplusNegGrad(0), 0);
    assertEquals(-Math.exp(-800), Numerics.softplusNegGrad(800), 0);
    assertEquals(-1.0, Numerics.softplusNegGrad(Double.NEGATIVE_INFINITY), 0);
    assertEquals(0.0, Numerics.softplusNegGrad(Double.POSITIVE_INFINITY), 0);
  }

  @Test
  void log1pIsWithinAFewUlpsOfStrictMath() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 200_000; i++) {
      double t = i < 100 ? i / 99.0 : Math.exp(-rnd.nextDouble() * 800); // (0, 1], all scales
      double want = StrictMath.log1p(t);
      assertEquals(want, Numerics.log1p(t), 4 * Math.ulp(want), "log1p(" + t + ")");
    }
    assertEquals(0.0, Numerics.log1p(0.0), 0);
    assertEquals(Double.MIN_VALUE, Numerics.log1p(Double.MIN_VALUE), 0);
  }

  @Test
  void softplusGradientMatchesCentralDifferences() {
    for (double m = -30; m <= 30; m += 0.37) {
      double h = 1e-5;
      double fd = (Numerics.softplusNeg(m + h) - Numerics.softplusNeg(m - h)) / (2 * h);
      assertEquals(fd, Numerics.softplusNegGrad(m), 1e-8, "m=" + m);
      assertEquals(1 + Numerics.softplusNegGrad(m), Numerics.sigmoid(m), 1e-12, "m=" + m);
    }
  }

  @Test
  void softmaxIsStableAndSumsToOne() {
    float[] v = {1000f, 1000f, -1000f, 999f};
    float[] p = new float[4];
    Numerics.softmax(v, 0, 4, p, 0);
    double sum = 0;
    for (float x : p) {
      assertTrue(Float.isFinite(x) && x >= 0);
      sum += x;
    }
    assertEquals(1.0, sum, 1e-6);
    assertEquals(p[0], p[1], 0f);
    assertEquals(0f, p[2], 0f);
    assertEquals(Math.exp(-1), p[3] / p[0], 1e-6);
  }

  @Test
  void simplexFixtures() {
    float[] work = new float[3];
    float[] v = {0.5f, 0.3f, 0.2f}; // already on the simplex: unchanged
    Numerics.projectToSimplex(v, 0, 3, work);
    assertArrayEquals(new float[] {0.5f, 0.3f, 0.2f}, v, 1e-7f);
    float[] w = {2f, 0f, 0f}; // projects to a vertex
    Numerics.projectToSimplex(w, 0, 3, work);
    assertArrayEquals(new float[] {1f, 0f, 0f}, w, 0f);
    float[] u = {1f, 1f, -5f}; // projects to the middle of an edge
    Numerics.projectToSimplex(u, 0, 3, work);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0f}, u, 1e-7f);
  }

  @Test
  void simplexProjectionInvariants() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int trial = 0; trial < 2000; trial++) {
      int k = 1 + rnd.nextInt(64);
      float[] v = new float[k + 2];
      double spread = Math.pow(10, rnd.nextInt(5) - 2);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rnd.nextGaussian() * spread);
      }
      float[] p = v.clone();
      float[] work = new float[k];
      Numerics.projectToSimplex(p, 1, k, work);
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k;
      double sum = 0;
      for (int i = 1; i <= k; i++) {
        assertTrue(p[i] >= 0, where);
        sum += p[i];
      }
      assertEquals(1.0, sum, 1e-6 * k, where);
      assertEquals(v[0], p[0], 0f, "wrote outside the range " + where);
      assertEquals(v[k + 1], p[k + 1], 0f, "wrote outside the range " + where);
      // idempotent
      float[] again = p.clone();
      Numerics.projectToSimplex(again, 1, k, work);
      assertArrayEquals(p, again, 1e-6f, where);
      // shift-invariant
      float[] shifted = v.clone();
      for (int i = 1; i <= k; i++) {
        shifted[i] += 0.75f;
      }
      Numerics.projectToSimplex(shifted, 1, k, work);
      assertArrayEquals(p, shifted, 2e-5f, where);
      // order-preserving and optimal: (v - p).(e_j - p) <= tol for every vertex e_j
      double vp = 0;
      for (int i = 1; i <= k; i++) {
        vp += (v[i] - p[i]) * p[i];
      }
      for (int j = 1; j <= k; j++) {
        assertTrue((v[j] - p[j]) - vp <= 1e-5 * (1 + spread), where + " vertex " + j);
        for (int i = 1; i <= k; i++) {
          if (v[i] > v[j]) {
            assertTrue(p[i] >= p[j], where);
          }
        }
      }
      // the double twin agrees
      double[] dv = new double[k];
      for (int i = 0; i < k; i++) {
        dv[i] = v[i + 1];
      }
      Numerics.projectToSimplex(dv, 0, k, new double[k]);
      for (int i = 0; i < k; i++) {
        assertEquals(dv[i], p[i + 1], 1e-5, where);
      }
    }
  }
}
