package lore;

import java.util.Arrays;

/**
 * A user's weights {@code w} on the probability simplex: {@code w_b >= 0, sum_b w_b = 1}.
 * Immutable; the array is copied in and out.
 */
public record UserWeights(float[] weights) {

  /**
   * @throws IllegalArgumentException if empty, negative, non-finite, or not summing to 1 within
   *     1e-4
   */
  public UserWeights {
    if (weights == null || weights.length == 0) {
      throw new IllegalArgumentException("user weights must have at least one entry");
    }
    weights = weights.clone();
    double sum = 0;
    for (int b = 0; b < weights.length; b++) {
      float w = weights[b];
      if (!Float.isFinite(w) || w < 0) {
        throw new IllegalArgumentException("user weight " + b + " is " + w + ", not in [0, 1]");
      }
      sum += w;
    }
    if (Math.abs(sum - 1.0) > 1e-4) {
      throw new IllegalArgumentException("user weights sum to " + sum + ", not 1");
    }
  }

  /** Uniform weights {@code 1/rank}. */
  public static UserWeights uniform(int rank) {
    float[] w = new float[rank];
    Arrays.fill(w, 1f / rank);
    return new UserWeights(w);
  }

  /** A copy of the weights. */
  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** Weight b, without copying. */
  public float get(int b) {
    return weights[b];
  }

  /** The rank B. */
  public int rank() {
    return weights.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserWeights other && Arrays.equals(weights, other.weights);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return "UserWeights" + Arrays.toString(weights);
  }
}
