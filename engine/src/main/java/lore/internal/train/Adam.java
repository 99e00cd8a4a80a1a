package lore.internal.train;

/**
 * Adam (Kingma and Ba 2015) over one flat float parameter array, with PyTorch's defaults
 * (beta1 0.9, beta2 0.999, eps 1e-8) and bias correction, as the reference code uses. Moments are
 * kept in float; the bias corrections in double. Internal; not API. Not thread-safe.
 */
public final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final float[] m;
  private final float[] v;
  private final double learningRate;
  private int t;

  /** Moments for {@code size} parameters. Allocates O(size). */
  public Adam(int size, double learningRate) {
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    this.m = new float[size];
    this.v = new float[size];
    this.learningRate = learningRate;
  }

  /** Advances the step counter; call once per optimizer step, before the {@code update} calls. */
  public void nextStep() {
    t++;
  }

  /**
   * {@code param[i] -= lr * mhat / (sqrt(vhat) + eps)} for i in [from, to), with the moments
   * updated from {@code grad[i]}. Ranges of one step may be updated in any order or in parallel.
   */
  public void update(float[] param, float[] grad, int from, int to) {
    double c1 = 1.0 - Math.pow(BETA1, t);
    double c2 = 1.0 - Math.pow(BETA2, t);
    float stepSize = (float) (learningRate / c1);
    float invSqrtC2 = (float) (1.0 / Math.sqrt(c2));
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float eps = (float) EPS;
    for (int i = from; i < to; i++) {
      float g = grad[i];
      float mi = b1 * m[i] + (1 - b1) * g;
      float vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtC2 + eps);
    }
  }
}
