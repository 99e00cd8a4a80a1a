package lore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Scoring, reranking and best-of-n of one user's reward; copy-on-write users. */
class PersonalRewardTest {
  static final long SEED = Long.getLong("lore.test.seed", 11L);

  /**
   * A rank-1 model whose reward is the first coordinate: scores are exactly the candidates' e_0.
   */
  static PersonalReward firstCoordinate(int d) {
    float[] basis = new float[d];
    basis[0] = 1f;
    return RewardModel.fromBasis(basis, 1, d, 1.0).personalize(UserWeights.uniform(1));
  }

  /** n candidates with first coordinates drawn from a few values, so that many tie. */
  static float[] candidates(int n, int d, SplittableRandom rnd) {
    float[] c = new float[n * d];
    for (int i = 0; i < n; i++) {
      c[i * d] = rnd.nextInt(5) - 2; // ties in {-2..2}
      c[i * d + 1] = (float) rnd.nextGaussian(); // ignored by the reward
    }
    return c;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 17, 64, 65, 300})
  void rerankOrdersByRewardAndKeepsInputOrderOnTies(int n) {
    int d = 3;
    float[] cand = candidates(n, d, new SplittableRandom(SEED + n));
    PersonalReward r = firstCoordinate(d);
    float[] scores = new float[n];
    int[] order = new int[n + 2];
    order[n] = -7; // beyond n: untouched
    r.rerank(cand, n, scores, order);
    Integer[] want =
        IntStream.range(0, n)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -cand[i * d]).thenComparing(i -> i))
            .toArray(Integer[]::new);
    assertArrayEquals(
        Arrays.stream(want).mapToInt(Integer::intValue).toArray(),
        Arrays.copyOf(order, n),
        "n=" + n + " (above 64 the rerank takes its second path)");
    assertEquals(-7, order[n]);
    for (int i = 0; i < n; i++) {
      assertEquals(cand[i * d], scores[i], 0f, "scores stay in input order");
    }
    assertEquals(want[0].intValue(), r.best(cand, n), "best is the first of the top ties");
  }

  @Test
  void nanAndSignedZerosOrderAsFloatCompareOnBothPaths() {
    for (int pad : new int[] {0, 70}) {
      int n = 4 + pad;
      float[] cand = new float[n * 2];
      cand[0] = 1f;
      cand[2] = Float.NaN;
      cand[4] = Float.POSITIVE_INFINITY;
      cand[6] = 1f;
      for (int i = 4; i < n; i++) {
        cand[i * 2] = -5f;
      }
      float[] scores = new float[n];
      int[] order = new int[n];
      firstCoordinate(2).rerank(cand, n, scores, order);
      assertArrayEquals(new int[] {1, 2, 0, 3}, Arrays.copyOf(order, 4), "pad=" + pad);
    }
  }

  @Test
  void withUserComputesOnlyTheNewUsersDirection() {
    Planted pl = new Planted(SEED, 16, 3, 30, 4, 1.0);
    RewardModel m =
        new Trainer(TrainConfig.defaults().withRank(3).withSteps(5))
            .train(pl.pairs("u", 0, 4, 6, 0, 30));
    UserWeights w = new UserWeights(new float[] {0.2f, 0.3f, 0.5f});
    RewardModel added = m.withUser("new", w);
    for (int u = 0; u < m.userCount(); u++) {
      assertSame(m.reward(m.userId(u)), added.reward(m.userId(u)), "shared, not recomputed");
    }
    assertArrayEquals(m.personalize(w).direction(), added.reward("new").direction());
    RewardModel replaced = added.withUser(m.userId(0), w);
    assertNotSame(added.reward(m.userId(0)), replaced.reward(m.userId(0)));
    assertEquals(w, replaced.weights(m.userId(0)));
    assertEquals(m.userCount() + 1, replaced.userCount());
    assertSame(added.reward(m.userId(1)), replaced.reward(m.userId(1)));
  }
}
