package lore.internal.kernel;

/**
 * The numerical kernels of the engine: one scalar and one Vector API implementation behind this
 * interface, chosen once by {@link KernelProvider}. Internal; not API; may change without notice.
 *
 * <p>Conventions (STYLE.md section 3): arrays are row-major {@code float[]} with explicit offsets and
 * dimensions; inputs first, dimensions next, caller-allocated outputs last; no allocation; no aliasing
 * of inputs and outputs unless a method says "in place". Implementations are stateless and
 * thread-safe. {@code d} is the embedding dimension, {@code k} the rank (basis rows).
 */
public interface Kernels {

  /**
   * Length of the {@code scratch} array that {@link #project} and {@link #fusedPass} need: room for
   * 16 accumulators of the widest vector (2048 bits).
   */
  int SCRATCH_FLOATS = 16 * 64;

  /** {@code "scalar"} or {@code "panama/<bits>"}. */
  String name();

  /** {@code sum_j a[aOff + j] * b[bOff + j]} for j in [0, n). */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /** In place: {@code y[yOff + j] += alpha * x[xOff + j]} for j in [0, n). */
  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

  /**
   * Batched projection onto the basis, {@code Z = X A^T}: for every row r in [0, rows) and basis row b
   * in [0, k), {@code out[outOff + r*k + b] = sum_j x[xOff + r*d + j] * basis[b*d + j]}.
   *
   * @param x rows x d, not modified
   * @param basis k x d, not modified
   * @param out rows x k, overwritten; must not alias {@code x} or {@code basis}
   * @param scratch at least {@link #SCRATCH_FLOATS} floats, overwritten; lets the kernel sum vector
   *     lanes in a fixed order without allocating
   */
  void project(
      float[] x, int xOff, int rows, int d, float[] basis, int k, float[] out, int outOff,
      float[] scratch);

  /**
   * Gradient accumulation {@code grad += G^T X}: for every b in [0, k) and j in [0, d),
   * {@code grad[b*d + j] += sum_r coef[coefOff + r*k + b] * x[xOff + r*d + j]}.
   *
   * @param coef rows x k, not modified
   * @param x rows x d, not modified
   * @param grad k x d, accumulated into
   */
  void accumulateGradient(
      float[] coef, int coefOff, float[] x, int xOff, int rows, int d, int k, float[] grad);

  /**
   * The fused training pass over a range of difference rows {@code x_r = e(chosen) - e(rejected)}:
   * projects each row, scores it, and accumulates the gradient of the basis while the rows are in
   * cache, so that {@code x} is read from memory once.
   *
   * <pre>
   * u     = rowUser[rowUserOff + r]             user of row r
   * z_r   = A x_r                                (written to z[zOff + r*k ..], k values)
   * m_r   = userW[u*k ..] . z_r                  (userW already holds scale * w_u)
   * loss += userFactor[u] * log(1 + exp(-m_r))   (summed in double, returned)
   * c_r   = userFactor[u] * d/dm log(1 + exp(-m)) at m_r  (written to coef[coefOff + r])
   * g_r   = c_r * userW[u*k ..]                  (written to g[gOff + r*k ..])
   * grad += g_r (outer) x_r                      (grad is k x d, accumulated into)
   * </pre>
   *
   * @return {@code sum_r userFactor[u_r] * log(1 + exp(-m_r))}, accumulated in double
   */
  double fusedPass(
      float[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      int[] rowUser,
      int rowUserOff,
      float[] userW,
      float[] userFactor,
      float[] z,
      int zOff,
      float[] coef,
      int coefOff,
      float[] g,
      int gOff,
      float[] grad,
      float[] scratch);
}
