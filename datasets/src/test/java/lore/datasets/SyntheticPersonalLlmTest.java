package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticPersonalLlmTest extends QuietTest {
  private static final SyntheticConfig SMALL = SyntheticConfig.small(0.01).withSeed(SEED);

  @Test
  void sameSeedGivesBitwiseIdenticalData() {
    SyntheticData a = SyntheticPersonalLlm.generate(SMALL);
    SyntheticData b = SyntheticPersonalLlm.generate(SMALL);
    assertArrayEquals(a.items(), b.items(), "seed " + SEED);
    assertArrayEquals(a.hiddenRewards(), b.hiddenRewards(), "seed " + SEED);
    assertArrayEquals(a.seenWeights(), b.seenWeights(), "seed " + SEED);
    assertArrayEquals(a.unseenWeights(), b.unseenWeights(), "seed " + SEED);
    assertSamePairs(a.train(), b.train());
    assertSamePairs(a.fewShot(), b.fewShot());
    assertSamePairs(a.testSeen(), b.testSeen());
    assertSamePairs(a.testUnseen(), b.testUnseen());
  }

  @Test
  void differentSeedGivesDifferentData() {
    SyntheticData a = SyntheticPersonalLlm.generate(SMALL);
    SyntheticData b = SyntheticPersonalLlm.generate(SMALL.withSeed(SEED + 1));
    assertFalse(Arrays.equals(a.items(), b.items()), "seed " + SEED);
    assertFalse(Arrays.equals(a.hiddenRewards(), b.hiddenRewards()), "seed " + SEED);
    assertFalse(Arrays.equals(a.seenWeights(), b.seenWeights()), "seed " + SEED);
    assertFalse(Arrays.equals(a.unseenWeights(), b.unseenWeights()), "seed " + SEED);
  }

  @Test
  void shapesAndPairCountsMatchTheConfig() {
    SyntheticConfig c = SMALL;
    SyntheticData d = SyntheticPersonalLlm.generate(c);
    int n = (400 + 100) * 8;
    assertEquals(n, c.itemCount());
    assertEquals(n * 64, d.items().length);
    assertEquals(n * 10, d.hiddenRewards().length);
    assertEquals(60 * 10, d.seenWeights().length);
    assertEquals(60 * 10, d.unseenWeights().length);
    for (PreferenceData p :
        new PreferenceData[] {d.train(), d.fewShot(), d.testSeen(), d.testUnseen()}) {
      assertEquals(n, p.itemCount());
      assertEquals(64, p.dim());
      assertEquals(60, p.userCount());
    }
    assertPairsPerUser(d.train(), 47);
    assertPairsPerUser(d.fewShot(), 9);
    assertPairsPerUser(d.testSeen(), 100);
    assertPairsPerUser(d.testUnseen(), 100);
  }

  @Test
  void allSplitsShareOneItemTable() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    assertSame(d.items(), d.train().items());
    assertSame(d.items(), d.fewShot().items());
    assertSame(d.items(), d.testSeen().items());
    assertSame(d.items(), d.testUnseen().items());
  }

  @Test
  void userIdsAreNumberedInGenerationOrder() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    for (int u = 0; u < 60; u++) {
      String seen = String.format("seen-%04d", u);
      String unseen = String.format("unseen-%04d", u);
      assertEquals(seen, d.train().userId(u));
      assertEquals(seen, d.testSeen().userId(u));
      assertEquals(unseen, d.fewShot().userId(u));
      assertEquals(unseen, d.testUnseen().userId(u));
    }
  }

  @Test
  void pairsAreFirstBestVersusFirstWorstResponseUnderTrueWeights() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    assertBestVersusWorst(d, d.train(), d.seenWeights());
    assertBestVersusWorst(d, d.fewShot(), d.unseenWeights());
    assertBestVersusWorst(d, d.testSeen(), d.seenWeights());
    assertBestVersusWorst(d, d.testUnseen(), d.unseenWeights());
  }

  @Test
  void trainAndFewShotPairsUseDistinctTrainPrompts() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    for (PreferenceData data : new PreferenceData[] {d.train(), d.fewShot()}) {
      for (int u = 0; u < data.userCount(); u++) {
        Set<Integer> prompts = new HashSet<>();
        for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
          int prompt = data.chosen(p) / 8;
          assertTrue(prompt < 400, "train prompt " + prompt + ", seed " + SEED);
          assertTrue(prompts.add(prompt), "user " + u + " got prompt " + prompt + " twice");
        }
      }
    }
  }

  @Test
  void testPairsCoverEveryTestPromptInOrder() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    for (PreferenceData data : new PreferenceData[] {d.testSeen(), d.testUnseen()}) {
      for (int u = 0; u < data.userCount(); u++) {
        for (int t = 0; t < 100; t++) {
          assertEquals(400 + t, data.chosen(data.pairStart(u) + t) / 8, "seed " + SEED);
        }
      }
    }
  }

  @Test
  void oracleAccuracyIsOneOnGeneratedPairs() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    for (double[] acc :
        new double[][] {
          d.oracleAccuracy(d.train(), d.seenWeights()),
          d.oracleAccuracy(d.fewShot(), d.unseenWeights()),
          d.oracleAccuracy(d.testSeen(), d.seenWeights()),
          d.oracleAccuracy(d.testUnseen(), d.unseenWeights())
        }) {
      assertEquals(60, acc.length);
      for (double a : acc) {
        assertEquals(1.0, a, 0.0, "seed " + SEED);
      }
    }
  }

  @Test
  void oracleAccuracyIsZeroOnSwappedPairs() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    PreferenceData t = d.testSeen();
    PreferenceData.Builder b = PreferenceData.builder(d.items(), t.itemCount(), t.dim());
    for (int u = 0; u < t.userCount(); u++) {
      for (int p = t.pairStart(u); p < t.pairEnd(u); p++) {
        b.add(t.userId(u), t.rejected(p), t.chosen(p));
      }
    }
    for (double a : d.oracleAccuracy(b.build(), d.seenWeights())) {
      assertEquals(0.0, a, 0.0, "seed " + SEED);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {100, 1, 0.1, 0.01, 0.001, 1e-6})
  void dirichletWeightsLieOnTheSimplex(double alpha) {
    float[] w = sampleDirichlet(alpha, 2000, 10);
    for (int i = 0; i < 2000; i++) {
      double sum = 0;
      for (int k = 0; k < 10; k++) {
        float v = w[i * 10 + k];
        assertTrue(v >= 0 && v <= 1, "alpha " + alpha + " weight " + v + ", seed " + SEED);
        sum += v;
      }
      assertEquals(1.0, sum, 1e-5, "alpha " + alpha + ", seed " + SEED);
    }
  }

  @Test
  void tinyAlphaGivesMostlyOneHotWeightsSpreadOverAllComponents() {
    float[] w = sampleDirichlet(0.001, 2000, 10);
    int oneHot = 0;
    int[] argmaxCount = new int[10];
    for (int i = 0; i < 2000; i++) {
      int best = argmax(w, i * 10, 10);
      argmaxCount[best]++;
      if (w[i * 10 + best] > 0.99f) {
        oneHot++;
      }
    }
    assertTrue(oneHot >= 1900, oneHot + " of 2000 one-hot, seed " + SEED);
    for (int k = 0; k < 10; k++) { // no component is favored by the log-space normalization
      assertTrue(argmaxCount[k] > 120, "component " + k + ": " + Arrays.toString(argmaxCount));
    }
    SyntheticData d = SyntheticPersonalLlm.generate(SyntheticConfig.small(0.001).withSeed(SEED));
    int generatedOneHot = 0;
    for (int u = 0; u < 60; u++) {
      if (d.seenWeights()[u * 10 + argmax(d.seenWeights(), u * 10, 10)] > 0.99f) {
        generatedOneHot++;
      }
    }
    assertTrue(generatedOneHot >= 54, generatedOneHot + " of 60 generated users one-hot");
  }

  @Test
  void smallerAlphaConcentratesWeights() {
    double previous = 0;
    for (double alpha : new double[] {10, 1, 0.1, 0.01, 0.001}) {
      float[] w = sampleDirichlet(alpha, 2000, 10);
      double meanMax = 0;
      for (int i = 0; i < 2000; i++) {
        meanMax += w[i * 10 + argmax(w, i * 10, 10)] / 2000.0;
      }
      assertTrue(
          meanMax > previous + 0.02,
          "alpha "
              + alpha
              + ": mean max weight "
              + meanMax
              + " not above "
              + previous
              + ", seed "
              + SEED);
      previous = meanMax;
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1, 0.1})
  void dirichletMomentsMatchTheDistribution(double alpha) {
    int draws = 8000;
    float[] w = sampleDirichlet(alpha, draws, 10);
    double expectedVar = 0.1 * 0.9 / (10 * alpha + 1); // Var(w_k) = (1/K)(1 - 1/K)/(K alpha + 1)
    for (int k = 0; k < 10; k++) {
      double mean = 0;
      double sq = 0;
      for (int i = 0; i < draws; i++) {
        mean += w[i * 10 + k];
        sq += (double) w[i * 10 + k] * w[i * 10 + k];
      }
      mean /= draws;
      double var = sq / draws - mean * mean;
      assertEquals(0.1, mean, 0.015, "alpha " + alpha + " component " + k + ", seed " + SEED);
      assertEquals(expectedVar, var, 0.15 * expectedVar, "alpha " + alpha + " component " + k);
    }
  }

  @Test
  void hiddenRewardsAreStandardizedAndCorrelatePartially() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    float[] h = d.hiddenRewards();
    int n = SMALL.itemCount();
    int m = 10;
    double sumCorr = 0;
    double maxCorr = -1;
    for (int a = 0; a < m; a++) {
      double mean = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        mean += h[i * m + a];
        sq += (double) h[i * m + a] * h[i * m + a];
      }
      assertEquals(0, mean / n, 1e-5, "reward " + a);
      assertEquals(1, sq / n, 1e-4, "reward " + a);
      for (int b = a + 1; b < m; b++) {
        double c = 0;
        for (int i = 0; i < n; i++) {
          c += (double) h[i * m + a] * h[i * m + b];
        }
        c /= n;
        sumCorr += c;
        maxCorr = Math.max(maxCorr, c);
      }
    }
    double meanCorr = sumCorr / (m * (m - 1) / 2);
    assertTrue(
        meanCorr > 0.05 && meanCorr < 0.7, "mean correlation " + meanCorr + ", seed " + SEED);
    assertTrue(maxCorr < 0.95, "two rewards are near duplicates: " + maxCorr + ", seed " + SEED);
  }

  @Test
  void hiddenRewardsIncludeNonLinearFunctionsOfTheEmbedding() {
    SyntheticData d = SyntheticPersonalLlm.generate(SMALL);
    double[] r2 = linearFitR2(d.items(), SMALL.itemCount(), SMALL.dim(), d.hiddenRewards(), 10);
    String all = "R^2 per reward " + Arrays.toString(r2) + ", seed " + SEED;
    for (int k = 0; k < 10; k += 2) { // the linear ones: the fit machinery does find them
      assertTrue(r2[k] > 0.93, all);
    }
    double min = Arrays.stream(r2).min().orElseThrow();
    assertTrue(min < 0.8, "no reward leaves a clear linear-fit residual: " + all);
  }

  @Test
  void embeddingNormsStayModerateAcrossDims() {
    SyntheticConfig base = new SyntheticConfig(64, 40, 10, 8, 10, 0.1, 4, 4, 5, 3, SEED);
    double[] meanNorm = new double[2];
    int[] dims = {64, 2048};
    for (int t = 0; t < 2; t++) {
      SyntheticData d = SyntheticPersonalLlm.generate(base.withDim(dims[t]));
      int n = base.itemCount();
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < dims[t]; k++) {
          double v = d.items()[i * dims[t] + k];
          s += v * v;
        }
        meanNorm[t] += Math.sqrt(s) / n;
      }
      assertTrue(
          meanNorm[t] > 2 && meanNorm[t] < 20, "dim " + dims[t] + " mean norm " + meanNorm[t]);
    }
    assertEquals(1, meanNorm[1] / meanNorm[0], 0.25, Arrays.toString(meanNorm) + ", seed " + SEED);
  }

  @Test
  void rewardsWeightsAndPairsDoNotDependOnDim() {
    SyntheticData a = SyntheticPersonalLlm.generate(SMALL);
    SyntheticData b = SyntheticPersonalLlm.generate(SMALL.withDim(96));
    assertArrayEquals(a.hiddenRewards(), b.hiddenRewards());
    assertArrayEquals(a.seenWeights(), b.seenWeights());
    assertArrayEquals(a.unseenWeights(), b.unseenWeights());
    assertSamePairs(a.train(), b.train());
    assertSamePairs(a.fewShot(), b.fewShot());
    assertSamePairs(a.testUnseen(), b.testUnseen());
  }

  @Test
  void fewShotPairsForSmallerKArePrefixesOfLargerK() {
    SyntheticData k9 = SyntheticPersonalLlm.generate(SMALL);
    SyntheticData k4 = SyntheticPersonalLlm.generate(SMALL.withFewShotPairs(4));
    assertArrayEquals(k9.items(), k4.items());
    assertArrayEquals(k9.unseenWeights(), k4.unseenWeights());
    assertSamePairs(k9.train(), k4.train());
    assertSamePairs(k9.testUnseen(), k4.testUnseen());
    for (int u = 0; u < 60; u++) {
      assertEquals(4, k4.fewShot().pairEnd(u) - k4.fewShot().pairStart(u));
      for (int q = 0; q < 4; q++) {
        int p4 = k4.fewShot().pairStart(u) + q;
        int p9 = k9.fewShot().pairStart(u) + q;
        assertEquals(k9.fewShot().chosen(p9), k4.fewShot().chosen(p4), "user " + u);
        assertEquals(k9.fewShot().rejected(p9), k4.fewShot().rejected(p4), "user " + u);
      }
    }
  }

  @Test
  void fewerUnseenUsersLeaveSeenUsersAndTheRemainingUnseenUsersAlone() {
    SyntheticData all = SyntheticPersonalLlm.generate(SMALL);
    SyntheticData fewer = SyntheticPersonalLlm.generate(SMALL.withUsers(60, 20));
    assertArrayEquals(all.seenWeights(), fewer.seenWeights());
    assertSamePairs(all.train(), fewer.train());
    assertArrayEquals(Arrays.copyOf(all.unseenWeights(), 20 * 10), fewer.unseenWeights());
    int[] first20 = new int[20];
    Arrays.setAll(first20, i -> i);
    assertSamePairs(all.fewShot().selectUsers(first20), fewer.fewShot());
  }

  // ---------------------------------------------------------------------------------------------

  private static float[] sampleDirichlet(double alpha, int draws, int k) {
    var rnd = new SyntheticPersonalLlm.Gaussian(new SplittableRandom(SEED));
    float[] w = new float[draws * k];
    double[] scratch = new double[k];
    for (int i = 0; i < draws; i++) {
      SyntheticPersonalLlm.dirichlet(alpha, rnd, w, i * k, k, scratch);
    }
    return w;
  }

  private static int argmax(float[] a, int off, int k) {
    int best = 0;
    for (int i = 1; i < k; i++) {
      if (a[off + i] > a[off + best]) {
        best = i;
      }
    }
    return best;
  }

  private static void assertPairsPerUser(PreferenceData data, int expected) {
    for (int u = 0; u < data.userCount(); u++) {
      assertEquals(expected, data.pairEnd(u) - data.pairStart(u), "user " + data.userId(u));
    }
  }

  static void assertSamePairs(PreferenceData a, PreferenceData b) {
    assertEquals(a.userCount(), b.userCount());
    assertEquals(a.pairCount(), b.pairCount());
    for (int u = 0; u < a.userCount(); u++) {
      assertEquals(a.userId(u), b.userId(u));
      assertEquals(a.pairStart(u), b.pairStart(u));
    }
    for (int p = 0; p < a.pairCount(); p++) {
      assertEquals(a.chosen(p), b.chosen(p), "pair " + p);
      assertEquals(a.rejected(p), b.rejected(p), "pair " + p);
    }
  }

  /**
   * Recomputes every user's rewards from scratch and checks each pair is (first max, first min).
   */
  private static void assertBestVersusWorst(SyntheticData d, PreferenceData data, float[] weights) {
    int m = d.config().rewardFunctions();
    int r = d.config().responsesPerPrompt();
    float[] h = d.hiddenRewards();
    for (int u = 0; u < data.userCount(); u++) {
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        int prompt = data.chosen(p) / r;
        assertEquals(prompt, data.rejected(p) / r, "pair " + p + " spans two prompts");
        double[] s = new double[r];
        for (int j = 0; j < r; j++) {
          for (int k = 0; k < m; k++) {
            s[j] += (double) weights[u * m + k] * h[(prompt * r + j) * m + k];
          }
        }
        int c = data.chosen(p) - prompt * r;
        int w = data.rejected(p) - prompt * r;
        for (int j = 0; j < r; j++) {
          String where = "user " + u + " prompt " + prompt + " response " + j + ", seed " + SEED;
          assertTrue(j < c ? s[j] < s[c] : s[j] <= s[c], "chosen is not the first best: " + where);
          assertTrue(
              j < w ? s[j] > s[w] : s[j] >= s[w], "rejected is not the first worst: " + where);
        }
      }
    }
  }

  /** R^2 of a least-squares fit {@code y ~ e . beta + b0} for each of the m columns of y. */
  private static double[] linearFitR2(float[] items, int n, int dim, float[] y, int m) {
    int f = dim + 1;
    double[] gram = new double[f * f];
    double[] xty = new double[f * m];
    double[] x = new double[f];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        x[j] = items[i * dim + j];
      }
      x[dim] = 1;
      for (int a = 0; a < f; a++) {
        for (int b = 0; b < f; b++) {
          gram[a * f + b] += x[a] * x[b];
        }
        for (int k = 0; k < m; k++) {
          xty[a * m + k] += x[a] * y[i * m + k];
        }
      }
    }
    for (int a = 0; a < f; a++) {
      gram[a * f + a] += 1e-9 * n;
    }
    double[] chol = cholesky(gram, f);
    double[] r2 = new double[m];
    for (int k = 0; k < m; k++) {
      double[] rhs = new double[f];
      for (int a = 0; a < f; a++) {
        rhs[a] = xty[a * m + k];
      }
      double[] beta = solveCholesky(chol, f, rhs);
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += y[i * m + k];
      }
      mean /= n;
      double ssRes = 0;
      double ssTot = 0;
      for (int i = 0; i < n; i++) {
        double pred = beta[dim];
        for (int j = 0; j < dim; j++) {
          pred += beta[j] * items[i * dim + j];
        }
        double yi = y[i * m + k];
        ssRes += (yi - pred) * (yi - pred);
        ssTot += (yi - mean) * (yi - mean);
      }
      r2[k] = 1 - ssRes / ssTot;
    }
    return r2;
  }

  private static double[] cholesky(double[] a, int n) {
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i * n + j];
        for (int k = 0; k < j; k++) {
          s -= l[i * n + k] * l[j * n + k];
        }
        l[i * n + j] = i == j ? Math.sqrt(s) : s / l[j * n + j];
      }
    }
    return l;
  }

  private static double[] solveCholesky(double[] l, int n, double[] b) {
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i * n + k] * z[k];
      }
      z[i] = s / l[i * n + i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = z[i];
      for (int k = i + 1; k < n; k++) {
        s -= l[k * n + i] * x[k];
      }
      x[i] = s / l[i * n + i];
    }
    return x;
  }
}
