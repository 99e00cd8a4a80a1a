package lore.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Gradient accumulation {@code grad += G^T X} (B x rows times rows x d): {@code
 * Kernels.accumulateGradient} vs EJML {@code multAddTransA} vs ND4J {@code gemm} with beta 1,
 * single-threaded. All three accumulate, so grad grows across calls; that costs nothing. The
 * operand is G (rows x B), the result grad (B x d).
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
public class GradientBenchmark extends ProductState {
  @Setup(Level.Trial)
  public void setUp() {
    operands(rows, B, B, d);
    check();
  }

  /** Once per trial, outside timing: one call from zero matches the scalar reference. */
  void check() {
    gradient();
    requireMatchesScalar(
        "gradient", (ref, a, g, out) -> ref.accumulateGradient(g, 0, a, 0, rows, d, B, out));
  }

  @Benchmark
  public Object gradient() {
    switch (which) {
      case PANAMA, SCALAR -> {
        kernels.accumulateGradient(operand, 0, x, 0, rows, d, B, result);
        return result;
      }
      case EJML -> {
        EjmlPath.gradient(eOperand, ex, eResult, 1);
        return eResult;
      }
      default -> {
        return Nd4jPath.gradient(nOperand, nx, nResult);
      }
    }
  }
}
