package lore.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The fused training pass ({@code Kernels.fusedPass}: project, score, accumulate the gradient while
 * the rows are in cache) vs projection + element-wise logistic + gradient in EJML and ND4J,
 * single-threaded, over {@code rows} rows of 45 pairs per user (the PersonalLLM ratio).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR,
      Flags.NATIVE,
      Flags.UNSAFE,
      Flags.MAXBYTES,
      Flags.MAXPHYSICAL,
      "-Xms2g",
      "-Xmx2g",
      Flags.PRETOUCH
    })
public class FusedPassBenchmark extends KernelState {
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
