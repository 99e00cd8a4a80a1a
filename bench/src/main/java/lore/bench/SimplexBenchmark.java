package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.internal.kernel.Numerics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Euclidean projection onto the probability simplex over a batch of {@code n} small vectors of
 * length B (every user's weights after a step): {@code Numerics.projectToSimplex} (scalar only:
 * SIMD does not pay on a few dozen entries; path {@code engine}) vs the same algorithm in ND4J
 * array ops (sort, cumsum, max, relu). EJML has no sort-based op, so it is not in this comparison.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR,
      Flags.NATIVE,
      Flags.UNSAFE,
      Flags.MAXBYTES,
      Flags.MAXPHYSICAL,
      "-Xms1g",
      "-Xmx1g",
      Flags.PRETOUCH
    })
public class SimplexBenchmark extends PathState {
  @Param({"2", "10", "50"})
  int B;

  @Param({"1000"})
  int n;

  float[] input;
  float[] v;
  float[] work;
  INDArray nv;
  INDArray ranks;

  @Setup(Level.Trial)
  public void setUp() {
    selectPath();
    var rnd = new SplittableRandom(Inputs.SEED);
    // weights after a gradient step: near the simplex, some entries pushed negative
    input = Inputs.uniform(rnd, n * B, -0.5, 1.0);
    v = input.clone();
    work = new float[B];
    if (nd4j) {
      nv = Nd4jPath.matrix(input, n, B);
      float[] r = new float[B];
      for (int j = 0; j < B; j++) {
        r[j] = j + 1;
      }
      ranks = Nd4jPath.matrix(r, 1, B);
    }
    check();
  }

  /** Once per trial: the result matches the engine's projection of the same vectors. */
  void check() {
    float[] want = input.clone();
    float[] w = new float[B];
    for (int i = 0; i < n; i++) {
      Numerics.projectToSimplex(want, i * B, B, w);
    }
    Object out = project();
    float[] got = nd4j ? ((INDArray) out).data().asFloat() : v;
    float[] scale = new float[n * B];
    java.util.Arrays.fill(scale, 10f); // weights are in [0, 1]: 1e-3 absolute
    Checks.requireClose(path + " simplex B=" + B, want, got, scale, n * B);
  }

  @Benchmark
  public Object project() {
    if (nd4j) {
      return Nd4jPath.projectToSimplex(nv, ranks);
    }
    // in place: restore the input first (n * B floats, small next to the sorts)
    System.arraycopy(input, 0, v, 0, v.length);
    for (int i = 0; i < n; i++) {
      Numerics.projectToSimplex(v, i * B, B, work);
    }
    return v;
  }
}
