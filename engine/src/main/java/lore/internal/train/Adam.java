package lore.internal.train;

/**
 * Adam (Kingma and Ba 2015) over one flat float parameter array, with PyTorch's defaults (beta1
 * 0.9, beta2 0.999, eps 1e-8) and bias correction, and optionally weight decay, coupled into the
 * gradient as {@code torch.optim.Adam} does or decoupled as {@code AdamW} (Loshchilov and Hutter
 * 2019). With step t, gradient g and parameter p:
 *
 * <pre>
 *   Adam:   g += wd * p                               (L2 penalty coupled into the gradient)
 *   AdamW:  p -= lr * wd * p                          (decoupled decay, before the update)
 *   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * Moments are stored in float; each element's update is computed in double. The project's one Adam:
 * the trainer's basis and weights, the reference few-shot fit and the experiment's networks all
 * step through it. Internal; not API. Not thread-safe.
 */
public final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private final float[] m;
  private final float[] v;
  private final double learningRate;
  private final double weightDecay;
  private final boolean decoupled;
  private int t;

  /** Moments for {@code size} parameters, no weight decay. Allocates O(size). */
  public Adam(int size, double learningRate) {
    this(size, learningRate, 0, false);
  }

  /**
   * Moments for {@code size} parameters. Allocates O(size).
   *
   * @param weightDecay {@code wd} above, at least 0
   * @param decoupled AdamW's decoupled decay instead of Adam's L2 term
   */
  public Adam(int size, double learningRate, double weightDecay, boolean decoupled) {
    if (!(learningRate >= 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "learning rate and weight decay must be >= 0, got " + learningRate + ", " + weightDecay);
    }
    this.m = new float[size];
    this.v = new float[size];
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
    this.decoupled = decoupled;
  }

  /** Advances the step counter; call once per optimizer step, before the {@code update} calls. */
  public void nextStep() {
    t++;
  }

  /** Steps taken so far. */
  public int steps() {
    return t;
  }

  /**
   * One update of {@code param[i]} from {@code grad[i]} for i in [from, to), with the moments of
   * the same indices. Ranges of one step may be updated in any order or in parallel.
   */
  public void update(float[] param, float[] grad, int from, int to) {
    update(param, grad, from, to, 1.0);
  }

  /**
   * As {@link #update(float[], float[], int, int)} with the learning rate times {@code lrScale}.
   */
  public void update(float[] param, float[] grad, int from, int to, double lrScale) {
    double c1 = 1.0 - Math.pow(BETA1, t);
    double c2 = 1.0 - Math.pow(BETA2, t);
    double lr = learningRate * lrScale;
    double wd = weightDecay;
    for (int i = from; i < to; i++) {
      double g = grad[i];
      double x = param[i];
      if (decoupled) {
        x -= lr * wd * x;
      } else {
        g += wd * x;
      }
      double mm = BETA1 * m[i] + (1 - BETA1) * g;
      double vv = BETA2 * v[i] + (1 - BETA2) * g * g;
      m[i] = (float) mm;
      v[i] = (float) vv;
      x -= lr * (mm / c1) / (Math.sqrt(vv / c2) + EPS);
      param[i] = (float) x;
    }
  }
}
