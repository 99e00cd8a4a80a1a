package lore.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fixtures, invariants and scalar-vs-SIMD equivalence for every {@link Kernels} method. */
class KernelsTest {
  static final long SEED = Long.getLong("lore.test.seed", 20261126L);
  static final Kernels SCALAR = new ScalarKernels();
  static final Kernels PANAMA =
      KernelProvider.panamaAvailable() ? KernelProvider.choose("panama") : null;

  /** Lanes of the width under test (set by -Dlore.kernels.maxBits in the surefire executions). */
  static final int LANES = PANAMA == null ? 8 : bits(PANAMA) / Float.SIZE;

  static int bits(Kernels k) {
    return Integer.parseInt(k.name().substring("panama/".length()));
  }

  /** Methods that have an equivalence test below; the reflection test keeps this list honest. */
  static final Set<String> COVERED =
      Set.of(
          "name",
          "workspace",
          "dot",
          "axpy",
          "subtract",
          "gramStride",
          "gram",
          "project",
          "accumulateGradient",
          "projectBf16",
          "accumulateGradientBf16");

  static Stream<Integer> sizes() {
    return Stream.of(
            0,
            1,
            2,
            LANES - 1,
            LANES,
            LANES + 1,
            2 * LANES - 1,
            2 * LANES,
            2 * LANES + 3,
            4 * LANES - 1,
            4 * LANES + 1,
            13,
            100,
            768,
            1021,
            1024,
            4096)
        .distinct();
  }

  static Stream<Arguments> shapes() {
    return sizes()
        .flatMap(d -> IntStream.of(1, 2, 3, 5, 8, 10, 17).mapToObj(k -> Arguments.of(d, k)));
  }

  static float[] randomFloats(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Random values in [-1, 1) rounded to bf16; {@code widened} gets the same values as floats. */
  static short[] randomBf16(SplittableRandom rnd, int n, float[] widened) {
    short[] h = new short[n];
    for (int i = 0; i < n; i++) {
      h[i] = Bf16.fromFloat((float) (rnd.nextDouble() * 2 - 1));
      widened[i] = Bf16.toFloat(h[i]);
    }
    return h;
  }

  static Kernels[] implementations() {
    return PANAMA == null ? new Kernels[] {SCALAR} : new Kernels[] {SCALAR, PANAMA};
  }

  static void assertClose(double want, double got, double absScale, String what) {
    double tol = 1e-6 + Tolerances.F32_KERNEL * absScale;
    assertEquals(want, got, tol, () -> what + " seed=" + SEED);
  }

  @Test
  void everyKernelMethodHasAnEquivalenceTest() {
    Set<String> declared = new TreeSet<>();
    for (Method m : Kernels.class.getDeclaredMethods()) {
      declared.add(m.getName());
    }
    assertEquals(new TreeSet<>(COVERED), declared, "add an equivalence test for new kernels");
  }

  @Test
  void fixturesAreExact() {
    for (Kernels k : PANAMA == null ? new Kernels[] {SCALAR} : new Kernels[] {SCALAR, PANAMA}) {
      assertEquals(5f, k.dot(new float[] {1, 2, 3}, 0, new float[] {-10, 0, 5}, 0, 3), 0f);
      float[] y = {1, 1, 1};
      k.axpy(2f, new float[] {1, 2, 3}, 0, y, 0, 3);
      assertArrayEquals(new float[] {3, 5, 7}, y, 0f);
      // Z = X A^T with X = [[1,2],[3,4]] and A = [[1,0],[1,1],[0,2]]
      float[] z = new float[6];
      k.project(
          new float[] {1, 2, 3, 4},
          0,
          2,
          2,
          new float[] {1, 0, 1, 1, 0, 2},
          3,
          z,
          0,
          SCALAR.workspace());
      assertArrayEquals(new float[] {1, 3, 4, 3, 7, 8}, z, 0f);
      // grad += G^T X with G = [[1,2],[0,-1]], X = [[1,2],[3,4]] -> [[1,2],[-1,0]]
      float[] grad = new float[4];
      k.accumulateGradient(
          new float[] {1, 2, 0, -1}, 0, new float[] {1, 2, 3, 4}, 0, 2, 2, 2, grad);
      assertArrayEquals(new float[] {1, 2, -1, 0}, grad, 0f);
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void dotMatchesScalar(int n) {
    assumeTrue(PANAMA != null, "Vector API not available");
    SplittableRandom rnd = new SplittableRandom(SEED ^ n);
    float[] a = randomFloats(rnd, n + 7);
    float[] b = randomFloats(rnd, n + 5);
    for (int[] off : new int[][] {{0, 0}, {7, 3}}) {
      double scale = 0;
      for (int j = 0; j < n; j++) {
        scale += Math.abs(a[off[0] + j] * b[off[1] + j]);
      }
      assertClose(
          SCALAR.dot(a, off[0], b, off[1], n),
          PANAMA.dot(a, off[0], b, off[1], n),
          scale,
          "dot n=" + n);
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void axpyMatchesScalar(int n) {
    assumeTrue(PANAMA != null, "Vector API not available");
    SplittableRandom rnd = new SplittableRandom(SEED ^ n);
    float[] x = randomFloats(rnd, n + 3);
    float[] y0 = randomFloats(rnd, n + 2);
    float[] y1 = y0.clone();
    SCALAR.axpy(0.37f, x, 3, y0, 2, n);
    PANAMA.axpy(0.37f, x, 3, y1, 2, n);
    for (int j = 0; j < y0.length; j++) {
      assertClose(y0[j], y1[j], 2, "axpy n=" + n + " j=" + j);
    }
  }

  /**
   * Every implementation's difference is the exactly rounded float difference, bit for bit (the
   * SIMD one at every width under test), and equals a copy of x with {@code axpy(-1, y)}, which the
   * few-shot fit used before; values with exponents far apart so that rounding matters.
   */
  @ParameterizedTest
  @MethodSource("sizes")
  void subtractIsExactlyRoundedAtEveryWidth(int n) {
    SplittableRandom rnd = new SplittableRandom(SEED ^ (n * 47L));
    float[] x = randomFloats(rnd, n + 3);
    float[] y = randomFloats(rnd, n + 1);
    for (int j = 0; j < y.length; j++) {
      y[j] = (float) (y[j] * Math.pow(2, rnd.nextInt(-30, 30)));
    }
    float[] want = new float[n + 2];
    for (int j = 0; j < n; j++) {
      want[2 + j] = x[3 + j] - y[1 + j];
    }
    for (Kernels impl : implementations()) {
      float[] got = new float[n + 2];
      impl.subtract(x, 3, y, 1, got, 2, n);
      assertArrayEquals(want, got, impl.name() + " n=" + n);
      float[] viaAxpy = new float[n + 2];
      System.arraycopy(x, 3, viaAxpy, 2, n);
      impl.axpy(-1f, y, 1, viaAxpy, 2, n);
      assertArrayEquals(want, viaAxpy, impl.name() + " axpy n=" + n);
    }
  }

  /**
   * The Gram product's lower triangle is the same in every implementation bit for bit (one FMA
   * chain per entry over the rows in order, at every width under test), and equals that chain
   * written out; the stride has room for the SIMD blocks; ranks that leave partial row quads and
   * column vectors, row counts from 0, and padding that holds garbage (it must not leak in).
   */
  @Test
  void gramIsTheSameFmaChainInEveryImplementation() {
    for (int k : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 16, 17, 33, 51}) {
      for (int n : new int[] {0, 1, 2, 7, 50, 130}) {
        double[][] got = new double[2][];
        Kernels[] impls = implementations();
        for (int i = 0; i < impls.length; i++) {
          Kernels impl = impls[i];
          int stride = impl.gramStride(k);
          String where = impl.name() + " k=" + k + " n=" + n;
          assertTrue(stride >= k && stride % 4 == 0, where + " stride " + stride);
          SplittableRandom data = new SplittableRandom(SEED ^ (k * 131L + n));
          double[] u = new double[n * stride];
          double[] z = new double[n * stride];
          for (int p = 0; p < n; p++) {
            for (int a = 0; a < stride; a++) {
              boolean pad = a >= k;
              u[p * stride + a] = pad ? Double.NaN : data.nextGaussian();
              z[p * stride + a] = pad ? Double.NaN : data.nextGaussian() * 1e3;
            }
          }
          double[] out = new double[(k + 3) / 4 * 4 * stride];
          Arrays.fill(out, 7.0); // the lower triangle must be overwritten
          impl.gram(u, z, n, k, stride, out);
          double[] tri = new double[k * k];
          for (int a = 0; a < k; a++) {
            for (int b = 0; b <= a; b++) {
              double want = 0;
              for (int p = 0; p < n; p++) {
                want = Math.fma(u[p * stride + a], z[p * stride + b], want);
              }
              tri[a * k + b] = out[a * stride + b];
              assertEquals(want, out[a * stride + b], 0.0, where + " entry " + a + "," + b);
            }
          }
          got[i] = tri;
        }
        if (impls.length == 2) {
          assertArrayEquals(got[0], got[1], "scalar vs SIMD k=" + k + " n=" + n);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void projectMatchesScalar(int d, int k) {
    assumeTrue(PANAMA != null, "Vector API not available");
    SplittableRandom rnd = new SplittableRandom(SEED ^ (d * 31L + k));
    for (int rows : new int[] {1, 7, 21}) { // partial row quads and row groups
      projectMatchesScalar(rnd, rows, d, k);
    }
  }

  private static void projectMatchesScalar(SplittableRandom rnd, int rows, int d, int k) {
    int xOff = 5;
    float[] x = randomFloats(rnd, xOff + rows * d);
    float[] basis = randomFloats(rnd, k * d);
    float[] want = new float[3 + rows * k];
    float[] got = new float[3 + rows * k];
    SCALAR.project(x, xOff, rows, d, basis, k, want, 3, SCALAR.workspace());
    PANAMA.project(x, xOff, rows, d, basis, k, got, 3, SCALAR.workspace());
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        double scale = 0;
        for (int j = 0; j < d; j++) {
          scale += Math.abs(x[xOff + r * d + j] * basis[b * d + j]);
        }
        assertClose(
            want[3 + r * k + b],
            got[3 + r * k + b],
            scale,
            "project d=" + d + " k=" + k + " rows=" + rows + " r=" + r + " b=" + b);
      }
    }
    assertEquals(0f, got[0], 0f, "wrote before the output offset");
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void accumulateGradientMatchesScalar(int d, int k) {
    assumeTrue(PANAMA != null, "Vector API not available");
    SplittableRandom rnd = new SplittableRandom(SEED ^ (d * 37L + k));
    for (int rows : new int[] {1, 3, 4, 9, 21}) {
      float[] x = randomFloats(rnd, 2 + rows * d);
      float[] coef = randomFloats(rnd, 1 + rows * k);
      float[] want = randomFloats(rnd, k * d);
      float[] got = want.clone();
      SCALAR.accumulateGradient(coef, 1, x, 2, rows, d, k, want);
      PANAMA.accumulateGradient(coef, 1, x, 2, rows, d, k, got);
      for (int i = 0; i < want.length; i++) {
        assertClose(
            want[i], got[i], 1 + rows, "grad d=" + d + " k=" + k + " rows=" + rows + " i=" + i);
      }
    }
  }

  /**
   * The bf16 projection of every implementation is its float projection of the widened rows, bit
   * for bit (the widening is exact and the sums run in the same order), and the SIMD one matches
   * the scalar one; at every width under test, for row counts that leave partial row quads.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void projectBf16IsProjectOfTheWidenedRows(int d, int k) {
    SplittableRandom rnd = new SplittableRandom(SEED ^ (d * 41L + k));
    for (int rows : new int[] {1, 2, 3, 5, 7, 8, 21}) {
      int xOff = 3;
      float[] wide = new float[xOff + rows * d];
      short[] x = randomBf16(rnd, wide.length, wide);
      float[] basis = randomFloats(rnd, k * d);
      float[][] results = new float[2][];
      Kernels[] impls = implementations();
      for (int i = 0; i < impls.length; i++) {
        String where = impls[i].name() + " d=" + d + " k=" + k + " rows=" + rows;
        float[] want = new float[2 + rows * k];
        float[] got = new float[2 + rows * k];
        impls[i].project(wide, xOff, rows, d, basis, k, want, 2, impls[i].workspace());
        impls[i].projectBf16(x, xOff, rows, d, basis, k, got, 2, impls[i].workspace());
        assertArrayEquals(want, got, where);
        results[i] = got;
      }
      if (PANAMA != null) {
        for (int r = 0; r < rows; r++) {
          for (int b = 0; b < k; b++) {
            double scale = 0;
            for (int j = 0; j < d; j++) {
              scale += Math.abs(wide[xOff + r * d + j] * basis[b * d + j]);
            }
            int i = 2 + r * k + b;
            assertClose(results[0][i], results[1][i], scale, "projectBf16 d=" + d + " k=" + k);
          }
        }
      }
    }
  }

  /** As {@link #projectBf16IsProjectOfTheWidenedRows} for the gradient accumulation. */
  @ParameterizedTest
  @MethodSource("shapes")
  void accumulateGradientBf16IsAccumulateGradientOfTheWidenedRows(int d, int k) {
    SplittableRandom rnd = new SplittableRandom(SEED ^ (d * 43L + k));
    for (int rows : new int[] {1, 3, 4, 5, 9, 21}) {
      float[] wide = new float[2 + rows * d];
      short[] x = randomBf16(rnd, wide.length, wide);
      float[] coef = randomFloats(rnd, 1 + rows * k);
      coef[1] = 0f; // the scalar kernel skips zero coefficients: the same bits either way
      float[] start = randomFloats(rnd, k * d);
      float[][] results = new float[2][];
      Kernels[] impls = implementations();
      for (int i = 0; i < impls.length; i++) {
        String where = impls[i].name() + " d=" + d + " k=" + k + " rows=" + rows;
        float[] want = start.clone();
        float[] got = start.clone();
        impls[i].accumulateGradient(coef, 1, wide, 2, rows, d, k, want);
        impls[i].accumulateGradientBf16(coef, 1, x, 2, rows, d, k, got, impls[i].workspace());
        assertArrayEquals(want, got, where);
        results[i] = got;
      }
      if (PANAMA != null) {
        for (int i = 0; i < start.length; i++) {
          assertClose(
              results[0][i], results[1][i], 1 + rows, "gradBf16 d=" + d + " k=" + k + " i=" + i);
        }
      }
    }
  }

  @Test
  void bf16FixturesAreExact() {
    for (Kernels k : implementations()) {
      // the rows of fixturesAreExact, all exact in bf16
      short[] x = new short[4];
      Bf16.fromFloats(new float[] {1, 2, 3, 4}, 0, x, 0, 4);
      float[] z = new float[6];
      k.projectBf16(x, 0, 2, 2, new float[] {1, 0, 1, 1, 0, 2}, 3, z, 0, k.workspace());
      assertArrayEquals(new float[] {1, 3, 4, 3, 7, 8}, z, 0f, k.name());
      float[] grad = new float[4];
      k.accumulateGradientBf16(new float[] {1, 2, 0, -1}, 0, x, 0, 2, 2, 2, grad, k.workspace());
      assertArrayEquals(new float[] {1, 2, -1, 0}, grad, 0f, k.name());
    }
  }

  /**
   * Training must be bitwise reproducible, so a kernel must return the same bits whether it runs
   * interpreted (first calls) or JIT-compiled (after warm-up); {@code reduceLanes(ADD)} did not.
   */
  @Test
  void resultsAreBitwiseIdenticalAcrossJitTiers() {
    for (Kernels impl : PANAMA == null ? new Kernels[] {SCALAR} : new Kernels[] {SCALAR, PANAMA}) {
      SplittableRandom rnd = new SplittableRandom(SEED);
      int d = 77;
      int k = 6;
      int rows = 9;
      float[] x = randomFloats(rnd, rows * d);
      float[] basis = randomFloats(rnd, k * d);
      short[] h = randomBf16(rnd, rows * d, new float[rows * d]);
      float[] first = new float[rows * k];
      impl.project(x, 0, rows, d, basis, k, first, 0, SCALAR.workspace());
      float[] firstBf16 = new float[rows * k];
      impl.projectBf16(h, 0, rows, d, basis, k, firstBf16, 0, SCALAR.workspace());
      float firstDot = impl.dot(x, 0, basis, 0, d);
      float[] later = new float[rows * k];
      float[] laterBf16 = new float[rows * k];
      float laterDot = 0;
      for (int i = 0; i < 20_000; i++) { // enough calls for C2 to compile the kernels
        impl.project(x, 0, rows, d, basis, k, later, 0, SCALAR.workspace());
        impl.projectBf16(h, 0, rows, d, basis, k, laterBf16, 0, SCALAR.workspace());
        laterDot = impl.dot(x, 0, basis, 0, d);
      }
      assertArrayEquals(first, later, impl.name());
      assertArrayEquals(firstBf16, laterBf16, impl.name() + " bf16");
      assertEquals(Float.floatToIntBits(firstDot), Float.floatToIntBits(laterDot), impl.name());
    }
  }

  @Test
  void projectionIsLinearInTheRows() {
    for (Kernels impl : PANAMA == null ? new Kernels[] {SCALAR} : new Kernels[] {SCALAR, PANAMA}) {
      SplittableRandom rnd = new SplittableRandom(SEED);
      int d = 1021;
      int k = 5;
      float[] a = randomFloats(rnd, d);
      float[] b = randomFloats(rnd, d);
      float[] sum = new float[d];
      for (int j = 0; j < d; j++) {
        sum[j] = 2 * a[j] + b[j];
      }
      float[] basis = randomFloats(rnd, k * d);
      float[] za = new float[k];
      float[] zb = new float[k];
      float[] zs = new float[k];
      impl.project(a, 0, 1, d, basis, k, za, 0, SCALAR.workspace());
      impl.project(b, 0, 1, d, basis, k, zb, 0, SCALAR.workspace());
      impl.project(sum, 0, 1, d, basis, k, zs, 0, SCALAR.workspace());
      for (int i = 0; i < k; i++) {
        assertClose(2 * za[i] + zb[i], zs[i], 3 * d, impl.name() + " linearity b=" + i);
      }
    }
  }

  @Test
  void nameReportsImplementation() {
    assertEquals("scalar", SCALAR.name());
    if (PANAMA != null) {
      assertEquals(true, PANAMA.name().startsWith("panama/"), PANAMA.name());
    }
    assertEquals(Arrays.asList("scalar"), Arrays.asList(KernelProvider.choose("scalar").name()));
  }
}
