package lore.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * "The ND4J path": the benchmarked operations written the way an ND4J user writes them, with {@code
 * Nd4j.gemm} into preallocated results (faster than {@code mmul} for the projection in the first
 * probes, and it accumulates the gradient in place; bench/RESULTS.md, "Reference figures of the
 * Cascade Lake machine") and ND4J element-wise transforms, which allocate their temporaries.
 */
final class Nd4jPath {
  private Nd4jPath() {}

  /**
   * Sets ND4J's own thread pool and OpenBLAS to {@code threads} (the in-process equivalent of
   * {@code OMP_NUM_THREADS}, which JMH cannot set per trial). Every ND4J setup calls this first, so
   * it also chooses the native build for this CPU and fails with one line when none loads.
   */
  static void threads(int threads) {
    Nd4jNatives.require();
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  /** A rows x cols C-order float matrix holding a copy of {@code data} (off-heap). */
  static INDArray matrix(float[] data, long rows, long cols) {
    return Nd4j.create(data, new long[] {rows, cols}, DataType.FLOAT);
  }

  /** A float vector holding a copy of {@code data}. */
  static INDArray vector(float[] data) {
    return Nd4j.create(data, new long[] {data.length}, DataType.FLOAT);
  }

  /** {@code z = x a^T}. */
  static INDArray project(INDArray x, INDArray a, INDArray z) {
    return Nd4j.gemm(x, a, z, false, true, 1.0, 0.0);
  }

  /** {@code grad += g^T x}. */
  static INDArray gradient(INDArray g, INDArray x, INDArray grad) {
    return Nd4j.gemm(g, x, grad, true, false, 1.0, 1.0);
  }

  /**
   * The training pass as projection, element-wise logistic and gradient: {@code z = x a^T}; {@code
   * m_r = userW[u_r] . z_r}; loss {@code sum f_r softplus(-m_r)}; {@code c_r = -f_r sigmoid(-m_r)};
   * {@code grad += (c * userW[u])^T x}.
   *
   * @param rowUser the user of each row of x
   * @param rowFactor {@code 1/|D_u|} of each row's user, a vector of length rows
   * @return the loss
   */
  static double fused(
      INDArray x,
      INDArray a,
      int[] rowUser,
      INDArray userW,
      INDArray rowFactor,
      INDArray z,
      INDArray grad) {
    Nd4j.gemm(x, a, z, false, true, 1.0, 0.0);
    INDArray w = Nd4j.pullRows(userW, 1, rowUser); // rows x B
    INDArray negM = z.mul(w).sum(1).negi(); // -m, length rows
    double loss = Transforms.softPlus(negM, true).muli(rowFactor).sumNumber().doubleValue();
    INDArray c = Transforms.sigmoid(negM, false).muli(rowFactor).negi();
    INDArray g = w.muliColumnVector(c.reshape(c.length(), 1));
    Nd4j.gemm(g, x, grad, true, false, 1.0, 1.0);
    return loss;
  }

  /**
   * Row-wise projection onto the simplex, vectorized the ND4J way: sort each row decreasing,
   * cumulative sums, threshold {@code tau = max_j (cumsum_j - 1) / j} (equal to Duchi et al.'s
   * {@code tau} at rho, because the sequence increases exactly while the rho condition holds),
   * {@code w = relu(v - tau)}.
   *
   * @param v n x k, not modified
   * @param ranks the row vector {@code [1, 2, ..., k]}
   */
  static INDArray projectToSimplex(INDArray v, INDArray ranks) {
    INDArray u = Nd4j.sort(v.dup(), 1, false);
    INDArray t = u.cumsum(1).subi(1.0).diviRowVector(ranks);
    INDArray tau = t.max(1);
    return Transforms.relu(v.subColumnVector(tau.reshape(tau.length(), 1)), false);
  }

  /**
   * Logistic loss {@code sum softplus(-m)} of a vector of margins, with the per-margin derivative
   * {@code -sigmoid(-m)} written to {@code coef} (a new array, returned through it).
   */
  static double logisticLoss(INDArray margins, INDArray[] coef) {
    INDArray negM = margins.neg();
    double loss = Transforms.softPlus(negM, true).sumNumber().doubleValue();
    coef[0] = Transforms.sigmoid(negM, false).negi();
    return loss;
  }
}
