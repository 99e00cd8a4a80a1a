package lore;

import java.util.SplittableRandom;

/**
 * A planted low-rank preference model for tests: items with Gaussian embeddings, a hidden basis A*
 * (B x d), users with sparse simplex weights, and pairs labelled by the sign of the true reward
 * difference (optionally with Bradley-Terry noise).
 */
final class Planted {
  final int d;
  final int rank;
  final int items;
  final float[] embeddings;
  final float[] trueBasis;
  final float[] trueWeights; // users x rank
  final int users;
  final SplittableRandom rnd;

  Planted(long seed, int d, int rank, int items, int users, double concentration) {
    this.d = d;
    this.rank = rank;
    this.items = items;
    this.users = users;
    this.rnd = new SplittableRandom(seed);
    embeddings = new float[items * d];
    for (int i = 0; i < embeddings.length; i++) {
      embeddings[i] = (float) rnd.nextGaussian();
    }
    trueBasis = new float[rank * d];
    for (int i = 0; i < trueBasis.length; i++) {
      trueBasis[i] = (float) (rnd.nextGaussian() / Math.sqrt(d));
    }
    trueWeights = new float[users * rank];
    for (int u = 0; u < users; u++) {
      double sum = 0;
      for (int b = 0; b < rank; b++) {
        // Gamma(concentration) via -log(U)^(1/concentration) style sparse weights
        double w = Math.pow(rnd.nextDouble(), 1.0 / concentration);
        trueWeights[u * rank + b] = (float) w;
        sum += w;
      }
      for (int b = 0; b < rank; b++) {
        trueWeights[u * rank + b] /= (float) sum;
      }
    }
  }

  double trueReward(int user, int item) {
    double r = 0;
    for (int b = 0; b < rank; b++) {
      double z = 0;
      for (int j = 0; j < d; j++) {
        z += (double) trueBasis[b * d + j] * embeddings[item * d + j];
      }
      r += trueWeights[user * rank + b] * z;
    }
    return r;
  }

  /** {@code pairsPerUser} pairs per user over items in [from, to), labelled by the true reward. */
  PreferenceData pairs(
      String prefix, int firstUser, int userCount, int pairsPerUser, int from, int to) {
    PreferenceData.Builder b = PreferenceData.builder(embeddings, items, d);
    double[][] cache = new double[users][];
    for (int u = firstUser; u < firstUser + userCount; u++) {
      cache[u] = new double[items];
      for (int i = from; i < to; i++) {
        cache[u][i] = trueReward(u, i);
      }
      for (int p = 0; p < pairsPerUser; p++) {
        int i = from + rnd.nextInt(to - from);
        int j = from + rnd.nextInt(to - from - 1);
        if (j >= i) {
          j++;
        }
        if (cache[u][i] >= cache[u][j]) {
          b.add(prefix + u, i, j);
        } else {
          b.add(prefix + u, j, i);
        }
      }
    }
    return b.build();
  }
}
