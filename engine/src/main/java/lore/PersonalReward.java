package lore;

import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;

/**
 * One user's reward function {@code r(e) = w^T A e = u . e}, with {@code u = A^T w} precomputed so
 * that scoring a candidate is one dot product. Obtain from {@link RewardModel#reward(String)} or
 * {@link RewardModel#personalize(UserWeights)}.
 *
 * <p>Immutable and thread-safe. Scoring allocates nothing, takes no locks, does no I/O and logs
 * nothing.
 */
public final class PersonalReward {
  private final float[] direction; // u = A^T w, length d
  private final UserWeights weights;
  private final double logitScale;
  private final Kernels kernels;

  PersonalReward(float[] direction, UserWeights weights, double logitScale, Kernels kernels) {
    this.direction = direction;
    this.weights = weights;
    this.logitScale = logitScale;
    this.kernels = kernels;
  }

  /** The user's weights on the basis. */
  public UserWeights weights() {
    return weights;
  }

  /** Embedding dimension d. */
  public int dim() {
    return direction.length;
  }

  /** A copy of {@code u = A^T w} (d floats): the user's reward as a single linear functional. */
  public float[] direction() {
    return direction.clone();
  }

  /**
   * The reward {@code w^T A e} of one embedding. Allocates nothing.
   *
   * @param embedding length d
   * @throws IllegalArgumentException if the length is not d
   */
  public float score(float[] embedding) {
    checkLength(embedding.length, "embedding");
    return kernels.dot(direction, 0, embedding, 0, direction.length);
  }

  /**
   * The reward of the embedding stored at {@code embeddings[offset .. offset + d)}. Allocates
   * nothing.
   */
  public float score(float[] embeddings, int offset) {
    if (offset < 0 || offset > embeddings.length - direction.length) {
      throw new IllegalArgumentException(
          "offset "
              + offset
              + " + dim "
              + direction.length
              + " exceeds length "
              + embeddings.length);
    }
    return kernels.dot(direction, 0, embeddings, offset, direction.length);
  }

  /**
   * Bradley-Terry probability that this user prefers {@code chosen} over {@code rejected}: {@code
   * sigmoid(s * (r(chosen) - r(rejected)))} with the model's logit scale s. Allocates nothing.
   */
  public double preferenceProbability(float[] chosen, float[] rejected) {
    return Numerics.sigmoid(logitScale * ((double) score(chosen) - score(rejected)));
  }

  /**
   * Best-of-n reranking: scores {@code n} candidates stored row-major in {@code candidates} (n x d)
   * and writes their indices into {@code order}, best first (in the order of {@link
   * Float#compare}). Allocates nothing for n {@code <=} 64, n longs otherwise.
   *
   * @param scores length >= n, overwritten with the candidates' rewards (in input order)
   * @param order length >= n, overwritten with a permutation of [0, n), highest reward first; ties
   *     keep input order
   */
  public void rerank(float[] candidates, int n, float[] scores, int[] order) {
    int d = direction.length;
    if (n < 0 || (long) n * d > candidates.length) {
      throw new IllegalArgumentException(
          n + " candidates of dim " + d + " do not fit in " + candidates.length + " floats");
    }
    if (scores.length < n || order.length < n) {
      throw new IllegalArgumentException("scores and order need length >= " + n);
    }
    for (int i = 0; i < n; i++) {
      scores[i] = kernels.dot(direction, 0, candidates, i * d, d);
      order[i] = i;
    }
    if (n <= 64) {
      for (int i = 1; i < n; i++) { // stable insertion sort, descending
        int o = order[i];
        float s = scores[o];
        int j = i - 1;
        while (j >= 0 && Float.compare(scores[order[j]], s) < 0) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = o;
      }
    } else {
      // (descending score, ascending index) packed in one long: a primitive sort, stable by index
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        int bits = Float.floatToIntBits(scores[i]);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // orders as Float.compare does
        keys[i] = ((long) ~ascending << 32) | i;
      }
      java.util.Arrays.sort(keys);
      for (int i = 0; i < n; i++) {
        order[i] = (int) keys[i];
      }
    }
  }

  /** Index of the best of n candidates (n x d row-major); the first on ties. Allocates nothing. */
  public int best(float[] candidates, int n) {
    int d = direction.length;
    if (n < 1 || (long) n * d > candidates.length) {
      throw new IllegalArgumentException(
          n + " candidates of dim " + d + " do not fit in " + candidates.length + " floats");
    }
    int best = 0;
    float top = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      float s = kernels.dot(direction, 0, candidates, i * d, d);
      if (s > top) {
        top = s;
        best = i;
      }
    }
    return best;
  }

  private void checkLength(int length, String what) {
    if (length != direction.length) {
      throw new IllegalArgumentException(
          what + " dim " + length + " != model dim " + direction.length);
    }
  }
}
