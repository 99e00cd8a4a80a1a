package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.ScalarKernels;
import org.ejml.data.FMatrixRMaj;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Batched projection {@code Z = X A^T} (rows x d times d x B): {@code Kernels.project} vs EJML
 * {@code multTransB} vs ND4J {@code gemm}, single-threaded. rows x d is 64 MB at the defaults,
 * larger than L3, so at small B this is a memory-bound read of X.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR, Flags.NATIVE, Flags.UNSAFE, Flags.MAXBYTES, Flags.MAXPHYSICAL, "-Xms2g",
      "-Xmx2g", Flags.PRETOUCH
    })
public class ProjectBenchmark extends KernelState {
  // non-final on purpose: defeats constant folding
  float[] x;
  float[] basis;
  float[] z;
  Kernels.Workspace scratch;
  Impl which;
  Kernels kernels;
  FMatrixRMaj ex;
  FMatrixRMaj ea;
  FMatrixRMaj ez;
  INDArray nx;
  INDArray na;
  INDArray nz;

  @Setup(Level.Trial)
  public void setUp() {
    which = Impl.of(impl);
    var rnd = new SplittableRandom(Inputs.SEED);
    x = Inputs.uniform(rnd, (long) rows * d);
    basis = Inputs.uniform(rnd, (long) B * d);
    z = new float[rows * B];
    switch (which) {
      case PANAMA, SCALAR -> {
        kernels = which.kernels();
        scratch = kernels.workspace();
      }
      case EJML -> {
        ex = FMatrixRMaj.wrap(rows, d, x);
        ea = FMatrixRMaj.wrap(B, d, basis);
        ez = FMatrixRMaj.wrap(rows, B, z);
      }
      case ND4J -> {
        Nd4jPath.threads(1);
        nx = Nd4jPath.matrix(x, rows, d);
        na = Nd4jPath.matrix(basis, B, d);
        nz = Nd4jPath.matrix(z, rows, B);
      }
    }
    check();
  }

  /** Once per trial, outside timing: the result matches the scalar reference. */
  void check() {
    var ref = new ScalarKernels();
    float[] want = new float[rows * B];
    float[] scale = new float[rows * B];
    Kernels.Workspace s = ref.workspace();
    ref.project(x, 0, rows, d, basis, B, want, 0, s);
    ref.project(Inputs.abs(x), 0, rows, d, Inputs.abs(basis), B, scale, 0, s);
    project();
    float[] got = which == Impl.ND4J ? nz.data().asFloat() : z;
    Checks.requireClose(impl + " project d=" + d + " B=" + B, want, got, scale, rows * B);
  }

  @Benchmark
  public Object project() {
    switch (which) {
      case PANAMA, SCALAR -> {
        kernels.project(x, 0, rows, d, basis, B, z, 0, scratch);
        return z;
      }
      case EJML -> {
        EjmlPath.project(ex, ea, ez, 1);
        return ez;
      }
      default -> {
        return Nd4jPath.project(nx, na, nz);
      }
    }
  }
}
