package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import lore.internal.kernel.Numerics;
import org.junit.jupiter.api.Test;

class FewShotFitterTest {
  static final long SEED = Long.getLong("lore.test.seed", 17L);

  /** A model whose basis rows are the true planted basis, and a few new-user pairs. */
  static RewardModel plantedModel(Planted pl) {
    return new RewardModel(
        pl.d, pl.rank, pl.trueBasis.clone(), 1.0, new String[0], new float[0], java.util.Map.of());
  }

  static double objective(float[] dz, int n, int k, double s, float[] w) {
    double f = 0;
    for (int p = 0; p < n; p++) {
      double m = 0;
      for (int b = 0; b < k; b++) {
        m += w[b] * dz[p * k + b];
      }
      f += Numerics.softplusNeg(s * m);
    }
    return f / n;
  }

  @Test
  void newtonSolutionSatisfiesKktConditions() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int trial = 0; trial < 200; trial++) {
      int k = 1 + rnd.nextInt(16);
      int n = 1 + rnd.nextInt(60);
      double s = Math.pow(10, rnd.nextInt(4) - 2);
      float[] dz = new float[n * k];
      for (int i = 0; i < dz.length; i++) {
        dz[i] = (float) (rnd.nextGaussian() * 3 + (i % k == 0 ? 1 : 0));
      }
      RewardModel m =
          new RewardModel(k, k, identity(k), s, new String[0], new float[0], java.util.Map.of());
      FewShotFitter fitter = m.fewShotFitter(FitConfig.defaults(), 64);
      float[] w = new float[k];
      fitter.fitProjected(dz, n, w);
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k + " n=" + n + " s=" + s;
      double sum = 0;
      for (float x : w) {
        assertTrue(x >= 0, where);
        sum += x;
      }
      assertEquals(1.0, sum, 1e-5, where);
      // KKT: g_j >= lambda for all j, with equality on the support; lambda = min_j g_j
      double[] g = new double[k];
      for (int p = 0; p < n; p++) {
        double mm = 0;
        for (int b = 0; b < k; b++) {
          mm += w[b] * dz[p * k + b];
        }
        double c = Numerics.softplusNegGrad(s * mm) * s / n;
        for (int b = 0; b < k; b++) {
          g[b] += c * dz[p * k + b];
        }
      }
      double lambda = Double.POSITIVE_INFINITY;
      double gScale = 0;
      for (int b = 0; b < k; b++) {
        lambda = Math.min(lambda, g[b]);
        gScale = Math.max(gScale, Math.abs(g[b]));
      }
      for (int b = 0; b < k; b++) {
        if (w[b] > 1e-4) {
          assertEquals(lambda, g[b], 1e-3 * (gScale + 1e-3), where + " support " + b);
        }
      }
      // and no vertex or random feasible point is better
      double best = objective(dz, n, k, s, w);
      for (int probe = 0; probe < 20; probe++) {
        float[] q = new float[k];
        double qs = 0;
        for (int b = 0; b < k; b++) {
          q[b] = (float) -Math.log(rnd.nextDouble());
          qs += q[b];
        }
        for (int b = 0; b < k; b++) {
          q[b] /= (float) qs;
        }
        assertTrue(objective(dz, n, k, s, q) >= best - 1e-6, where);
      }
    }
  }

  static float[] identity(int k) {
    float[] a = new float[k * k];
    for (int i = 0; i < k; i++) {
      a[i * k + i] = 1;
    }
    return a;
  }

  @Test
  void newtonMatchesTheReferenceAdamPathOnObjective() {
    Planted pl = new Planted(SEED, 24, 4, 80, 1, 0.5);
    RewardModel m = plantedModel(pl);
    int n = 20;
    float[] chosen = new float[n * pl.d];
    float[] rejected = new float[n * pl.d];
    fillPairs(pl, 0, n, chosen, rejected);
    FewShotFitter newton = m.fewShotFitter(FitConfig.defaults(), n);
    FewShotFitter adam =
        m.fewShotFitter(
            FitConfig.paper().withTolerance(1e-9).withMaxIterations(3000).withSeed(1), n);
    newton.fit(chosen, rejected, n);
    adam.fit(chosen, rejected, n);
    assertTrue(newton.lastIterations() <= 50, "newton took " + newton.lastIterations());
    assertTrue(
        newton.lastLoss() <= adam.lastLoss() + 1e-6,
        "newton " + newton.lastLoss() + " vs adam " + adam.lastLoss());
  }

  static void fillPairs(Planted pl, int user, int n, float[] chosen, float[] rejected) {
    SplittableRandom rnd = new SplittableRandom(SEED + n);
    for (int p = 0; p < n; p++) {
      int i = rnd.nextInt(pl.items);
      int j = (i + 1 + rnd.nextInt(pl.items - 1)) % pl.items;
      boolean iWins = pl.trueReward(user, i) >= pl.trueReward(user, j);
      System.arraycopy(pl.embeddings, (iWins ? i : j) * pl.d, chosen, p * pl.d, pl.d);
      System.arraycopy(pl.embeddings, (iWins ? j : i) * pl.d, rejected, p * pl.d, pl.d);
    }
  }

  @Test
  void moreShotsGiveBetterHeldOutAccuracy() {
    Planted pl = new Planted(SEED, 32, 5, 400, 60, 0.3);
    RewardModel m = plantedModel(pl);
    int[] shots = {1, 4, 16, 64};
    double[] acc = new double[shots.length];
    for (int si = 0; si < shots.length; si++) {
      int n = shots[si];
      FewShotFitter fitter = m.fewShotFitter(FitConfig.defaults(), n);
      float[] chosen = new float[n * pl.d];
      float[] rejected = new float[n * pl.d];
      double total = 0;
      for (int u = 0; u < pl.users; u++) {
        fillPairs(pl, u, n, chosen, rejected);
        PersonalReward r = m.personalize(fitter.fit(chosen, rejected, n));
        int correct = 0;
        for (int i = 0; i < 200; i++) {
          int a = 200 + i;
          int b = 200 + (i * 7 + 3) % 200;
          if (a == b) {
            continue;
          }
          double want = pl.trueReward(u, a) - pl.trueReward(u, b);
          double got = r.score(pl.embeddings, a * pl.d) - r.score(pl.embeddings, b * pl.d);
          correct += want * got > 0 ? 1 : 0;
        }
        total += correct / 200.0;
      }
      acc[si] = total / pl.users;
    }
    String msg = "seed=" + SEED + " accuracy by shots " + java.util.Arrays.toString(acc);
    assertTrue(acc[1] > acc[0] && acc[3] > acc[1], msg);
    assertTrue(acc[3] > 0.9, msg);
  }

  @Test
  void priorShrinksTowardsTheMeanSeenUser() {
    int k = 3;
    // two seen users with weights (1,0,0) and (0,1,0): the prior center is (0.5, 0.5, 0)
    RewardModel m =
        new RewardModel(
            k,
            k,
            identity(k),
            1.0,
            new String[] {"a", "b"},
            new float[] {1, 0, 0, 0, 1, 0},
            java.util.Map.of());
    float[] dz = {0, 0, 3, 0, 0, 2}; // two pairs that both favour basis 2
    float[] free = new float[k];
    m.fewShotFitter(FitConfig.defaults(), 4).fitProjected(dz, 2, free);
    float[] strong = new float[k];
    FitConfig mean = FitConfig.defaults().withPrior(FitConfig.Prior.MEAN);
    m.fewShotFitter(mean.withPriorStrength(1e6), 4).fitProjected(dz, 2, strong);
    float[] mild = new float[k];
    m.fewShotFitter(mean.withPriorStrength(1.0), 4).fitProjected(dz, 2, mild);
    assertEquals(1f, free[2], 1e-4f, "without a prior the data decide: vertex 2");
    assertEquals(0.5f, strong[0], 1e-4f);
    assertEquals(0.5f, strong[1], 1e-4f);
    assertTrue(mild[2] > 0.05f && mild[2] < 0.999f, "a mild prior lands in between: " + mild[2]);
    assertThrows(IllegalArgumentException.class, () -> FitConfig.defaults().withPriorStrength(-1));
  }

  /** The MAP objective of the model's empirical-Bayes prior, in the fitter's mean-loss units. */
  // (1/n) [sum_p log(1 + exp(-m_p)) + (1/2) (w - c)' P (w - c)]
  static double mapObjective(float[] dz, int n, int k, double s, PopulationPrior prior, float[] w) {
    double f = objective(dz, n, k, s, w);
    double q = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        q += (w[a] - prior.center()[a]) * prior.precision()[a * k + b] * (w[b] - prior.center()[b]);
      }
    }
    return f + 0.5 / n * q;
  }

  @Test
  void newUsersGetTheModelsEmpiricalBayesPrior() {
    Planted pl = new Planted(SEED, 24, 3, 200, 50, 0.3);
    PreferenceData train = pl.pairs("u", 0, 40, 30, 0, 200);
    int k = 4;
    RewardModel m =
        new Trainer(
                TrainConfig.defaults()
                    .withRank(k)
                    .withSteps(40)
                    .withPriorStrength(20)
                    .withInit(TrainConfig.Init.POPULATION)
                    .withSeed(SEED))
            .train(train);
    PopulationPrior prior = PopulationPrior.of(m);
    assertTrue(prior.precision() != null && !prior.limit(), "seed=" + SEED);
    // the center is the seen users' weights averaged (all have 30 pairs: the plain mean)
    double[] mean = m.meanUserWeights();
    for (int b = 0; b < k; b++) {
      assertEquals(mean[b], prior.center()[b], 1e-5, "seed=" + SEED + " center " + b);
    }
    SplittableRandom rnd = new SplittableRandom(SEED);
    float[] basis = m.basis();
    for (int n : new int[] {1, 3, 9, 30}) {
      PreferenceData few = pl.pairs("v", 40 + n % 10, 1, n, 0, 200);
      float[] dz = new float[n * k];
      for (int p = 0; p < n; p++) {
        for (int b = 0; b < k; b++) {
          double z = 0;
          for (int j = 0; j < pl.d; j++) {
            z +=
                (double) basis[b * pl.d + j]
                    * (pl.embeddings[few.chosen(p) * pl.d + j]
                        - pl.embeddings[few.rejected(p) * pl.d + j]);
          }
          dz[p * k + b] = (float) z;
        }
      }
      float[] map = new float[k];
      m.fewShotFitter(FitConfig.defaults(), n).fitProjected(dz, n, map);
      float[] mle = new float[k];
      m.fewShotFitter(FitConfig.defaults().withPrior(FitConfig.Prior.NONE), n)
          .fitProjected(dz, n, mle);
      String where = "seed=" + SEED + " n=" + n;
      double best = mapObjective(dz, n, k, m.logitScale(), prior, map);
      assertTrue(best <= mapObjective(dz, n, k, m.logitScale(), prior, mle) + 1e-9, where);
      for (int probe = 0; probe < 200; probe++) {
        float[] q = new float[k];
        double qs = 0;
        for (int b = 0; b < k; b++) {
          q[b] = (float) -Math.log(rnd.nextDouble());
          qs += q[b];
        }
        for (int b = 0; b < k; b++) {
          q[b] = (float) (0.9 * q[b] / qs + 0.1 * map[b]); // near the optimum, too
        }
        assertTrue(mapObjective(dz, n, k, m.logitScale(), prior, q) >= best - 1e-7, where);
      }
      // Eq. 11 without the prior: the MLE is at least as good on the data term
      assertTrue(
          objective(dz, n, k, m.logitScale(), mle)
              <= objective(dz, n, k, m.logitScale(), map) + 1e-9,
          where);
    }
  }

  @Test
  void rejectsBadInput() {
    Planted pl = new Planted(SEED, 8, 2, 10, 1, 1.0);
    RewardModel m = plantedModel(pl);
    FewShotFitter f = m.fewShotFitter(FitConfig.defaults(), 4);
    float[] ok = new float[4 * 8];
    assertThrows(IllegalArgumentException.class, () -> f.fit(ok, ok, 0));
    assertThrows(IllegalArgumentException.class, () -> f.fit(ok, ok, 5));
    IllegalArgumentException short_ =
        assertThrows(IllegalArgumentException.class, () -> f.fit(new float[7], ok, 1));
    assertTrue(short_.getMessage().contains("dim 8"), short_.getMessage());
    float[] nan = new float[8];
    nan[3] = Float.NaN;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> f.fit(nan, ok, 1));
    assertTrue(e.getMessage().contains("column 3"), e.getMessage());
  }
}
