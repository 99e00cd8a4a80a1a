package lore.internal.kernel;

/**
 * The numerical primitives of the engine: one scalar and one Vector API implementation behind this
 * interface, chosen once by {@link KernelProvider}. Internal; not API; may change without notice.
 *
 * <p>Conventions: arrays are row-major {@code float[]} with explicit offsets and dimensions; inputs
 * first, dimensions next, caller-allocated outputs last; no allocation; no aliasing of inputs and
 * outputs unless a method says "in place". Implementations are stateless and thread-safe; the only
 * state, the lanes of {@link #project}, lives in a caller-owned {@link Workspace}. {@code d} is the
 * embedding dimension, {@code k} the rank (basis rows).
 */
public interface Kernels {

  /** {@code "scalar"} or {@code "panama/<bits>"}. */
  String name();

  /** A workspace for {@link #project}: owned by one caller (one thread) and reused. */
  default Workspace workspace() {
    return new Workspace();
  }

  /** {@code sum_j a[aOff + j] * b[bOff + j]} for j in [0, n). */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /** In place: {@code y[yOff + j] += alpha * x[xOff + j]} for j in [0, n). */
  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

  /**
   * {@code out[outOff + j] = x[xOff + j] - y[yOff + j]} for j in [0, n): each difference rounded
   * once, so every implementation gives the same bits (and the bits of {@code axpy(-1, y, out)} on
   * a copy of x). One pass over the inputs where a copy and an axpy make two.
   *
   * @param out overwritten; must not overlap {@code x} or {@code y} at another offset
   */
  void subtract(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n);

  /**
   * Batched projection onto the basis, {@code Z = X A^T}: for every row r in [0, rows) and basis
   * row b in [0, k), {@code out[outOff + r*k + b] = sum_j x[xOff + r*d + j] * basis[b*d + j]}.
   *
   * @param x rows x d, not modified
   * @param basis k x d, not modified
   * @param out rows x k, overwritten; must not alias {@code x} or {@code basis}
   * @param ws the caller's workspace: lets the kernel sum vector lanes in a fixed order without
   *     allocating
   */
  void project(
      float[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws);

  /**
   * Gradient accumulation {@code grad += G^T X}: for every b in [0, k) and j in [0, d), {@code
   * grad[b*d + j] += sum_r coef[coefOff + r*k + b] * x[xOff + r*d + j]}, the rows added in order,
   * in groups of four.
   *
   * @param coef rows x k, not modified
   * @param x rows x d, not modified
   * @param grad k x d, accumulated into
   */
  void accumulateGradient(
      float[] coef, int coefOff, float[] x, int xOff, int rows, int d, int k, float[] grad);

  /**
   * {@link #project} over rows stored as bf16 ({@link Bf16}): each value is widened to float
   * exactly and the sums are accumulated in float in the same order as {@link #project}, so the
   * result is {@link #project} of the widened rows, bit for bit.
   */
  void projectBf16(
      short[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws);

  /**
   * {@link #accumulateGradient} over rows stored as bf16: {@link #accumulateGradient} of the
   * widened rows, bit for bit, with the gradient accumulated in float.
   *
   * @param ws the caller's workspace: room for a few widened rows
   */
  void accumulateGradientBf16(
      float[] coef,
      int coefOff,
      short[] x,
      int xOff,
      int rows,
      int d,
      int k,
      float[] grad,
      Workspace ws);

  /**
   * Row length of the padded rows of {@link #gram} for rank k: at least k, a multiple of 4 and of
   * two of the implementation's double vectors.
   */
  int gramStride(int k);

  /**
   * The lower triangle of a weighted Gram matrix, in double (the few-shot Newton Hessian {@code Z'
   * D Z}): for {@code 0 <= b <= a < k}, {@code out[a * stride + b] = sum_p u[p * stride + a] * z[p
   * * stride + b]} over p in [0, n), each entry one chain of fused multiply-adds over p in order
   * from 0, so that every implementation gives the same bits.
   *
   * @param u n rows of {@code stride} doubles (typically {@code d_p z_p}), not modified; only the
   *     first k of each row are read for the result
   * @param z n rows of {@code stride} doubles, not modified
   * @param stride {@link #gramStride}(k)
   * @param out at least {@code ceil(k / 4) * 4 * stride} doubles; the lower triangle is written,
   *     the other entries of the first {@code ceil(k / 4) * 4} rows are unspecified
   */
  void gram(double[] u, double[] z, int n, int k, int stride, double[] out);

  /**
   * Scratch of one caller of {@link #project} and {@link #accumulateGradientBf16}: room for the 16
   * accumulators of the widest vector (2048 bits). The Vector API's own lane sum ({@code
   * reduceLanes}) gives different bits interpreted and compiled, and a helper that sums a vector's
   * lanes is not inlined and boxes the vector, so the kernels store accumulators here and add the
   * lanes in a fixed order. Not thread-safe: one per thread.
   */
  final class Workspace {
    final float[] lanes = new float[16 * 64];

    private float[] rows = new float[0];

    Workspace() {}

    /** Scratch of at least {@code n} floats, kept for the next call (grown, never shrunk). */
    float[] rows(int n) {
      if (rows.length < n) {
        rows = new float[n];
      }
      return rows;
    }
  }
}
