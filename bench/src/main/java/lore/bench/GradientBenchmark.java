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
 * Gradient accumulation {@code grad += G^T X} (B x rows times rows x d): {@code
 * Kernels.accumulateGradient} vs EJML {@code multAddTransA} vs ND4J {@code gemm} with beta 1,
 * single-threaded. All three accumulate, so grad grows across calls; that costs nothing.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR, Flags.NATIVE, Flags.UNSAFE, Flags.MAXBYTES, Flags.MAXPHYSICAL, "-Xms2g",
      "-Xmx2g", Flags.PRETOUCH
    })
public class GradientBenchmark extends KernelState {
  float[] x;
  float[] coef;
  float[] grad;
  Impl which;
  Kernels kernels;
  FMatrixRMaj ex;
  FMatrixRMaj eg;
  FMatrixRMaj egrad;
  INDArray nx;
  INDArray ng;
  INDArray ngrad;

  @Setup(Level.Trial)
  public void setUp() {
    which = Impl.of(impl);
    var rnd = new SplittableRandom(Inputs.SEED);
    x = Inputs.uniform(rnd, (long) rows * d);
    coef = Inputs.uniform(rnd, (long) rows * B);
    grad = new float[B * d];
    switch (which) {
      case PANAMA, SCALAR -> kernels = which.kernels();
      case EJML -> {
        ex = FMatrixRMaj.wrap(rows, d, x);
        eg = FMatrixRMaj.wrap(rows, B, coef);
        egrad = FMatrixRMaj.wrap(B, d, grad);
      }
      case ND4J -> {
        Nd4jPath.threads(1);
        nx = Nd4jPath.matrix(x, rows, d);
        ng = Nd4jPath.matrix(coef, rows, B);
        ngrad = Nd4jPath.matrix(grad, B, d);
      }
    }
    check();
  }

  /** Once per trial, outside timing: one call from zero matches the scalar reference. */
  void check() {
    var ref = new ScalarKernels();
    float[] want = new float[B * d];
    float[] scale = new float[B * d];
    ref.accumulateGradient(coef, 0, x, 0, rows, d, B, want);
    ref.accumulateGradient(Inputs.abs(coef), 0, Inputs.abs(x), 0, rows, d, B, scale);
    gradient();
    float[] got = which == Impl.ND4J ? ngrad.data().asFloat() : grad;
    Checks.requireClose(impl + " gradient d=" + d + " B=" + B, want, got, scale, B * d);
  }

  @Benchmark
  public Object gradient() {
    switch (which) {
      case PANAMA, SCALAR -> {
        kernels.accumulateGradient(coef, 0, x, 0, rows, d, B, grad);
        return grad;
      }
      case EJML -> {
        EjmlPath.gradient(eg, ex, egrad, 1);
        return egrad;
      }
      default -> {
        return Nd4jPath.gradient(ng, nx, ngrad);
      }
    }
  }
}
