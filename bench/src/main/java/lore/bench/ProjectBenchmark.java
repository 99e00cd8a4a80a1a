package lore.bench;

import java.util.concurrent.TimeUnit;
import lore.internal.kernel.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Batched projection {@code Z = X A^T} (rows x d times d x B): {@code Kernels.project} vs EJML
 * {@code multTransB} vs ND4J {@code gemm}, single-threaded. rows x d is 64 MB at the defaults,
 * larger than L3, so at small B this is a memory-bound read of X. The operand is A (B x d), the
 * result Z (rows x B).
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
public class ProjectBenchmark extends ProductState {
  Kernels.Workspace scratch;

  @Setup(Level.Trial)
  public void setUp() {
    operands(B, d, rows, B);
    if (which.isEngine()) {
      scratch = kernels.workspace();
    }
    check();
  }

  /** Once per trial, outside timing: the result matches the scalar reference. */
  void check() {
    project();
    requireMatchesScalar(
        "project", (ref, a, b, out) -> ref.project(a, 0, rows, d, b, B, out, 0, ref.workspace()));
  }

  @Benchmark
  public Object project() {
    switch (which) {
      case PANAMA, SCALAR -> {
        kernels.project(x, 0, rows, d, operand, B, result, 0, scratch);
        return result;
      }
      case EJML -> {
        EjmlPath.project(ex, eOperand, eResult, 1);
        return eResult;
      }
      default -> {
        return Nd4jPath.project(nx, nOperand, nResult);
      }
    }
  }
}
