package lore.internal.train;

import lore.internal.kernel.Bf16;
import lore.internal.kernel.Kernels;

/**
 * A table of rows of d values, stored as float or as bf16 (half the bytes per pass); the kernels
 * widen bf16 rows to float in registers and accumulate in float. Internal; not API.
 */
record Rows(float[] f32, short[] bf16, int d) {

  static Rows of(float[] f32, int d) {
    return new Rows(f32, null, d);
  }

  /** {@code rows x d} bf16 values, zero. */
  static Rows bf16(int rows, int d) {
    return new Rows(null, new short[Math.multiplyExact(rows, d)], d);
  }

  /** Stores {@code src[srcOff .. srcOff + d)} as row {@code row}, rounded if the table is bf16. */
  void set(int row, float[] src, int srcOff) {
    if (bf16 == null) {
      System.arraycopy(src, srcOff, f32, row * d, d);
    } else {
      Bf16.fromFloats(src, srcOff, bf16, row * d, d);
    }
  }

  /** {@link Kernels#project} of rows [row, row + n). */
  void project(
      Kernels kernels,
      int row,
      int n,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Kernels.Workspace ws) {
    if (bf16 == null) {
      kernels.project(f32, row * d, n, d, basis, k, out, outOff, ws);
    } else {
      kernels.projectBf16(bf16, row * d, n, d, basis, k, out, outOff, ws);
    }
  }

  /** {@link Kernels#accumulateGradient} over rows [row, row + n). */
  void accumulateGradient(
      Kernels kernels,
      float[] coef,
      int coefOff,
      int row,
      int n,
      int k,
      float[] grad,
      Kernels.Workspace ws) {
    if (bf16 == null) {
      kernels.accumulateGradient(coef, coefOff, f32, row * d, n, d, k, grad);
    } else {
      kernels.accumulateGradientBf16(coef, coefOff, bf16, row * d, n, d, k, grad, ws);
    }
  }

  /** {@code "FLOAT32"} or {@code "BFLOAT16"}, as {@code TrainConfig.Storage} names them. */
  String storage() {
    return bf16 == null ? "FLOAT32" : "BFLOAT16";
  }
}
