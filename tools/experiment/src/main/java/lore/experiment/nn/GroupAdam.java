package lore.experiment.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019) over parameter groups, each with
 * its own learning rate and weight decay, as PyTorch's {@code torch.optim.Adam} / {@code AdamW} with
 * defaults beta1 0.9, beta2 0.999, eps 1e-8. With step t, gradient g and parameter p:
 *
 * <pre>
 *   Adam:   g += wd * p                               (L2 penalty coupled into the gradient)
 *   AdamW:  p -= lr * wd * p                          (decoupled decay, before the update)
 *   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * <p>Moments are stored in float; each element's update is computed in double. {@code lr} is the
 * group's rate times the scale passed to {@link #step(double)} (for schedules). Internal; not API.
 * Not thread-safe.
 */
public final class GroupAdam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  /** A parameter group: parameters sharing a learning rate and a weight decay. */
  public record Group(List<Param> params, double learningRate, double weightDecay) {
    /** Validates the rates. */
    public Group {
      params = List.copyOf(params);
      if (!(learningRate >= 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException(
            "learning rate and weight decay must be >= 0, got " + learningRate + ", " + weightDecay);
      }
    }
  }

  private final List<Group> groups;
  private final boolean decoupled;
  private final List<float[]> m = new ArrayList<>();
  private final List<float[]> v = new ArrayList<>();
  private int t;

  private GroupAdam(List<Group> groups, boolean decoupled) {
    this.groups = List.copyOf(groups);
    this.decoupled = decoupled;
    for (Group g : this.groups) {
      for (Param p : g.params()) {
        m.add(new float[p.size()]);
        v.add(new float[p.size()]);
      }
    }
  }

  /** {@code torch.optim.Adam}: weight decay is an L2 term added to the gradient. */
  public static GroupAdam adam(List<Group> groups) {
    return new GroupAdam(groups, false);
  }

  /** {@code torch.optim.AdamW}: weight decay is decoupled from the gradient. */
  public static GroupAdam adamW(List<Group> groups) {
    return new GroupAdam(groups, true);
  }

  /** Steps taken so far. */
  public int steps() {
    return t;
  }

  /** One step with the groups' learning rates. */
  public void step() {
    step(1.0);
  }

  /** One step with every group's learning rate multiplied by {@code lrScale}. */
  public void step(double lrScale) {
    t++;
    double c1 = 1.0 - Math.pow(BETA1, t);
    double c2 = 1.0 - Math.pow(BETA2, t);
    int slot = 0;
    for (Group group : groups) {
      double lr = group.learningRate() * lrScale;
      double wd = group.weightDecay();
      for (Param p : group.params()) {
        float[] mi = m.get(slot);
        float[] vi = v.get(slot);
        slot++;
        float[] w = p.value();
        float[] grad = p.grad();
        for (int i = 0; i < w.length; i++) {
          double g = grad[i];
          double x = w[i];
          if (decoupled) {
            x -= lr * wd * x;
          } else {
            g += wd * x;
          }
          double mm = BETA1 * mi[i] + (1 - BETA1) * g;
          double vv = BETA2 * vi[i] + (1 - BETA2) * g * g;
          mi[i] = (float) mm;
          vi[i] = (float) vv;
          x -= lr * (mm / c1) / (Math.sqrt(vv / c2) + EPS);
          w[i] = (float) x;
        }
      }
    }
  }

  /** Sets every parameter's gradient to zero. */
  public void zeroGrad() {
    for (Group g : groups) {
      for (Param p : g.params()) {
        p.zeroGrad();
      }
    }
  }
}
