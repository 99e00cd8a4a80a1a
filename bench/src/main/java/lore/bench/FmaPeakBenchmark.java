package lore.bench;

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
 * The compute roofline, measured in the same run: 12 independent FMA chains of the preferred vector
 * width (enough to cover FMA latency times the number of FMA ports), {@code ITERATIONS} steps each,
 * on 1 or 2 threads. FLOP per call = 2 x lanes x 12 x ITERATIONS x threads. The same probe in C
 * measured 152 GFLOP/s per core on the Cascade Lake machine (bench/RESULTS.md, "Reference figures
 * of the Cascade Lake machine"); this measures the machine the run is on, from Java.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {Flags.VECTOR, "-Xms256m", "-Xmx256m"})
public class FmaPeakBenchmark extends ParallelState {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final int CHAINS = 12;

  @Param({"1048576"})
  int iterations;

  float[] seed;

  @Setup(Level.Trial)
  public void setUp() {
    seed = new float[3 * SPECIES.length()];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = i < SPECIES.length() ? 0.5f : (i < 2 * SPECIES.length() ? 0.999f : 1e-3f);
    }
    parallel = new Parallel(threads);
    // the recurrence x <- x * m + c is exact-rounded per FMA in both codes: compare with Math.fma
    float x = 0.5f;
    for (int i = 0; i < iterations; i++) {
      x = Math.fma(x, 0.999f, 1e-3f);
    }
    double want = (double) x * SPECIES.length() * CHAINS * threads;
    double got = run();
    if (Math.abs(got - want) > 1e-3 * want) {
      throw new IllegalStateException("FMA chains give " + got + ", the scalar reference " + want);
    }
  }

  @Benchmark
  public double run() {
    return parallel.run(t -> chains(seed, iterations));
  }

  /** Sum over 12 chains of the lanes of {@code x <- fma(x, m, c)} after n steps. */
  static float chains(float[] seed, int n) {
    int l = SPECIES.length();
    FloatVector m = FloatVector.fromArray(SPECIES, seed, l);
    FloatVector c = FloatVector.fromArray(SPECIES, seed, 2 * l);
    FloatVector x0 = FloatVector.fromArray(SPECIES, seed, 0);
    FloatVector x1 = x0;
    FloatVector x2 = x0;
    FloatVector x3 = x0;
    FloatVector x4 = x0;
    FloatVector x5 = x0;
    FloatVector x6 = x0;
    FloatVector x7 = x0;
    FloatVector x8 = x0;
    FloatVector x9 = x0;
    FloatVector x10 = x0;
    FloatVector x11 = x0;
    for (int i = 0; i < n; i++) {
      x0 = x0.fma(m, c);
      x1 = x1.fma(m, c);
      x2 = x2.fma(m, c);
      x3 = x3.fma(m, c);
      x4 = x4.fma(m, c);
      x5 = x5.fma(m, c);
      x6 = x6.fma(m, c);
      x7 = x7.fma(m, c);
      x8 = x8.fma(m, c);
      x9 = x9.fma(m, c);
      x10 = x10.fma(m, c);
      x11 = x11.fma(m, c);
    }
    FloatVector s = x0.add(x1).add(x2.add(x3)).add(x4.add(x5)).add(x6.add(x7));
    s = s.add(x8.add(x9)).add(x10.add(x11));
    return s.reduceLanes(VectorOperators.ADD);
  }
}
