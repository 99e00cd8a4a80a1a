package lore.bench;

import lore.internal.kernel.Numerics;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * The benchmarked operations written with EJML's float dense row-major API. EJML has no logistic
 * element-wise op, so the fused pass does that step in a plain loop, as an EJML user would. With
 * more than one thread the {@code CommonOps_MT_FDRM} twins run on EJML's own pool.
 */
final class EjmlPath {
  private EjmlPath() {}

  /** Sets EJML's concurrency (its own pool) when {@code threads > 1}. */
  static void threads(int threads) {
    EjmlConcurrency.setMaxThreads(threads);
  }

  /** {@code z = x a^T}. */
  static void project(FMatrixRMaj x, FMatrixRMaj a, FMatrixRMaj z, int threads) {
    if (threads > 1) {
      CommonOps_MT_FDRM.multTransB(x, a, z);
    } else {
      CommonOps_FDRM.multTransB(x, a, z);
    }
  }

  /** {@code grad += g^T x}. */
  static void gradient(FMatrixRMaj g, FMatrixRMaj x, FMatrixRMaj grad, int threads) {
    if (threads > 1) {
      CommonOps_MT_FDRM.multAddTransA(g, x, grad);
    } else {
      CommonOps_FDRM.multAddTransA(g, x, grad);
    }
  }

  /**
   * The training pass as projection, a logistic loop and gradient (see {@link Nd4jPath#fused}),
   * over the first {@code z.numRows} rows of x (x may hold more).
   *
   * @param g rows x B, overwritten with the gradient coefficients of the projections
   * @return the loss, summed in double
   */
  static double fused(
      FMatrixRMaj x,
      FMatrixRMaj a,
      int[] rowUser,
      float[] userW,
      float[] userFactor,
      FMatrixRMaj z,
      FMatrixRMaj g,
      FMatrixRMaj grad,
      int threads) {
    project(x, a, z, threads);
    int rows = z.numRows;
    int k = z.numCols;
    float[] zd = z.data;
    float[] gd = g.data;
    double loss = 0;
    for (int r = 0; r < rows; r++) {
      int u = rowUser[r];
      double m = 0;
      for (int b = 0; b < k; b++) {
        m += (double) userW[u * k + b] * zd[r * k + b];
      }
      double f = userFactor[u];
      loss += f * Numerics.softplusNeg(m);
      float c = (float) (f * Numerics.softplusNegGrad(m));
      for (int b = 0; b < k; b++) {
        gd[r * k + b] = c * userW[u * k + b];
      }
    }
    gradient(g, x, grad, threads);
    return loss;
  }
}
