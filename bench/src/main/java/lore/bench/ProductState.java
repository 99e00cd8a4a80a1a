package lore.bench;

import java.util.SplittableRandom;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.ScalarKernels;
import org.ejml.data.FMatrixRMaj;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two matrix-product benchmarks ({@link ProjectBenchmark}, {@link GradientBenchmark}): X (rows
 * x d) and a small operand, drawn from the fixed seed, into a result, held as float arrays and, for
 * EJML and ND4J, as that library's matrices (EJML wraps the arrays, ND4J copies them off-heap).
 */
public abstract class ProductState extends KernelState {
  // non-final on purpose: defeats constant folding
  float[] x;
  float[] operand;
  float[] result;
  Impl which;
  Kernels kernels;
  FMatrixRMaj ex;
  FMatrixRMaj eOperand;
  FMatrixRMaj eResult;
  INDArray nx;
  INDArray nOperand;
  INDArray nResult;

  /**
   * The product computed by the scalar reference: {@code out} from {@code x} and {@code operand}.
   */
  interface Reference {
    void compute(Kernels ref, float[] x, float[] operand, float[] out);
  }

  /**
   * Draws X, then an operand of {@code opRows x opCols}, and allocates a zero result of {@code
   * resRows x resCols}, set up for {@code impl}.
   */
  void operands(int opRows, int opCols, int resRows, int resCols) {
    which = Impl.of(impl);
    var rnd = new SplittableRandom(Inputs.SEED);
    x = Inputs.uniform(rnd, (long) rows * d);
    operand = Inputs.uniform(rnd, (long) opRows * opCols);
    result = new float[resRows * resCols];
    switch (which) {
      case PANAMA, SCALAR -> kernels = which.kernels();
      case EJML -> {
        ex = FMatrixRMaj.wrap(rows, d, x);
        eOperand = FMatrixRMaj.wrap(opRows, opCols, operand);
        eResult = FMatrixRMaj.wrap(resRows, resCols, result);
      }
      case ND4J -> {
        Nd4jPath.threads(1);
        nx = Nd4jPath.matrix(x, rows, d);
        nOperand = Nd4jPath.matrix(operand, opRows, opCols);
        nResult = Nd4jPath.matrix(result, resRows, resCols);
      }
    }
  }

  /**
   * Once per trial, outside timing, after one call of the benchmark: throws unless the result
   * matches {@code product} on the scalar kernels, within a tolerance scaled by the same product of
   * absolute values.
   */
  void requireMatchesScalar(String op, Reference product) {
    var ref = new ScalarKernels();
    float[] want = new float[result.length];
    float[] scale = new float[result.length];
    product.compute(ref, x, operand, want);
    product.compute(ref, Inputs.abs(x), Inputs.abs(operand), scale);
    float[] got = which == Impl.ND4J ? nResult.data().asFloat() : result;
    Checks.requireClose(impl + " " + op + " d=" + d + " B=" + B, want, got, scale, result.length);
  }
}
