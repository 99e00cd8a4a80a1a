package lore.internal.kernel;

/**
 * Plain-Java reference implementation of {@link Kernels}: the twin every SIMD kernel is tested
 * against, and the fallback when the Vector API module is absent. Internal; not API.
 */
public final class ScalarKernels implements Kernels {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    // four accumulators: breaks the add dependency chain that C2 will not reassociate
    for (; j + 4 <= n; j += 4) {
      s0 += a[aOff + j] * b[bOff + j];
      s1 += a[aOff + j + 1] * b[bOff + j + 1];
      s2 += a[aOff + j + 2] * b[bOff + j + 2];
      s3 += a[aOff + j + 3] * b[bOff + j + 3];
    }
    for (; j < n; j++) {
      s0 += a[aOff + j] * b[bOff + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int j = 0; j < n; j++) {
      y[yOff + j] += alpha * x[xOff + j];
    }
  }

  @Override
  public int gramStride(int k) {
    return (k + 3) / 4 * 4;
  }

  @Override
  public void gram(double[] u, double[] z, int n, int k, int stride, double[] out) {
    for (int a = 0; a < k; a++) {
      java.util.Arrays.fill(out, a * stride, a * stride + a + 1, 0.0);
    }
    // pair by pair over the whole triangle: each entry's chain runs over p in order, and the
    // entries' chains are independent of each other
    for (int p = 0; p < n; p++) {
      int row = p * stride;
      for (int a = 0; a < k; a++) {
        double ua = u[row + a];
        int o = a * stride;
        for (int b = 0; b <= a; b++) {
          out[o + b] = Math.fma(ua, z[row + b], out[o + b]);
        }
      }
    }
  }

  @Override
  public void subtract(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
    for (int j = 0; j < n; j++) {
      out[outOff + j] = x[xOff + j] - y[yOff + j];
    }
  }

  @Override
  public void project(
      float[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        out[outOff + r * k + b] = dot(x, xOff + r * d, basis, b * d, d);
      }
    }
  }

  @Override
  public void accumulateGradient(
      float[] coef, int coefOff, float[] x, int xOff, int rows, int d, int k, float[] grad) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        float c = coef[coefOff + r * k + b];
        if (c != 0f) {
          axpy(c, x, xOff + r * d, grad, b * d, d);
        }
      }
    }
  }

  @Override
  public void projectBf16(
      short[] x,
      int xOff,
      int rows,
      int d,
      float[] basis,
      int k,
      float[] out,
      int outOff,
      Workspace ws) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        out[outOff + r * k + b] = dotBf16(x, xOff + r * d, basis, b * d, d);
      }
    }
  }

  /** {@link #dot} with {@code a} in bf16: the same four accumulators in the same order. */
  private static float dotBf16(short[] a, int aOff, float[] b, int bOff, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      s0 += Bf16.toFloat(a[aOff + j]) * b[bOff + j];
      s1 += Bf16.toFloat(a[aOff + j + 1]) * b[bOff + j + 1];
      s2 += Bf16.toFloat(a[aOff + j + 2]) * b[bOff + j + 2];
      s3 += Bf16.toFloat(a[aOff + j + 3]) * b[bOff + j + 3];
    }
    for (; j < n; j++) {
      s0 += Bf16.toFloat(a[aOff + j]) * b[bOff + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void accumulateGradientBf16(
      float[] coef,
      int coefOff,
      short[] x,
      int xOff,
      int rows,
      int d,
      int k,
      float[] grad,
      Workspace ws) {
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        float c = coef[coefOff + r * k + b];
        if (c != 0f) {
          int xr = xOff + r * d;
          int g = b * d;
          for (int j = 0; j < d; j++) {
            grad[g + j] += c * Bf16.toFloat(x[xr + j]);
          }
        }
      }
    }
  }
}
