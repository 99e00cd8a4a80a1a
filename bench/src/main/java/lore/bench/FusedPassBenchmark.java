package lore.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused training pass ({@code Kernels.fusedPass}: project, score, accumulate the gradient while
 * the rows are in cache) vs projection + element-wise logistic + gradient in EJML and ND4J,
 * single-threaded, over {@code rows} rows of 45 pairs per user (the PersonalLLM ratio).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR, Flags.NATIVE, Flags.UNSAFE, Flags.MAXBYTES, Flags.MAXPHYSICAL, "-Xms2g",
      "-Xmx2g", Flags.PRETOUCH
    })
@State(Scope.Benchmark)
public class FusedPassBenchmark {
  @Param({"panama", "scalar", "ejml", "nd4j"})
  String impl;

  @Param({"4096", "4095"})
  int d;

  @Param({"2", "10", "50"})
  int B;

  @Param({"4096"})
  int rows;

  FusedProblem problem;

  @Setup(Level.Trial)
  public void setUp() {
    problem = FusedProblem.random(Impl.of(impl), rows, d, B, Math.max(1, rows / 45), 1);
    problem.requireMatchesScalar(impl + " fusedPass d=" + d + " B=" + B);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    problem.close();
  }

  @Benchmark
  public double fusedPass() {
    return problem.iterate();
  }
}
