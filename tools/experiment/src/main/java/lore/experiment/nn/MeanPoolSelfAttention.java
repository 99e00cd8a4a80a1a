package lore.experiment.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Single-head self-attention over each segment (set) of rows, followed by a mean over the segment
 * (VPL's {@code SequenceEncoder} without LayerNorm). For a segment {@code X} of C rows of width L:
 *
 * <pre>
 *   Q = X Wq^T + bq,  K = X Wk^T + bk,  V = X Wv^T + bv          (C x L each)
 *   P = softmax_rows(Q K^T / sqrt(L))                               (C x C)
 *   y = (1/C) sum_i (P V)_i = sum_j pbar_j V_j,  pbar_j = (1/C) sum_i P_ij
 * </pre>
 *
 * <p>Segments are given by offsets, so one batch holds sets of different sizes. The three
 * projections are {@link Dense} layers run once over all rows. Internal; not API. Not thread-safe.
 */
public final class MeanPoolSelfAttention {
  private final int dim;
  private final Dense query;
  private final Dense key;
  private final Dense value;
  private final List<Param> params;
  private float[] q;
  private float[] k;
  private float[] v;
  private float[][] probs; // per segment, C x C
  private int[] lastOffsets;

  /** Attention over rows of width {@code dim}, with PyTorch-default-initialized projections. */
  public MeanPoolSelfAttention(String name, int dim, SplittableRandom rnd) {
    this.dim = dim;
    this.query = new Dense(name + ".q", dim, dim, rnd);
    this.key = new Dense(name + ".k", dim, dim, rnd);
    this.value = new Dense(name + ".v", dim, dim, rnd);
    List<Param> all = new ArrayList<>(query.params());
    all.addAll(key.params());
    all.addAll(value.params());
    this.params = List.copyOf(all);
  }

  /** Width L of rows in and out. */
  public int dim() {
    return dim;
  }

  /** The q, k and v weights and biases. */
  public List<Param> params() {
    return params;
  }

  /**
   * Pools each segment to one row.
   *
   * @param x rows x L, rows {@code [offsets[s], offsets[s+1])} forming segment s; kept by reference
   * @param offsets segments + 1 nondecreasing offsets starting at 0; every segment non-empty
   * @return segments x L
   */
  public float[] forward(float[] x, int[] offsets) {
    int segments = offsets.length - 1;
    int rows = offsets[segments];
    q = query.forward(x, rows);
    k = key.forward(x, rows);
    v = value.forward(x, rows);
    probs = new float[segments][];
    float[] y = new float[segments * dim];
    double invSqrt = 1.0 / Math.sqrt(dim);
    for (int s = 0; s < segments; s++) {
      int from = offsets[s];
      int c = offsets[s + 1] - from;
      if (c < 1) {
        throw new IllegalArgumentException("segment " + s + " is empty");
      }
      float[] p = new float[c * c];
      for (int i = 0; i < c; i++) {
        double max = Double.NEGATIVE_INFINITY;
        double[] row = new double[c];
        for (int j = 0; j < c; j++) {
          row[j] = dot(q, (from + i) * dim, k, (from + j) * dim) * invSqrt;
          max = Math.max(max, row[j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
          row[j] = Math.exp(row[j] - max);
          sum += row[j];
        }
        for (int j = 0; j < c; j++) {
          p[i * c + j] = (float) (row[j] / sum);
        }
      }
      probs[s] = p;
      for (int j = 0; j < c; j++) {
        float w = columnMean(p, c, j);
        for (int t = 0; t < dim; t++) {
          y[s * dim + t] += w * v[(from + j) * dim + t];
        }
      }
    }
    lastOffsets = offsets;
    return y;
  }

  /**
   * Backward pass for the last forward: accumulates the q, k, v gradients and returns dL/dx.
   *
   * @param gradOut segments x L, not modified
   * @param inputGradFrom as {@link Layer#backward}: input rows before it are not needed
   * @return rows x L
   */
  public float[] backward(float[] gradOut, int inputGradFrom) {
    int[] offsets = lastOffsets;
    int segments = offsets.length - 1;
    int rows = offsets[segments];
    float[] gq = new float[rows * dim];
    float[] gk = new float[rows * dim];
    float[] gv = new float[rows * dim];
    double invSqrt = 1.0 / Math.sqrt(dim);
    for (int s = 0; s < segments; s++) {
      int from = offsets[s];
      int c = offsets[s + 1] - from;
      float[] p = probs[s];
      int go = s * dim;
      // dL/d(PV)_i = g / C for every i, so dP_ij = (g . V_j) / C
      double[] gdotv = new double[c];
      for (int j = 0; j < c; j++) {
        gdotv[j] = dot(gradOut, go, v, (from + j) * dim) / c;
      }
      for (int j = 0; j < c; j++) {
        float w = columnMean(p, c, j);
        for (int t = 0; t < dim; t++) {
          gv[(from + j) * dim + t] += w * gradOut[go + t];
        }
      }
      for (int i = 0; i < c; i++) {
        double rowDot = 0;
        for (int j = 0; j < c; j++) {
          rowDot += p[i * c + j] * gdotv[j];
        }
        for (int j = 0; j < c; j++) {
          // softmax backward, then the 1/sqrt(L) of the scores
          float ds = (float) (p[i * c + j] * (gdotv[j] - rowDot) * invSqrt);
          if (ds == 0f) {
            continue;
          }
          for (int t = 0; t < dim; t++) {
            gq[(from + i) * dim + t] += ds * k[(from + j) * dim + t];
            gk[(from + j) * dim + t] += ds * q[(from + i) * dim + t];
          }
        }
      }
    }
    float[] gx = query.backward(gq, inputGradFrom);
    float[] gxk = key.backward(gk, inputGradFrom);
    float[] gxv = value.backward(gv, inputGradFrom);
    for (int i = 0; i < gx.length; i++) {
      gx[i] += gxk[i] + gxv[i];
    }
    return gx;
  }

  private static double dot(float[] a, int ao, float[] b, int bo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) a[ao + i] * b[bo + i];
    }
    return s;
  }

  private double dot(float[] a, int ao, float[] b, int bo) {
    return dot(a, ao, b, bo, dim);
  }

  /** Mean over the c query rows of the attention to key j: the weight of V_j in the pool. */
  private static float columnMean(float[] p, int c, int j) {
    double pbar = 0;
    for (int i = 0; i < c; i++) {
      pbar += p[i * c + j];
    }
    return (float) (pbar / c);
  }
}
