package lore.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One full training iteration at PersonalLLM scale: P = 45,000 difference rows (737 MB at d =
 * 4096), 1000 users, on 1 or 2 threads. Engine: {@code Kernels.fusedPass} over {@code threads} row
 * ranges, one on the caller and the rest on a caller-owned executor, with per-thread gradients
 * summed after (as {@code Trainer} does). ND4J: the same pipeline with ND4J's and OpenBLAS's
 * threads set to {@code threads}. EJML: {@code CommonOps_MT_FDRM} on 2 threads. The quick profile
 * uses a smaller P (see README).
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
      "-Xms8g",
      "-Xmx8g"
    })
public class TrainIterationBenchmark extends ImplState {
  /** Rows checked against the scalar reference in setup (the scalar pass over all P is slow). */
  static final int CHECK_ROWS = 2048;

  @Param({"1", "2"})
  int threads;

  @Param({"45000"})
  int P;

  @Param({"1000"})
  int users;

  @Param({"4096"})
  int d;

  /**
   * How the engine stores the difference rows: {@code float32}, or {@code bf16} (half the bytes;
   * {@code -p storage=float32,bf16} compares them; engine impls only).
   */
  @Param({"float32"})
  String storage;

  FusedProblem problem;

  @Setup(Level.Trial)
  public void setUp() {
    boolean bf16 =
        switch (storage) {
          case "float32" -> false;
          case "bf16" -> true;
          default -> throw new IllegalArgumentException("storage " + storage + ": float32 or bf16");
        };
    problem = FusedProblem.random(Impl.of(impl), P, d, B, users, threads, bf16);
    // the same code path (impl, threads) on the first rows of the same data, outside timing
    try (FusedProblem head = problem.prefix(Math.min(P, CHECK_ROWS))) {
      head.requireMatchesScalar(
          impl + " " + storage + " train iteration B=" + B + " threads=" + threads);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    problem.close();
  }

  @Benchmark
  public double iteration(Blackhole bh) {
    double loss = problem.iterate();
    bh.consume(problem.gradHandle());
    return loss;
  }
}
