package lore.experiment.nn;

import java.util.Arrays;

/**
 * A learnable tensor: its values and the gradient accumulated into it by backward passes, both flat
 * {@code float[]} of the same length. Internal; not API.
 */
public final class Param {
  private final String name;
  private final float[] value;
  private final float[] grad;

  /** A zero-initialized parameter of {@code size} floats. Allocates O(size). */
  public Param(String name, int size) {
    this.name = name;
    this.value = new float[size];
    this.grad = new float[size];
  }

  /** Name for messages, e.g. {@code "projector.0.weight"}. */
  public String name() {
    return name;
  }

  /** The values (not a copy); optimizers and initializers write them in place. */
  public float[] value() {
    return value;
  }

  /** The accumulated gradient (not a copy), same length as {@link #value()}. */
  public float[] grad() {
    return grad;
  }

  /** Number of floats. */
  public int size() {
    return value.length;
  }

  /** Sets the gradient to zero. */
  public void zeroGrad() {
    Arrays.fill(grad, 0f);
  }

  /** Total number of floats of the parameters. */
  public static long count(Iterable<Param> params) {
    long n = 0;
    for (Param p : params) {
      n += p.size();
    }
    return n;
  }

  @Override
  public String toString() {
    return name + "[" + value.length + "]";
  }
}
