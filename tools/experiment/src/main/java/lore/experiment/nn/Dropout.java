package lore.experiment.nn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Inverted dropout: in training, each value is zeroed with probability p and the rest scaled by
 * {@code 1/(1-p)}; in evaluation (and whenever p is 0) the identity, returning its input array.
 * Starts in training mode. Internal; not API. Not thread-safe.
 */
public final class Dropout implements Layer {
  private final int dim;
  private final double p;
  private final SplittableRandom rnd;
  private boolean training = true;
  private float[] lastMask;

  /**
   * @param p drop probability in [0, 1)
   * @param rnd source of the masks (split from the model's seed)
   */
  public Dropout(int dim, double p, SplittableRandom rnd) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.dim = dim;
    this.p = p;
    this.rnd = rnd;
  }

  @Override
  public int inDim() {
    return dim;
  }

  @Override
  public int outDim() {
    return dim;
  }

  @Override
  public void training(boolean on) {
    training = on;
  }

  @Override
  public float[] forward(float[] x, int rows) {
    if (!training || p == 0) {
      lastMask = null;
      return x;
    }
    int n = rows * dim;
    float keep = (float) (1.0 / (1.0 - p));
    float[] mask = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      mask[i] = rnd.nextDouble() < p ? 0f : keep;
      y[i] = x[i] * mask[i];
    }
    lastMask = mask;
    return y;
  }

  @Override
  public float[] backward(float[] gradOut, int inputGradFrom) {
    if (lastMask == null) {
      return gradOut;
    }
    float[] g = new float[gradOut.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = gradOut[i] * lastMask[i];
    }
    return g;
  }

  @Override
  public List<Param> params() {
    return List.of();
  }
}
