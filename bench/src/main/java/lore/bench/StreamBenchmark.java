package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The memory roofline, measured in the same run as the kernels: a STREAM-style read of a float
 * array far larger than L3 (1 GiB), summed with the Vector API in four independent accumulators, on
 * 1 or 2 threads (each thread one half). Bandwidth = bytes / time; the report divides every
 * memory-bound kernel's bytes by it.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {Flags.VECTOR, "-Xms3g", "-Xmx3g"})
public class StreamBenchmark extends ParallelState {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  @Param({"1024"})
  int mib;

  float[] a;
  long ones;

  @Setup(Level.Trial)
  public void setUp() {
    a = new float[mib << 18];
    var rnd = new SplittableRandom(Inputs.SEED);
    long count = 0;
    for (int i = 0; i < a.length; i++) {
      // 0 or 1: each lane accumulator stays an exact integer; only the final float reduction rounds
      if ((rnd.nextInt() & 1) != 0) {
        a[i] = 1f;
        count++;
      }
    }
    ones = count;
    parallel = new Parallel(threads);
    Checks.requireClose("vector read sum", ones, read(), ones); // float total: 1e-4 relative
  }

  @Benchmark
  public double read() {
    return parallel.run(this::part);
  }

  private double part(int t) {
    int n = parallel.threads();
    return sum(a, Parallel.lo(a.length, t, n), Parallel.lo(a.length, t + 1, n));
  }

  /** Sum of a[from, to): four accumulators hide the add latency so only memory limits it. */
  static float sum(float[] a, int from, int to) {
    int step = SPECIES.length();
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    FloatVector s2 = FloatVector.zero(SPECIES);
    FloatVector s3 = FloatVector.zero(SPECIES);
    int i = from;
    for (; i + 4 * step <= to; i += 4 * step) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, a, i));
      s1 = s1.add(FloatVector.fromArray(SPECIES, a, i + step));
      s2 = s2.add(FloatVector.fromArray(SPECIES, a, i + 2 * step));
      s3 = s3.add(FloatVector.fromArray(SPECIES, a, i + 3 * step));
    }
    for (; i + step <= to; i += step) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, a, i));
    }
    float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      s += a[i];
    }
    return s;
  }
}
