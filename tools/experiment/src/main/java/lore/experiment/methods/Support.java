package lore.experiment.methods;

import java.util.SplittableRandom;
import lore.PreferenceData;

/** Small helpers shared by the baselines: gathering rows, shuffling, softmax. */
final class Support {
  private Support() {}

  /** Rows {@code idx[from..from+n)} of a row-major table of width d, as a new n x d array. */
  static float[] gather(float[] table, int d, int[] idx, int from, int n) {
    float[] out = new float[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(table, idx[from + i] * d, out, i * d, d);
    }
    return out;
  }

  /** Fisher-Yates shuffle in place. */
  static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** {@code 0, 1, ..., n-1}. */
  static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Dense user index of every pair. */
  static int[] pairUsers(PreferenceData data) {
    int[] u = new int[data.pairCount()];
    for (int user = 0; user < data.userCount(); user++) {
      for (int p = data.pairStart(user); p < data.pairEnd(user); p++) {
        u[p] = user;
      }
    }
    return u;
  }

  /** n standard normal floats. */
  static float[] gaussian(int n, SplittableRandom rnd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** Stable softmax of k logits at off, as a new array. */
  static float[] softmax(float[] logits, int off, int k) {
    float[] a = new float[k];
    lore.internal.kernel.Numerics.softmax(logits, off, k, a, 0);
    return a;
  }

  /**
   * Backward of {@code a = softmax(logits)}: {@code grad[j] += a_j (da_j - sum_k a_k da_k)} for the
   * k logits at {@code gOff}.
   */
  static void softmaxBackward(float[] a, double[] da, float[] grad, int gOff) {
    double dot = 0;
    for (int j = 0; j < a.length; j++) {
      dot += a[j] * da[j];
    }
    for (int j = 0; j < a.length; j++) {
      grad[gOff + j] += (float) (a[j] * (da[j] - dot));
    }
  }

  /** The distinct items referenced by the pairs of {@code data}, in increasing order. */
  static int[] referencedItems(PreferenceData data) {
    boolean[] used = new boolean[data.itemCount()];
    int n = 0;
    for (int p = 0; p < data.pairCount(); p++) {
      for (int i : new int[] {data.chosen(p), data.rejected(p)}) {
        if (!used[i]) {
          used[i] = true;
          n++;
        }
      }
    }
    int[] items = new int[n];
    for (int i = 0, at = 0; i < used.length; i++) {
      if (used[i]) {
        items[at++] = i;
      }
    }
    return items;
  }

  /** Item index to its position in {@code items}, -1 elsewhere. */
  static int[] positions(int itemCount, int[] items) {
    int[] pos = new int[itemCount];
    java.util.Arrays.fill(pos, -1);
    for (int i = 0; i < items.length; i++) {
      pos[items[i]] = i;
    }
    return pos;
  }

  /** Row-wise forward of a frozen layer over the given items, in chunks to bound memory. */
  static float[] forwardItems(lore.experiment.nn.Layer layer, float[] table, int d, int[] items) {
    int out = layer.outDim();
    float[] result = new float[items.length * out];
    int chunk = 256;
    for (int from = 0; from < items.length; from += chunk) {
      int n = Math.min(chunk, items.length - from);
      float[] y = layer.forward(gather(table, d, items, from, n), n);
      System.arraycopy(y, 0, result, from * out, n * out);
    }
    return result;
  }
}
