package lore.experiment.nn;

import java.util.ArrayList;
import java.util.List;
import lore.internal.train.Adam;

/**
 * Adam or AdamW over parameter groups, each with its own learning rate and weight decay, as
 * PyTorch's {@code torch.optim.Adam} / {@code AdamW}: one engine {@link Adam} per parameter (the
 * update itself is the engine's). {@code lr} is the group's rate times the scale passed to {@link
 * #step(double)} (for schedules). Not thread-safe.
 */
public final class GroupAdam {
  /** A parameter group: parameters sharing a learning rate and a weight decay. */
  public record Group(List<Param> params, double learningRate, double weightDecay) {
    /** Validates the rates. */
    public Group {
      params = List.copyOf(params);
      if (!(learningRate >= 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException(
            "learning rate and weight decay must be >= 0, got "
                + learningRate
                + ", "
                + weightDecay);
      }
    }
  }

  private final List<Param> params = new ArrayList<>();
  private final List<Adam> adams = new ArrayList<>();

  private GroupAdam(List<Group> groups, boolean decoupled) {
    for (Group g : groups) {
      for (Param p : g.params()) {
        params.add(p);
        adams.add(new Adam(p.size(), g.learningRate(), g.weightDecay(), decoupled));
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
    return adams.isEmpty() ? 0 : adams.getFirst().steps();
  }

  /** One step with the groups' learning rates. */
  public void step() {
    step(1.0);
  }

  /** One step with every group's learning rate multiplied by {@code lrScale}. */
  public void step(double lrScale) {
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      Adam a = adams.get(i);
      a.nextStep();
      a.update(p.value(), p.grad(), 0, p.size(), lrScale);
    }
  }

  /** Sets every parameter's gradient to zero. */
  public void zeroGrad() {
    for (Param p : params) {
      p.zeroGrad();
    }
  }
}
