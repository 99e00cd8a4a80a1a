package lore.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the incubating Vector API. Loaded only by reflection from {@link
 * KernelProvider}, so that no other class links against {@code jdk.incubator.vector}. Internal; not
 * API.
 *
 * <p>Every hot loop is one small method with a fixed register block: C2 silently drops the
 * intrinsics of a method that grows too large (a 16-accumulator block once ran 45x slower;
 * bench/README.md, "Vector API pitfalls"). Projection uses 4x4, 2x4, 2x2 and 2x1 blocks so no FMA
 * is wasted for any rank; an odd leftover row repeats the previous row, and the gradient's leftover
 * rows and basis rows reuse its 4x2 block with a zero coefficient.
 */
final class PanamaKernels implements Kernels {
  /**
   * The machine's preferred width, capped by {@code -Dlore.kernels.maxBits} so that a wide machine
   * can run (and test) the code that narrower machines run. A static final species is a constant to
   * C2, whatever its width.
   */
  private static final VectorSpecies<Float> SPECIES = species(KernelProvider.maxBits());

  private static final int LANES = SPECIES.length();

  /** Ints of the float width, and shorts of half of it: the same lane count, for bf16 rows. */
  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(SPECIES.vectorBitSize()));

  private static final VectorSpecies<Short> SHORTS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));

  /**
   * 512-bit vectors mean AVX-512 and its 32 vector registers, room for the 4 x 5 blocks (20
   * accumulators or coefficients, plus the 4 rows and 1 basis vector); AVX2 has 16 registers.
   */
  private static final boolean BLOCKS_OF_FIVE = SPECIES.vectorBitSize() >= 512;

  /** Doubles of the float width, for {@link #gram}. */
  private static final VectorSpecies<Double> DOUBLES =
      VectorSpecies.of(double.class, VectorShape.forBitSize(SPECIES.vectorBitSize()));

  private static final int DLANES = DOUBLES.length();

  /** Decided once; {@code -Dlore.fma=false} replaces fused multiply-add by multiply then add. */
  private static final boolean HAS_FAST_FMA =
      Boolean.parseBoolean(System.getProperty("lore.fma", "true"));

  PanamaKernels() {
    if (LANES < 4) {
      throw new UnsupportedOperationException(
          "preferred vector species " + SPECIES + " is narrower than 128 bits");
    }
  }

  private static VectorSpecies<Float> species(int maxBits) {
    VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
    return maxBits >= preferred.vectorBitSize()
        ? preferred
        : VectorSpecies.of(float.class, VectorShape.forBitSize(maxBits));
  }

  @Override
  public String name() {
    return "panama/" + SPECIES.vectorBitSize();
  }

  private static FloatVector fma(FloatVector a, FloatVector b, FloatVector acc) {
    return HAS_FAST_FMA ? a.fma(b, acc) : a.mul(b).add(acc);
  }

  /**
   * Deterministic horizontal sums. {@code reduceLanes(ADD)} leaves the order of the float additions
   * unspecified: its interpreted and compiled forms differ in the last bits, which broke
   * bitwise-reproducible training. Accumulators are instead stored to the caller's scratch and
   * summed lane by lane in a fixed order, in plain code that C2 cannot reassociate; a helper taking
   * vectors as arguments was not inlined here and boxed them (the projection ran 4x slower).
   */
  private static float lanes(float[] scratch, int off) {
    float s = scratch[off];
    for (int i = 1; i < LANES; i++) {
      s += scratch[off + i];
    }
    return s;
  }

  private static FloatVector load(float[] a, int off) {
    return FloatVector.fromArray(SPECIES, a, off);
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int limit = SPECIES.loopBound(n);
    float s = 0;
    if (n >= 2 * LANES) { // below 2 lanes the vector set-up costs more than it saves
      s = dotBody(a, aOff, b, bOff, limit);
    } else {
      limit = 0;
    }
    for (int j = limit; j < n; j++) {
      s += a[aOff + j] * b[bOff + j];
    }
    return s;
  }

  private static float dotBody(float[] a, int ao, float[] b, int bo, int limit) {
    // four accumulators hide the 4-cycle FMA latency at two FMAs per cycle
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    FloatVector acc2 = FloatVector.zero(SPECIES);
    FloatVector acc3 = FloatVector.zero(SPECIES);
    int j = 0;
    for (; j + 4 * LANES <= limit; j += 4 * LANES) {
      acc0 = fma(load(a, ao + j), load(b, bo + j), acc0);
      acc1 = fma(load(a, ao + j + LANES), load(b, bo + j + LANES), acc1);
      acc2 = fma(load(a, ao + j + 2 * LANES), load(b, bo + j + 2 * LANES), acc2);
      acc3 = fma(load(a, ao + j + 3 * LANES), load(b, bo + j + 3 * LANES), acc3);
    }
    for (; j < limit; j += LANES) {
      acc0 = fma(load(a, ao + j), load(b, bo + j), acc0);
    }
    FloatVector acc = acc0.add(acc1).add(acc2.add(acc3)); // lane-wise: exact order in every tier
    float sum = acc.lane(0);
    for (int i = 1; i < LANES; i++) { // fixed order, see lanes(..); constant trip count, unrolled
      sum += acc.lane(i);
    }
    return sum;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    int limit = n >= 2 * LANES ? SPECIES.loopBound(n) : 0;
    if (limit > 0) {
      FloatVector va = FloatVector.broadcast(SPECIES, alpha);
      for (int j = 0; j < limit; j += LANES) {
        fma(va, load(x, xOff + j), load(y, yOff + j)).intoArray(y, yOff + j);
      }
    }
    for (int j = limit; j < n; j++) {
      y[yOff + j] += alpha * x[xOff + j];
    }
  }

  @Override
  public int gramStride(int k) {
    int m = Math.max(4, 2 * DLANES);
    return (k + m - 1) / m * m;
  }

  /**
   * Blocks of 4 rows of the output by 2 vectors of columns, over the blocks that touch the lower
   * triangle: 8 accumulators, each one entry's chain over p (the scalar twin's order), fed per pair
   * by 2 loads and 4 broadcasts. At rank 10 and 512 bits that is 3 blocks of 8 FMAs per pair, where
   * the scalar dot products took 60 FMAs.
   */
  @Override
  public void gram(double[] u, double[] z, int n, int k, int stride, double[] out) {
    for (int a = 0; a < k; a += 4) {
      for (int b = 0; b < k && b <= a + 3; b += 2 * DLANES) {
        gram4x2(u, z, n, stride, a, b, out);
      }
    }
  }

  private static void gram4x2(
      double[] u, double[] z, int n, int stride, int a, int b, double[] out) {
    DoubleVector s00 = DoubleVector.zero(DOUBLES);
    DoubleVector s01 = s00;
    DoubleVector s10 = s00;
    DoubleVector s11 = s00;
    DoubleVector s20 = s00;
    DoubleVector s21 = s00;
    DoubleVector s30 = s00;
    DoubleVector s31 = s00;
    for (int p = 0; p < n; p++) {
      int row = p * stride;
      DoubleVector z0 = DoubleVector.fromArray(DOUBLES, z, row + b);
      DoubleVector z1 = DoubleVector.fromArray(DOUBLES, z, row + b + DLANES);
      DoubleVector c = DoubleVector.broadcast(DOUBLES, u[row + a]);
      s00 = c.fma(z0, s00);
      s01 = c.fma(z1, s01);
      c = DoubleVector.broadcast(DOUBLES, u[row + a + 1]);
      s10 = c.fma(z0, s10);
      s11 = c.fma(z1, s11);
      c = DoubleVector.broadcast(DOUBLES, u[row + a + 2]);
      s20 = c.fma(z0, s20);
      s21 = c.fma(z1, s21);
      c = DoubleVector.broadcast(DOUBLES, u[row + a + 3]);
      s30 = c.fma(z0, s30);
      s31 = c.fma(z1, s31);
    }
    int o = a * stride + b;
    s00.intoArray(out, o);
    s01.intoArray(out, o + DLANES);
    s10.intoArray(out, o + stride);
    s11.intoArray(out, o + stride + DLANES);
    s20.intoArray(out, o + 2 * stride);
    s21.intoArray(out, o + 2 * stride + DLANES);
    s30.intoArray(out, o + 3 * stride);
    s31.intoArray(out, o + 3 * stride + DLANES);
  }

  @Override
  public void subtract(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
    int limit = n >= 2 * LANES ? SPECIES.loopBound(n) : 0;
    for (int j = 0; j < limit; j += LANES) {
      load(x, xOff + j).sub(load(y, yOff + j)).intoArray(out, outOff + j);
    }
    for (int j = limit; j < n; j++) {
      out[outOff + j] = x[xOff + j] - y[yOff + j];
    }
  }

  @Override
  public void project(
      float[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws) {
    float[] scratch = ws.lanes;
    if (d < 2 * LANES) {
      projectScalar(x, xOff, rows, d, basis, k, out, outOff);
      return;
    }
    int r = 0;
    // 4 rows x 4 basis rows: 16 accumulators halve the loads and loop overhead per FMA of the 2 x 4
    // block (fused pass at P=45000, d=4096, B=10: 84 ms instead of 100 ms)
    int fives = fives(k);
    for (; r + 4 <= rows; r += 4) {
      int x0 = xOff + r * d;
      int o0 = outOff + r * k;
      int b = fives;
      for (int f = 0; f < fives; f += 5) {
        project4x5(x, x0, d, basis, f, out, o0, k, scratch);
      }
      for (; b + 4 <= k; b += 4) {
        project4x4(x, x0, d, basis, b, out, o0, k, scratch);
      }
      if (b < k) { // remaining basis rows: two row pairs
        projectRest(x, x0, x0 + d, basis, b, k, d, out, o0, o0 + k, scratch);
        projectRest(
            x, x0 + 2 * d, x0 + 3 * d, basis, b, k, d, out, o0 + 2 * k, o0 + 3 * k, scratch);
      }
    }
    for (; r < rows; r += 2) {
      int x0 = xOff + r * d;
      int x1 =
          r + 1 < rows ? x0 + d : x0; // odd row count: repeat the row, write the same cell twice
      int o0 = outOff + r * k;
      int o1 = r + 1 < rows ? o0 + k : o0;
      // 4 basis rows at a time, then 2, then 1: no wasted FMAs for any k (rank 1 is the BT
      // baseline)
      int b = 0;
      for (; b + 4 <= k; b += 4) {
        project2x4(x, x0, x1, basis, b, b + 1, b + 2, b + 3, d, out, o0, o1, scratch);
      }
      if (b + 2 <= k) {
        project2x2(x, x0, x1, basis, b, b + 1, d, out, o0, o1, scratch);
        b += 2;
      }
      if (b < k) {
        project2x1(x, x0, x1, basis, b, d, out, o0, o1, scratch);
      }
    }
  }

  private static void projectRest(
      float[] x,
      int x0,
      int x1,
      float[] basis,
      int b,
      int k,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    if (b + 2 <= k) {
      project2x2(x, x0, x1, basis, b, b + 1, d, out, o0, o1, scratch);
      b += 2;
    }
    if (b < k) {
      project2x1(x, x0, x1, basis, b, d, out, o0, o1, scratch);
    }
  }

  /**
   * How many leading basis rows go in blocks of 5: while at least 5 remain and they are not a
   * multiple of 4 (k = 10 is 5 + 5, k = 8 stays 4 + 4). Zero without {@link #BLOCKS_OF_FIVE}.
   * Against 4 + 4 + 2 at k = 10, two 4 x 5 blocks read each row twice instead of three times and
   * need no 2 x 2 remainder: projection 1.45x and gradient 1.5x faster over 512 rows of d = 4096
   * (bench/RESULTS.md, run 6).
   */
  private static int fives(int k) {
    int b = 0;
    while (BLOCKS_OF_FIVE && k - b >= 5 && (k - b) % 4 != 0) {
      b += 5;
    }
    return b;
  }

  /** 4 consecutive rows x 5 basis rows: 20 FMA chains fed by 9 loads per step. */
  private static void project4x5(
      float[] x, int x0, int d, float[] a, int b0, float[] out, int o0, int k, float[] scratch) {
    int a0 = b0 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s04 = s00;
    FloatVector s10 = s00;
    FloatVector s11 = s00;
    FloatVector s12 = s00;
    FloatVector s13 = s00;
    FloatVector s14 = s00;
    FloatVector s20 = s00;
    FloatVector s21 = s00;
    FloatVector s22 = s00;
    FloatVector s23 = s00;
    FloatVector s24 = s00;
    FloatVector s30 = s00;
    FloatVector s31 = s00;
    FloatVector s32 = s00;
    FloatVector s33 = s00;
    FloatVector s34 = s00;
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x0 + d + j);
      FloatVector v2 = load(x, x0 + 2 * d + j);
      FloatVector v3 = load(x, x0 + 3 * d + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      s20 = fma(v2, w, s20);
      s30 = fma(v3, w, s30);
      w = load(a, a0 + d + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      s21 = fma(v2, w, s21);
      s31 = fma(v3, w, s31);
      w = load(a, a0 + 2 * d + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      s22 = fma(v2, w, s22);
      s32 = fma(v3, w, s32);
      w = load(a, a0 + 3 * d + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
      s23 = fma(v2, w, s23);
      s33 = fma(v3, w, s33);
      w = load(a, a0 + 4 * d + j);
      s04 = fma(v0, w, s04);
      s14 = fma(v1, w, s14);
      s24 = fma(v2, w, s24);
      s34 = fma(v3, w, s34);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s04.intoArray(scratch, 4 * LANES);
    s10.intoArray(scratch, 5 * LANES);
    s11.intoArray(scratch, 6 * LANES);
    s12.intoArray(scratch, 7 * LANES);
    s13.intoArray(scratch, 8 * LANES);
    s14.intoArray(scratch, 9 * LANES);
    s20.intoArray(scratch, 10 * LANES);
    s21.intoArray(scratch, 11 * LANES);
    s22.intoArray(scratch, 12 * LANES);
    s23.intoArray(scratch, 13 * LANES);
    s24.intoArray(scratch, 14 * LANES);
    s30.intoArray(scratch, 15 * LANES);
    s31.intoArray(scratch, 16 * LANES);
    s32.intoArray(scratch, 17 * LANES);
    s33.intoArray(scratch, 18 * LANES);
    s34.intoArray(scratch, 19 * LANES);
    for (int r = 0; r < 4; r++) {
      int xr = x0 + r * d;
      for (int b = 0; b < 5; b++) {
        float acc = lanes(scratch, (5 * r + b) * LANES);
        int ab = a0 + b * d;
        for (int j = limit; j < d; j++) { // scalar tail
          acc += x[xr + j] * a[ab + j];
        }
        out[o0 + r * k + b0 + b] = acc;
      }
    }
  }

  /** 4 consecutive rows x 4 basis rows: 16 FMA chains fed by 8 loads per step. */
  private static void project4x4(
      float[] x, int x0, int d, float[] a, int b0, float[] out, int o0, int k, float[] scratch) {
    int a0 = b0 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s02 = FloatVector.zero(SPECIES);
    FloatVector s03 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    FloatVector s12 = FloatVector.zero(SPECIES);
    FloatVector s13 = FloatVector.zero(SPECIES);
    FloatVector s20 = FloatVector.zero(SPECIES);
    FloatVector s21 = FloatVector.zero(SPECIES);
    FloatVector s22 = FloatVector.zero(SPECIES);
    FloatVector s23 = FloatVector.zero(SPECIES);
    FloatVector s30 = FloatVector.zero(SPECIES);
    FloatVector s31 = FloatVector.zero(SPECIES);
    FloatVector s32 = FloatVector.zero(SPECIES);
    FloatVector s33 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x0 + d + j);
      FloatVector v2 = load(x, x0 + 2 * d + j);
      FloatVector v3 = load(x, x0 + 3 * d + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      s20 = fma(v2, w, s20);
      s30 = fma(v3, w, s30);
      w = load(a, a0 + d + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      s21 = fma(v2, w, s21);
      s31 = fma(v3, w, s31);
      w = load(a, a0 + 2 * d + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      s22 = fma(v2, w, s22);
      s32 = fma(v3, w, s32);
      w = load(a, a0 + 3 * d + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
      s23 = fma(v2, w, s23);
      s33 = fma(v3, w, s33);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s10.intoArray(scratch, 4 * LANES);
    s11.intoArray(scratch, 5 * LANES);
    s12.intoArray(scratch, 6 * LANES);
    s13.intoArray(scratch, 7 * LANES);
    s20.intoArray(scratch, 8 * LANES);
    s21.intoArray(scratch, 9 * LANES);
    s22.intoArray(scratch, 10 * LANES);
    s23.intoArray(scratch, 11 * LANES);
    s30.intoArray(scratch, 12 * LANES);
    s31.intoArray(scratch, 13 * LANES);
    s32.intoArray(scratch, 14 * LANES);
    s33.intoArray(scratch, 15 * LANES);
    for (int r = 0; r < 4; r++) {
      int xr = x0 + r * d;
      for (int b = 0; b < 4; b++) {
        float acc = lanes(scratch, (4 * r + b) * LANES);
        int ab = a0 + b * d;
        for (int j = limit; j < d; j++) { // scalar tail
          acc += x[xr + j] * a[ab + j];
        }
        out[o0 + r * k + b0 + b] = acc;
      }
    }
  }

  /** 2 rows x 2 basis rows: the remainder of {@link #project2x4} when k mod 4 >= 2. */
  private static void project2x2(
      float[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int b1,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    int a1 = b1 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x1 + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      w = load(a, a1 + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s10.intoArray(scratch, 2 * LANES);
    s11.intoArray(scratch, 3 * LANES);
    float r00 = lanes(scratch, 0);
    float r01 = lanes(scratch, LANES);
    float r10 = lanes(scratch, 2 * LANES);
    float r11 = lanes(scratch, 3 * LANES);
    for (int j = limit; j < d; j++) {
      r00 += x[x0 + j] * a[a0 + j];
      r01 += x[x0 + j] * a[a1 + j];
      r10 += x[x1 + j] * a[a0 + j];
      r11 += x[x1 + j] * a[a1 + j];
    }
    out[o0 + b1] = r01;
    out[o0 + b0] = r00;
    out[o1 + b1] = r11;
    out[o1 + b0] = r10;
  }

  /** 2 rows x 1 basis row, two accumulators per row to hide FMA latency. */
  private static void project2x1(
      float[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    FloatVector t0 = FloatVector.zero(SPECIES);
    FloatVector t1 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    int j = 0;
    for (; j + 2 * LANES <= limit; j += 2 * LANES) {
      FloatVector w = load(a, a0 + j);
      s0 = fma(load(x, x0 + j), w, s0);
      s1 = fma(load(x, x1 + j), w, s1);
      w = load(a, a0 + j + LANES);
      t0 = fma(load(x, x0 + j + LANES), w, t0);
      t1 = fma(load(x, x1 + j + LANES), w, t1);
    }
    for (; j < limit; j += LANES) {
      FloatVector w = load(a, a0 + j);
      s0 = fma(load(x, x0 + j), w, s0);
      s1 = fma(load(x, x1 + j), w, s1);
    }
    s0.add(t0).intoArray(scratch, 0);
    s1.add(t1).intoArray(scratch, LANES);
    float r0 = lanes(scratch, 0);
    float r1 = lanes(scratch, LANES);
    for (j = limit; j < d; j++) {
      r0 += x[x0 + j] * a[a0 + j];
      r1 += x[x1 + j] * a[a0 + j];
    }
    out[o0 + b0] = r0;
    out[o1 + b0] = r1;
  }

  /** 2 rows x 4 basis rows: 8 independent FMA chains, 6 loads per 8 FMAs. */
  private static void project2x4(
      float[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int b1,
      int b2,
      int b3,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    int a1 = b1 * d;
    int a2 = b2 * d;
    int a3 = b3 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s02 = FloatVector.zero(SPECIES);
    FloatVector s03 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    FloatVector s12 = FloatVector.zero(SPECIES);
    FloatVector s13 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x1 + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      w = load(a, a1 + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      w = load(a, a2 + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      w = load(a, a3 + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s10.intoArray(scratch, 4 * LANES);
    s11.intoArray(scratch, 5 * LANES);
    s12.intoArray(scratch, 6 * LANES);
    s13.intoArray(scratch, 7 * LANES);
    float r00 = lanes(scratch, 0);
    float r01 = lanes(scratch, LANES);
    float r02 = lanes(scratch, 2 * LANES);
    float r03 = lanes(scratch, 3 * LANES);
    float r10 = lanes(scratch, 4 * LANES);
    float r11 = lanes(scratch, 5 * LANES);
    float r12 = lanes(scratch, 6 * LANES);
    float r13 = lanes(scratch, 7 * LANES);
    for (int j = limit; j < d; j++) { // scalar tail
      float v0 = x[x0 + j];
      float v1 = x[x1 + j];
      r00 += v0 * a[a0 + j];
      r01 += v0 * a[a1 + j];
      r02 += v0 * a[a2 + j];
      r03 += v0 * a[a3 + j];
      r10 += v1 * a[a0 + j];
      r11 += v1 * a[a1 + j];
      r12 += v1 * a[a2 + j];
      r13 += v1 * a[a3 + j];
    }
    out[o0 + b3] = r03;
    out[o0 + b2] = r02;
    out[o0 + b1] = r01;
    out[o0 + b0] = r00;
    out[o1 + b3] = r13;
    out[o1 + b2] = r12;
    out[o1 + b1] = r11;
    out[o1 + b0] = r10;
  }

  private void projectScalar(
      float[] x, int xOff, int rows, int d, float[] basis, int k, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        out[outOff + r * k + b] = dot(x, xOff + r * d, basis, b * d, d);
      }
    }
  }

  @Override
  public void accumulateGradient(
      float[] coef, int coefOff, float[] x, int xOff, int rows, int d, int k, float[] grad) {
    if (d < 2 * LANES) {
      for (int r = 0; r < rows; r++) {
        for (int b = 0; b < k; b++) {
          axpy(coef[coefOff + r * k + b], x, xOff + r * d, grad, b * d, d);
        }
      }
      return;
    }
    int fives = fives(k);
    for (int r = 0; r < rows; r += 4) {
      // leftover rows repeat row r with a zero coefficient
      int n = Math.min(4, rows - r);
      int x0 = xOff + r * d;
      int x1 = n > 1 ? x0 + d : x0;
      int x2 = n > 2 ? x0 + 2 * d : x0;
      int x3 = n > 3 ? x0 + 3 * d : x0;
      int c0 = coefOff + r * k;
      for (int b = 0; b < fives; b += 5) {
        grad4x5(coef, c0 + b, k, n, x, x0, x1, x2, x3, grad, b * d, d);
      }
      // a 4 x 4 register block measured slower than 4 x 2 here (88 vs 84 ms, fused pass, B=10)
      for (int b = fives; b < k; b += 2) {
        boolean two = b + 1 < k; // odd k: the second grad row is the first again, with zero weight
        float c00 = coef[c0 + b];
        float c10 = n > 1 ? coef[c0 + k + b] : 0f;
        float c20 = n > 2 ? coef[c0 + 2 * k + b] : 0f;
        float c30 = n > 3 ? coef[c0 + 3 * k + b] : 0f;
        float c01 = two ? coef[c0 + b + 1] : 0f;
        float c11 = two && n > 1 ? coef[c0 + k + b + 1] : 0f;
        float c21 = two && n > 2 ? coef[c0 + 2 * k + b + 1] : 0f;
        float c31 = two && n > 3 ? coef[c0 + 3 * k + b + 1] : 0f;
        int g0 = b * d;
        int g1 = two ? g0 + d : g0;
        grad4x2(x, x0, x1, x2, x3, c00, c10, c20, c30, c01, c11, c21, c31, grad, g0, g1, d);
      }
    }
  }

  /** Row i's coefficient, or 0 for a leftover row that repeats an earlier one. */
  private static FloatVector coefficient(float[] coef, int i, boolean present) {
    return FloatVector.broadcast(SPECIES, present ? coef[i] : 0f);
  }

  /**
   * {@code grad[g0 + b*d ..] += sum_i coef[c + i*k + b] * x_i} over 4 rows and 5 basis rows b: the
   * 20 coefficients stay in registers, and per vector of d 4 row loads feed 20 FMAs. Rows past
   * {@code n} repeat row 0 with a zero coefficient.
   */
  private static void grad4x5(
      float[] coef,
      int c,
      int k,
      int n,
      float[] x,
      int x0,
      int x1,
      int x2,
      int x3,
      float[] grad,
      int g0,
      int d) {
    FloatVector k00 = coefficient(coef, c, true);
    FloatVector k01 = coefficient(coef, c + 1, true);
    FloatVector k02 = coefficient(coef, c + 2, true);
    FloatVector k03 = coefficient(coef, c + 3, true);
    FloatVector k04 = coefficient(coef, c + 4, true);
    FloatVector k10 = coefficient(coef, c + k, n > 1);
    FloatVector k11 = coefficient(coef, c + k + 1, n > 1);
    FloatVector k12 = coefficient(coef, c + k + 2, n > 1);
    FloatVector k13 = coefficient(coef, c + k + 3, n > 1);
    FloatVector k14 = coefficient(coef, c + k + 4, n > 1);
    FloatVector k20 = coefficient(coef, c + 2 * k, n > 2);
    FloatVector k21 = coefficient(coef, c + 2 * k + 1, n > 2);
    FloatVector k22 = coefficient(coef, c + 2 * k + 2, n > 2);
    FloatVector k23 = coefficient(coef, c + 2 * k + 3, n > 2);
    FloatVector k24 = coefficient(coef, c + 2 * k + 4, n > 2);
    FloatVector k30 = coefficient(coef, c + 3 * k, n > 3);
    FloatVector k31 = coefficient(coef, c + 3 * k + 1, n > 3);
    FloatVector k32 = coefficient(coef, c + 3 * k + 2, n > 3);
    FloatVector k33 = coefficient(coef, c + 3 * k + 3, n > 3);
    FloatVector k34 = coefficient(coef, c + 3 * k + 4, n > 3);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x1 + j);
      FloatVector v2 = load(x, x2 + j);
      FloatVector v3 = load(x, x3 + j);
      int g = g0 + j;
      fma(v3, k30, fma(v2, k20, fma(v1, k10, fma(v0, k00, load(grad, g))))).intoArray(grad, g);
      g += d;
      fma(v3, k31, fma(v2, k21, fma(v1, k11, fma(v0, k01, load(grad, g))))).intoArray(grad, g);
      g += d;
      fma(v3, k32, fma(v2, k22, fma(v1, k12, fma(v0, k02, load(grad, g))))).intoArray(grad, g);
      g += d;
      fma(v3, k33, fma(v2, k23, fma(v1, k13, fma(v0, k03, load(grad, g))))).intoArray(grad, g);
      g += d;
      fma(v3, k34, fma(v2, k24, fma(v1, k14, fma(v0, k04, load(grad, g))))).intoArray(grad, g);
    }
    for (int j = limit; j < d; j++) { // scalar tail, rows in the same order
      for (int b = 0; b < 5; b++) {
        int gi = g0 + b * d + j;
        float v = grad[gi] + coef[c + b] * x[x0 + j];
        if (n > 1) {
          v += coef[c + k + b] * x[x1 + j];
        }
        if (n > 2) {
          v += coef[c + 2 * k + b] * x[x2 + j];
        }
        if (n > 3) {
          v += coef[c + 3 * k + b] * x[x3 + j];
        }
        grad[gi] = v;
      }
    }
  }

  /**
   * {@code grad[g0..] += sum_i ci0 * x_i; grad[g1..] += sum_i ci1 * x_i} over 4 rows: per vector of
   * d, 4 row loads and 2 gradient loads and stores feed 8 FMAs, so the loop is FMA-bound rather
   * than load-bound. When {@code g1 == g0} the second update re-reads the first one's store.
   */
  private static void grad4x2(
      float[] x,
      int x0,
      int x1,
      int x2,
      int x3,
      float c00,
      float c10,
      float c20,
      float c30,
      float c01,
      float c11,
      float c21,
      float c31,
      float[] grad,
      int g0,
      int g1,
      int d) {
    FloatVector k00 = FloatVector.broadcast(SPECIES, c00);
    FloatVector k10 = FloatVector.broadcast(SPECIES, c10);
    FloatVector k20 = FloatVector.broadcast(SPECIES, c20);
    FloatVector k30 = FloatVector.broadcast(SPECIES, c30);
    FloatVector k01 = FloatVector.broadcast(SPECIES, c01);
    FloatVector k11 = FloatVector.broadcast(SPECIES, c11);
    FloatVector k21 = FloatVector.broadcast(SPECIES, c21);
    FloatVector k31 = FloatVector.broadcast(SPECIES, c31);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = load(x, x0 + j);
      FloatVector v1 = load(x, x1 + j);
      FloatVector v2 = load(x, x2 + j);
      FloatVector v3 = load(x, x3 + j);
      FloatVector acc = load(grad, g0 + j);
      acc = fma(v0, k00, acc);
      acc = fma(v1, k10, acc);
      acc = fma(v2, k20, acc);
      acc = fma(v3, k30, acc);
      acc.intoArray(grad, g0 + j);
      acc = load(grad, g1 + j);
      acc = fma(v0, k01, acc);
      acc = fma(v1, k11, acc);
      acc = fma(v2, k21, acc);
      acc = fma(v3, k31, acc);
      acc.intoArray(grad, g1 + j);
    }
    for (int j = limit; j < d; j++) { // scalar tail
      float v0 = x[x0 + j];
      float v1 = x[x1 + j];
      float v2 = x[x2 + j];
      float v3 = x[x3 + j];
      grad[g0 + j] += c00 * v0 + c10 * v1 + c20 * v2 + c30 * v3;
      grad[g1 + j] += c01 * v0 + c11 * v1 + c21 * v2 + c31 * v3;
    }
  }

  // ---- bf16 rows ----
  // The projection: the float projection blocks with every row load widened in registers, made
  // from them by replacing the row array's type, its vector loads by widen(..) and its scalar reads
  // by Bf16.toFloat(..); nothing else differs, so each result is the float kernel's on the widened
  // rows, bit for bit (KernelsTest checks it at every width). The gradient widens through the
  // workspace (see accumulateGradientBf16).

  /**
   * {@code LANES} bf16 values widened to floats: sign-extended to int lanes, shifted into the high
   * half and reinterpreted, which is exact. The shorts fill half a vector, so their species is half
   * the width (64 bits under 128-bit floats).
   */
  private static FloatVector widen(short[] a, int off) {
    return ((IntVector)
            ShortVector.fromArray(SHORTS, a, off).convertShape(VectorOperators.S2I, INTS, 0))
        .lanewise(VectorOperators.LSHL, 16)
        .reinterpretAsFloats();
  }

  /** {@link #dot}'s short-vector path (n below 2 lanes) with {@code a} in bf16. */
  private static float dotBf16(short[] a, int aOff, float[] b, int bOff, int n) {
    float s = 0;
    for (int j = 0; j < n; j++) {
      s += Bf16.toFloat(a[aOff + j]) * b[bOff + j];
    }
    return s;
  }

  /** {@link #axpy}'s short-vector path (n below 2 lanes) with {@code x} in bf16. */
  private static void axpyBf16(float alpha, short[] x, int xOff, float[] y, int yOff, int n) {
    for (int j = 0; j < n; j++) {
      y[yOff + j] += alpha * Bf16.toFloat(x[xOff + j]);
    }
  }

  @Override
  public void projectBf16(
      short[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws) {
    float[] scratch = ws.lanes;
    if (d < 2 * LANES) {
      projectScalarBf16(x, xOff, rows, d, basis, k, out, outOff);
      return;
    }
    int r = 0;
    // 4 rows x 4 basis rows: 16 accumulators halve the loads and loop overhead per FMA of the 2 x 4
    // block (fused pass at P=45000, d=4096, B=10: 84 ms instead of 100 ms)
    int fives = fives(k);
    for (; r + 4 <= rows; r += 4) {
      int x0 = xOff + r * d;
      int o0 = outOff + r * k;
      int b = fives;
      for (int f = 0; f < fives; f += 5) {
        project4x5Bf16(x, x0, d, basis, f, out, o0, k, scratch);
      }
      for (; b + 4 <= k; b += 4) {
        project4x4Bf16(x, x0, d, basis, b, out, o0, k, scratch);
      }
      if (b < k) { // remaining basis rows: two row pairs
        projectRestBf16(x, x0, x0 + d, basis, b, k, d, out, o0, o0 + k, scratch);
        projectRestBf16(
            x, x0 + 2 * d, x0 + 3 * d, basis, b, k, d, out, o0 + 2 * k, o0 + 3 * k, scratch);
      }
    }
    for (; r < rows; r += 2) {
      int x0 = xOff + r * d;
      int x1 =
          r + 1 < rows ? x0 + d : x0; // odd row count: repeat the row, write the same cell twice
      int o0 = outOff + r * k;
      int o1 = r + 1 < rows ? o0 + k : o0;
      // 4 basis rows at a time, then 2, then 1: no wasted FMAs for any k (rank 1 is the BT
      // baseline)
      int b = 0;
      for (; b + 4 <= k; b += 4) {
        project2x4Bf16(x, x0, x1, basis, b, b + 1, b + 2, b + 3, d, out, o0, o1, scratch);
      }
      if (b + 2 <= k) {
        project2x2Bf16(x, x0, x1, basis, b, b + 1, d, out, o0, o1, scratch);
        b += 2;
      }
      if (b < k) {
        project2x1Bf16(x, x0, x1, basis, b, d, out, o0, o1, scratch);
      }
    }
  }

  private static void projectRestBf16(
      short[] x,
      int x0,
      int x1,
      float[] basis,
      int b,
      int k,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    if (b + 2 <= k) {
      project2x2Bf16(x, x0, x1, basis, b, b + 1, d, out, o0, o1, scratch);
      b += 2;
    }
    if (b < k) {
      project2x1Bf16(x, x0, x1, basis, b, d, out, o0, o1, scratch);
    }
  }

  private static void project4x5Bf16(
      short[] x, int x0, int d, float[] a, int b0, float[] out, int o0, int k, float[] scratch) {
    int a0 = b0 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s04 = s00;
    FloatVector s10 = s00;
    FloatVector s11 = s00;
    FloatVector s12 = s00;
    FloatVector s13 = s00;
    FloatVector s14 = s00;
    FloatVector s20 = s00;
    FloatVector s21 = s00;
    FloatVector s22 = s00;
    FloatVector s23 = s00;
    FloatVector s24 = s00;
    FloatVector s30 = s00;
    FloatVector s31 = s00;
    FloatVector s32 = s00;
    FloatVector s33 = s00;
    FloatVector s34 = s00;
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = widen(x, x0 + j);
      FloatVector v1 = widen(x, x0 + d + j);
      FloatVector v2 = widen(x, x0 + 2 * d + j);
      FloatVector v3 = widen(x, x0 + 3 * d + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      s20 = fma(v2, w, s20);
      s30 = fma(v3, w, s30);
      w = load(a, a0 + d + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      s21 = fma(v2, w, s21);
      s31 = fma(v3, w, s31);
      w = load(a, a0 + 2 * d + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      s22 = fma(v2, w, s22);
      s32 = fma(v3, w, s32);
      w = load(a, a0 + 3 * d + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
      s23 = fma(v2, w, s23);
      s33 = fma(v3, w, s33);
      w = load(a, a0 + 4 * d + j);
      s04 = fma(v0, w, s04);
      s14 = fma(v1, w, s14);
      s24 = fma(v2, w, s24);
      s34 = fma(v3, w, s34);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s04.intoArray(scratch, 4 * LANES);
    s10.intoArray(scratch, 5 * LANES);
    s11.intoArray(scratch, 6 * LANES);
    s12.intoArray(scratch, 7 * LANES);
    s13.intoArray(scratch, 8 * LANES);
    s14.intoArray(scratch, 9 * LANES);
    s20.intoArray(scratch, 10 * LANES);
    s21.intoArray(scratch, 11 * LANES);
    s22.intoArray(scratch, 12 * LANES);
    s23.intoArray(scratch, 13 * LANES);
    s24.intoArray(scratch, 14 * LANES);
    s30.intoArray(scratch, 15 * LANES);
    s31.intoArray(scratch, 16 * LANES);
    s32.intoArray(scratch, 17 * LANES);
    s33.intoArray(scratch, 18 * LANES);
    s34.intoArray(scratch, 19 * LANES);
    for (int r = 0; r < 4; r++) {
      int xr = x0 + r * d;
      for (int b = 0; b < 5; b++) {
        float acc = lanes(scratch, (5 * r + b) * LANES);
        int ab = a0 + b * d;
        for (int j = limit; j < d; j++) { // scalar tail
          acc += Bf16.toFloat(x[xr + j]) * a[ab + j];
        }
        out[o0 + r * k + b0 + b] = acc;
      }
    }
  }

  private static void project4x4Bf16(
      short[] x, int x0, int d, float[] a, int b0, float[] out, int o0, int k, float[] scratch) {
    int a0 = b0 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s02 = FloatVector.zero(SPECIES);
    FloatVector s03 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    FloatVector s12 = FloatVector.zero(SPECIES);
    FloatVector s13 = FloatVector.zero(SPECIES);
    FloatVector s20 = FloatVector.zero(SPECIES);
    FloatVector s21 = FloatVector.zero(SPECIES);
    FloatVector s22 = FloatVector.zero(SPECIES);
    FloatVector s23 = FloatVector.zero(SPECIES);
    FloatVector s30 = FloatVector.zero(SPECIES);
    FloatVector s31 = FloatVector.zero(SPECIES);
    FloatVector s32 = FloatVector.zero(SPECIES);
    FloatVector s33 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = widen(x, x0 + j);
      FloatVector v1 = widen(x, x0 + d + j);
      FloatVector v2 = widen(x, x0 + 2 * d + j);
      FloatVector v3 = widen(x, x0 + 3 * d + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      s20 = fma(v2, w, s20);
      s30 = fma(v3, w, s30);
      w = load(a, a0 + d + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      s21 = fma(v2, w, s21);
      s31 = fma(v3, w, s31);
      w = load(a, a0 + 2 * d + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      s22 = fma(v2, w, s22);
      s32 = fma(v3, w, s32);
      w = load(a, a0 + 3 * d + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
      s23 = fma(v2, w, s23);
      s33 = fma(v3, w, s33);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s10.intoArray(scratch, 4 * LANES);
    s11.intoArray(scratch, 5 * LANES);
    s12.intoArray(scratch, 6 * LANES);
    s13.intoArray(scratch, 7 * LANES);
    s20.intoArray(scratch, 8 * LANES);
    s21.intoArray(scratch, 9 * LANES);
    s22.intoArray(scratch, 10 * LANES);
    s23.intoArray(scratch, 11 * LANES);
    s30.intoArray(scratch, 12 * LANES);
    s31.intoArray(scratch, 13 * LANES);
    s32.intoArray(scratch, 14 * LANES);
    s33.intoArray(scratch, 15 * LANES);
    for (int r = 0; r < 4; r++) {
      int xr = x0 + r * d;
      for (int b = 0; b < 4; b++) {
        float acc = lanes(scratch, (4 * r + b) * LANES);
        int ab = a0 + b * d;
        for (int j = limit; j < d; j++) { // scalar tail
          acc += Bf16.toFloat(x[xr + j]) * a[ab + j];
        }
        out[o0 + r * k + b0 + b] = acc;
      }
    }
  }

  private static void project2x2Bf16(
      short[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int b1,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    int a1 = b1 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = widen(x, x0 + j);
      FloatVector v1 = widen(x, x1 + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      w = load(a, a1 + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s10.intoArray(scratch, 2 * LANES);
    s11.intoArray(scratch, 3 * LANES);
    float r00 = lanes(scratch, 0);
    float r01 = lanes(scratch, LANES);
    float r10 = lanes(scratch, 2 * LANES);
    float r11 = lanes(scratch, 3 * LANES);
    for (int j = limit; j < d; j++) {
      r00 += Bf16.toFloat(x[x0 + j]) * a[a0 + j];
      r01 += Bf16.toFloat(x[x0 + j]) * a[a1 + j];
      r10 += Bf16.toFloat(x[x1 + j]) * a[a0 + j];
      r11 += Bf16.toFloat(x[x1 + j]) * a[a1 + j];
    }
    out[o0 + b1] = r01;
    out[o0 + b0] = r00;
    out[o1 + b1] = r11;
    out[o1 + b0] = r10;
  }

  private static void project2x1Bf16(
      short[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    FloatVector t0 = FloatVector.zero(SPECIES);
    FloatVector t1 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    int j = 0;
    for (; j + 2 * LANES <= limit; j += 2 * LANES) {
      FloatVector w = load(a, a0 + j);
      s0 = fma(widen(x, x0 + j), w, s0);
      s1 = fma(widen(x, x1 + j), w, s1);
      w = load(a, a0 + j + LANES);
      t0 = fma(widen(x, x0 + j + LANES), w, t0);
      t1 = fma(widen(x, x1 + j + LANES), w, t1);
    }
    for (; j < limit; j += LANES) {
      FloatVector w = load(a, a0 + j);
      s0 = fma(widen(x, x0 + j), w, s0);
      s1 = fma(widen(x, x1 + j), w, s1);
    }
    s0.add(t0).intoArray(scratch, 0);
    s1.add(t1).intoArray(scratch, LANES);
    float r0 = lanes(scratch, 0);
    float r1 = lanes(scratch, LANES);
    for (j = limit; j < d; j++) {
      r0 += Bf16.toFloat(x[x0 + j]) * a[a0 + j];
      r1 += Bf16.toFloat(x[x1 + j]) * a[a0 + j];
    }
    out[o0 + b0] = r0;
    out[o1 + b0] = r1;
  }

  private static void project2x4Bf16(
      short[] x,
      int x0,
      int x1,
      float[] a,
      int b0,
      int b1,
      int b2,
      int b3,
      int d,
      float[] out,
      int o0,
      int o1,
      float[] scratch) {
    int a0 = b0 * d;
    int a1 = b1 * d;
    int a2 = b2 * d;
    int a3 = b3 * d;
    FloatVector s00 = FloatVector.zero(SPECIES);
    FloatVector s01 = FloatVector.zero(SPECIES);
    FloatVector s02 = FloatVector.zero(SPECIES);
    FloatVector s03 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES);
    FloatVector s11 = FloatVector.zero(SPECIES);
    FloatVector s12 = FloatVector.zero(SPECIES);
    FloatVector s13 = FloatVector.zero(SPECIES);
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      FloatVector v0 = widen(x, x0 + j);
      FloatVector v1 = widen(x, x1 + j);
      FloatVector w = load(a, a0 + j);
      s00 = fma(v0, w, s00);
      s10 = fma(v1, w, s10);
      w = load(a, a1 + j);
      s01 = fma(v0, w, s01);
      s11 = fma(v1, w, s11);
      w = load(a, a2 + j);
      s02 = fma(v0, w, s02);
      s12 = fma(v1, w, s12);
      w = load(a, a3 + j);
      s03 = fma(v0, w, s03);
      s13 = fma(v1, w, s13);
    }
    s00.intoArray(scratch, 0);
    s01.intoArray(scratch, LANES);
    s02.intoArray(scratch, 2 * LANES);
    s03.intoArray(scratch, 3 * LANES);
    s10.intoArray(scratch, 4 * LANES);
    s11.intoArray(scratch, 5 * LANES);
    s12.intoArray(scratch, 6 * LANES);
    s13.intoArray(scratch, 7 * LANES);
    float r00 = lanes(scratch, 0);
    float r01 = lanes(scratch, LANES);
    float r02 = lanes(scratch, 2 * LANES);
    float r03 = lanes(scratch, 3 * LANES);
    float r10 = lanes(scratch, 4 * LANES);
    float r11 = lanes(scratch, 5 * LANES);
    float r12 = lanes(scratch, 6 * LANES);
    float r13 = lanes(scratch, 7 * LANES);
    for (int j = limit; j < d; j++) { // scalar tail
      float v0 = Bf16.toFloat(x[x0 + j]);
      float v1 = Bf16.toFloat(x[x1 + j]);
      r00 += v0 * a[a0 + j];
      r01 += v0 * a[a1 + j];
      r02 += v0 * a[a2 + j];
      r03 += v0 * a[a3 + j];
      r10 += v1 * a[a0 + j];
      r11 += v1 * a[a1 + j];
      r12 += v1 * a[a2 + j];
      r13 += v1 * a[a3 + j];
    }
    out[o0 + b3] = r03;
    out[o0 + b2] = r02;
    out[o0 + b1] = r01;
    out[o0 + b0] = r00;
    out[o1 + b3] = r13;
    out[o1 + b2] = r12;
    out[o1 + b1] = r11;
    out[o1 + b0] = r10;
  }

  private void projectScalarBf16(
      short[] x, int xOff, int rows, int d, float[] basis, int k, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        out[outOff + r * k + b] = dotBf16(x, xOff + r * d, basis, b * d, d);
      }
    }
  }

  /**
   * Widens each group of 4 rows into the workspace (4 x d floats, in L1 or L2) and runs the float
   * blocks on it. The same blocks with the widening in registers ran 15x slower: the 4 x 5 block
   * with 4 widenings per step exceeds C2's node budget (NodeCountInliningCutoff, seen in
   * -XX:+PrintInlining), its vector calls are not inlined and the vectors are boxed.
   */
  @Override
  public void accumulateGradientBf16(
      float[] coef,
      int coefOff,
      short[] x,
      int xOff,
      int rows,
      int d,
      int k,
      float[] grad,
      Workspace ws) {
    if (d < 2 * LANES) {
      for (int r = 0; r < rows; r++) {
        for (int b = 0; b < k; b++) {
          axpyBf16(coef[coefOff + r * k + b], x, xOff + r * d, grad, b * d, d);
        }
      }
      return;
    }
    float[] w = ws.rows(4 * d);
    int fives = fives(k);
    for (int r = 0; r < rows; r += 4) {
      // leftover rows repeat row r with a zero coefficient, as in accumulateGradient
      int n = Math.min(4, rows - r);
      for (int i = 0; i < n; i++) {
        widenRow(x, xOff + (r + i) * d, w, i * d, d);
      }
      int x1 = n > 1 ? d : 0;
      int x2 = n > 2 ? 2 * d : 0;
      int x3 = n > 3 ? 3 * d : 0;
      int c0 = coefOff + r * k;
      for (int b = 0; b < fives; b += 5) {
        grad4x5(coef, c0 + b, k, n, w, 0, x1, x2, x3, grad, b * d, d);
      }
      for (int b = fives; b < k; b += 2) {
        boolean two = b + 1 < k;
        float c00 = coef[c0 + b];
        float c10 = n > 1 ? coef[c0 + k + b] : 0f;
        float c20 = n > 2 ? coef[c0 + 2 * k + b] : 0f;
        float c30 = n > 3 ? coef[c0 + 3 * k + b] : 0f;
        float c01 = two ? coef[c0 + b + 1] : 0f;
        float c11 = two && n > 1 ? coef[c0 + k + b + 1] : 0f;
        float c21 = two && n > 2 ? coef[c0 + 2 * k + b + 1] : 0f;
        float c31 = two && n > 3 ? coef[c0 + 3 * k + b + 1] : 0f;
        int g0 = b * d;
        int g1 = two ? g0 + d : g0;
        grad4x2(w, 0, x1, x2, x3, c00, c10, c20, c30, c01, c11, c21, c31, grad, g0, g1, d);
      }
    }
  }

  /** {@code dst[dstOff + j] = x[xOff + j]} widened, for j in [0, d). */
  private static void widenRow(short[] x, int xOff, float[] dst, int dstOff, int d) {
    int limit = SPECIES.loopBound(d);
    for (int j = 0; j < limit; j += LANES) {
      widen(x, xOff + j).intoArray(dst, dstOff + j);
    }
    for (int j = limit; j < d; j++) {
      dst[dstOff + j] = Bf16.toFloat(x[xOff + j]);
    }
  }
}
