package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import lore.internal.kernel.Numerics;
import org.junit.jupiter.api.Test;

class UserPosteriorTest {
  static final long SEED = Long.getLong("lore.test.seed", 23L);

  /**
   * A model over a random basis whose new-user prior is centred at {@code center} with covariance
   * {@code sigma^2 (I - 11'/B)} (a population spread evenly over the simplex's tangent space).
   */
  static RewardModel modelWithPrior(
      SplittableRandom rnd, int d, int rank, double scale, double[] center, double sigma) {
    float[] basis = new float[rank * d];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = (float) (rnd.nextGaussian() / Math.sqrt(d));
    }
    return new RewardModel(
        d,
        rank,
        basis,
        scale,
        new String[0],
        new float[0],
        Map.of(
            "priorCenter",
            Trainer.vector(center),
            "priorCovariance",
            Trainer.vector(spread(rank, sigma))));
  }

  static double[] spread(int rank, double sigma) {
    double[] s = new double[rank * rank];
    for (int a = 0; a < rank; a++) {
      for (int b = 0; b < rank; b++) {
        s[a * rank + b] = sigma * sigma * ((a == b ? 1 : 0) - 1.0 / rank);
      }
    }
    return s;
  }

  static double[] uniform(int rank) {
    double[] c = new double[rank];
    Arrays.fill(c, 1.0 / rank);
    return c;
  }

  /** Projection A (e_a - e_b) of two Gaussian embeddings, computed here in double. */
  static float[] randomPair(SplittableRandom rnd, RewardModel m) {
    int d = m.dim();
    int k = m.rank();
    float[] basis = m.basis();
    float[] z = new float[k];
    for (int j = 0; j < d; j++) {
      double e = rnd.nextGaussian() - rnd.nextGaussian();
      for (int b = 0; b < k; b++) {
        z[b] += (float) (basis[b * d + j] * e);
      }
    }
    return z;
  }

  /** The negative log posterior at w, written from its definition. */
  static double negLogPosterior(RewardModel m, float[] dz, int n, double[] w) {
    int k = m.rank();
    double s = m.logitScale();
    PopulationPrior prior = PopulationPrior.of(m);
    double f = 0;
    for (int p = 0; p < n; p++) {
      double x = 0;
      for (int b = 0; b < k; b++) {
        x += w[b] * dz[p * k + b];
      }
      f += Numerics.softplusNeg(s * x);
    }
    double[] c = prior.center();
    double[] pr = prior.precision();
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        f += 0.5 * (w[a] - c[a]) * pr[a * k + b] * (w[b] - c[b]);
      }
    }
    return f;
  }

  /** Columns e_face[j] - e_face[last] of the face of w, B x r row-major. */
  static double[] tangent(double[] w, int[] rOut) {
    int k = w.length;
    int[] face = new int[k];
    int f = 0;
    for (int b = 0; b < k; b++) {
      if (w[b] > 1e-7) {
        face[f++] = b;
      }
    }
    int r = f - 1;
    double[] v = new double[k * r];
    for (int j = 0; j < r; j++) {
      v[face[j] * r + j] = 1;
      v[face[f - 1] * r + j] = -1;
    }
    rOut[0] = r;
    return v;
  }

  static double[] inverse(double[] a, int n) {
    double[] m = a.clone();
    double[] inv = new double[n * n];
    for (int i = 0; i < n; i++) {
      inv[i * n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) {
          piv = r;
        }
      }
      for (int c = 0; c < n; c++) {
        double t = m[col * n + c];
        m[col * n + c] = m[piv * n + c];
        m[piv * n + c] = t;
        t = inv[col * n + c];
        inv[col * n + c] = inv[piv * n + c];
        inv[piv * n + c] = t;
      }
      double p = m[col * n + col];
      for (int c = 0; c < n; c++) {
        m[col * n + c] /= p;
        inv[col * n + c] /= p;
      }
      for (int r = 0; r < n; r++) {
        if (r != col) {
          double f = m[r * n + col];
          for (int c = 0; c < n; c++) {
            m[r * n + c] -= f * m[col * n + c];
            inv[r * n + c] -= f * inv[col * n + c];
          }
        }
      }
    }
    return inv;
  }

  static double logDet(double[] a, int n) {
    double[] m = a.clone();
    double ld = 0;
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) {
          piv = r;
        }
      }
      for (int c = 0; c < n; c++) {
        double t = m[col * n + c];
        m[col * n + c] = m[piv * n + c];
        m[piv * n + c] = t;
      }
      double p = m[col * n + col];
      ld += Math.log(Math.abs(p));
      for (int r = col + 1; r < n; r++) {
        double f = m[r * n + col] / p;
        for (int c = col; c < n; c++) {
          m[r * n + c] -= f * m[col * n + c];
        }
      }
    }
    return ld;
  }

  /** V' H V for a B x B matrix H and the B x r tangent basis V. */
  static double[] restrict(double[] h, double[] v, int k, int r) {
    double[] c = new double[r * r];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        double s = 0;
        for (int a = 0; a < k; a++) {
          for (int b = 0; b < k; b++) {
            s += v[a * r + i] * h[a * k + b] * v[b * r + j];
          }
        }
        c[i * r + j] = s;
      }
    }
    return c;
  }

  @Test
  void covarianceIsTheInverseOfAFiniteDifferenceHessianOnTheFace() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    int boundaryCases = 0;
    for (int trial = 0; trial < 12; trial++) {
      int k = 3 + trial % 4;
      double[] center = uniform(k);
      // a weak prior and many pairs from a sparse user put some MAPs on a lower face
      double sigma = trial % 2 == 0 ? 0.05 : 0.5;
      RewardModel m = modelWithPrior(rnd, 24, k, 2.0, center, sigma);
      int n = 5 + rnd.nextInt(40);
      float[] dz = new float[n * k];
      double[] truth = new double[k];
      truth[rnd.nextInt(k)] = 1;
      for (int p = 0; p < n; p++) {
        float[] z = randomPair(rnd, m);
        double x = 0;
        for (int b = 0; b < k; b++) {
          x += truth[b] * z[b];
        }
        float sign = x >= 0 ? 1 : -1;
        for (int b = 0; b < k; b++) {
          dz[p * k + b] = sign * z[b];
        }
      }
      ColdStart user = new ColdStart(m, FitConfig.defaults(), n);
      UserPosterior post = user.observeAll(dz, n);
      double[] w = post.mean.clone();
      int[] rr = new int[1];
      double[] v = tangent(w, rr);
      int r = rr[0];
      boundaryCases += r < k - 1 ? 1 : 0;
      // central second differences of t -> f(w + V t)
      double h = 1e-4;
      double[] hess = new double[r * r];
      double[] x = new double[k];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < r; j++) {
          double sum = 0;
          for (int si = -1; si <= 1; si += 2) {
            for (int sj = -1; sj <= 1; sj += 2) {
              for (int a = 0; a < k; a++) {
                x[a] = w[a] + si * h * v[a * r + i] + sj * h * v[a * r + j];
              }
              sum += si * sj * negLogPosterior(m, dz, n, x);
            }
          }
          hess[i * r + j] = sum / (4 * h * h);
        }
      }
      double[] cinv = inverse(hess, r);
      double[] cov = post.covariance();
      double max = 0;
      for (double c : cov) {
        max = Math.max(max, Math.abs(c));
      }
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k + " n=" + n + " face=" + r;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          double want = 0;
          for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
              want += v[a * r + i] * cinv[i * r + j] * v[b * r + j];
            }
          }
          assertEquals(want, cov[a * k + b], 2e-4 * max, where + " entry " + a + "," + b);
        }
      }
    }
    assertTrue(boundaryCases > 0, "no trial had a MAP on a lower face; the test misses that case");
  }

  @Test
  void probitPredictiveMatchesMonteCarloOverThePosterior() {
    SplittableRandom rnd = new SplittableRandom(SEED + 1);
    int k = 5;
    RewardModel m = modelWithPrior(rnd, 32, k, 3.0, uniform(k), 0.15);
    ColdStart user = new ColdStart(m, FitConfig.defaults(), 10);
    for (int p = 0; p < 3; p++) {
      user.observeProjected(randomPair(rnd, m), 0);
    }
    UserPosterior post = user.posterior();
    for (int q = 0; q < 20; q++) {
      float[] z = randomPair(rnd, m);
      double mc = 0;
      int draws = 40000;
      for (int t = 0; t < draws; t++) {
        double x = post.logitMean(z, 0);
        double wz = 0;
        for (int i = 0; i < post.covRank; i++) {
          double g = rnd.nextGaussian();
          double t2 = 0;
          for (int b = 0; b < k; b++) {
            t2 += post.root[i * k + b] * z[b];
          }
          wz += g * t2;
        }
        mc += Numerics.sigmoid(x + m.logitScale() * wz);
      }
      mc /= draws;
      double plugIn = Numerics.sigmoid(post.logitMean(z, 0));
      double probit = post.preferenceProbabilityProjected(z, 0);
      // the probit approximation is within ~0.02 of E sigmoid for Gaussian logits
      assertEquals(mc, probit, 0.02, "pair " + q + " plug-in " + plugIn);
    }
  }

  /**
   * Users drawn from the model's prior, answers drawn from the Bradley-Terry likelihood: the
   * predictive probabilities on held-out pairs must be calibrated (ECE <= 0.03, the bar).
   */
  @Test
  void predictiveIsCalibratedOnPlantedUsers() {
    SplittableRandom rnd = new SplittableRandom(SEED + 2);
    int k = 4;
    double sigma = 0.2;
    double[] center = {0.4, 0.3, 0.2, 0.1};
    RewardModel m = modelWithPrior(rnd, 32, k, 8.0, center, sigma);
    double[] cov = spread(k, sigma);
    // a square root of the population's covariance, to draw users from it
    double[] root = cholRoot(cov, k);
    int users = 1500;
    int fewShot = 3;
    int test = 20;
    double[] predicted = new double[users * test];
    double[] plugIn = new double[users * test];
    boolean[] outcome = new boolean[users * test];
    int at = 0;
    for (int u = 0; u < users; u++) {
      double[] w = drawUser(rnd, center, root, k);
      ColdStart user = new ColdStart(m, FitConfig.defaults(), fewShot);
      for (int p = 0; p < fewShot; p++) {
        float[] z = randomPair(rnd, m);
        boolean first = rnd.nextDouble() < Numerics.sigmoid(m.logitScale() * dot(w, z));
        if (!first) {
          for (int b = 0; b < k; b++) {
            z[b] = -z[b];
          }
        }
        user.observeProjected(z, 0);
      }
      UserPosterior post = user.posterior();
      for (int t = 0; t < test; t++) {
        float[] z = randomPair(rnd, m);
        predicted[at] = post.preferenceProbabilityProjected(z, 0);
        plugIn[at] = Numerics.sigmoid(post.logitMean(z, 0));
        outcome[at] = rnd.nextDouble() < Numerics.sigmoid(m.logitScale() * dot(w, z));
        at++;
      }
    }
    double ece = ece(predicted, outcome);
    double ecePlugIn = ece(plugIn, outcome);
    String where = "seed=" + SEED + " ECE " + ece + ", plug-in MAP " + ecePlugIn;
    assertTrue(ece <= 0.03, where); // measured 0.013 at seeds 23 and 5, the plug-in MAP 0.056
    assertTrue(ece < ecePlugIn, "integrating the uncertainty must help: " + where);
  }

  static double[] cholRoot(double[] cov, int k) {
    double[] a = cov.clone();
    for (int i = 0; i < k; i++) {
      a[i * k + i] += 1e-12;
    }
    double[] l = new double[k * k];
    for (int j = 0; j < k; j++) {
      double d = a[j * k + j];
      for (int q = 0; q < j; q++) {
        d -= l[j * k + q] * l[j * k + q];
      }
      double lj = Math.sqrt(Math.max(d, 0));
      l[j * k + j] = lj;
      for (int i = j + 1; i < k; i++) {
        double s = a[i * k + j];
        for (int q = 0; q < j; q++) {
          s -= l[i * k + q] * l[j * k + q];
        }
        l[i * k + j] = lj > 1e-9 ? s / lj : 0;
      }
    }
    return l;
  }

  /** A user from the Gaussian population, redrawn until it lies on the simplex. */
  static double[] drawUser(SplittableRandom rnd, double[] center, double[] root, int k) {
    while (true) {
      double[] g = new double[k];
      for (int i = 0; i < k; i++) {
        g[i] = rnd.nextGaussian();
      }
      double[] w = center.clone();
      boolean ok = true;
      double sum = 0;
      for (int a = 0; a < k; a++) {
        for (int i = 0; i <= a; i++) {
          w[a] += root[a * k + i] * g[i];
        }
      }
      for (int a = 0; a < k; a++) {
        ok &= w[a] >= 0;
        sum += w[a];
      }
      if (ok) {
        for (int a = 0; a < k; a++) {
          w[a] /= sum;
        }
        return w;
      }
    }
  }

  static double dot(double[] w, float[] z) {
    double s = 0;
    for (int b = 0; b < w.length; b++) {
      s += w[b] * z[b];
    }
    return s;
  }

  /** Expected calibration error over 10 equal-width bins of the predicted probability. */
  static double ece(double[] p, boolean[] y) {
    double[] conf = new double[10];
    double[] hits = new double[10];
    int[] n = new int[10];
    for (int i = 0; i < p.length; i++) {
      int bin = Math.min(9, (int) (p[i] * 10));
      conf[bin] += p[i];
      hits[bin] += y[i] ? 1 : 0;
      n[bin]++;
    }
    double e = 0;
    for (int b = 0; b < 10; b++) {
      if (n[b] > 0) {
        e += Math.abs(conf[b] - hits[b]) / p.length;
      }
    }
    return e;
  }

  @Test
  void mostInformativeMatchesBruteForceLogDeterminants() {
    SplittableRandom rnd = new SplittableRandom(SEED + 3);
    for (int trial = 0; trial < 20; trial++) {
      int k = 2 + trial % 5;
      int d = 16;
      RewardModel m = modelWithPrior(rnd, d, k, 2.0, uniform(k), 0.1 + 0.1 * (trial % 3));
      int n = 4 + rnd.nextInt(6);
      float[] items = new float[n * d];
      for (int i = 0; i < items.length; i++) {
        items[i] = (float) rnd.nextGaussian();
      }
      CandidatePool pool = CandidatePool.ofItems(m, items, n);
      ColdStart user = new ColdStart(m, FitConfig.defaults(), 10);
      int answers = rnd.nextInt(5);
      float[] dz = new float[answers * k];
      for (int a = 0; a < answers; a++) {
        int c = rnd.nextInt(pool.size());
        boolean first = rnd.nextBoolean();
        user.observe(pool, c, first);
        float[] z = pool.projection(c);
        for (int b = 0; b < k; b++) {
          dz[a * k + b] = first ? z[b] : -z[b];
        }
      }
      UserPosterior post = user.posterior();
      // brute force: the log-determinant of the Hessian on the face, with and without the pair
      double[] h = hessian(m, post.mean, dz, answers);
      int[] rr = new int[1];
      double[] v = tangent(post.mean, rr);
      int r = rr[0];
      double base = logDet(restrict(h, v, k, r), r);
      double[] gain = new double[pool.size()];
      for (int c = 0; c < pool.size(); c++) {
        float[] z = pool.projection(c);
        double x = m.logitScale() * dot(post.mean, z);
        double sig = Numerics.sigmoid(x);
        double w2 = sig * (1 - sig) * m.logitScale() * m.logitScale();
        double[] h2 = h.clone();
        for (int a = 0; a < k; a++) {
          for (int b = 0; b < k; b++) {
            h2[a * k + b] += w2 * z[a] * z[b];
          }
        }
        gain[c] = 0.5 * (logDet(restrict(h2, v, k, r), r) - base);
        String where = "seed=" + SEED + " trial=" + trial + " candidate " + c;
        assertEquals(gain[c], pool.informationGain(post, c), 1e-9 + 1e-7 * gain[c], where);
      }
      BitSet asked = new BitSet();
      for (int round = 0; round < 3; round++) {
        int best = -1;
        for (int c = 0; c < gain.length; c++) {
          if (!asked.get(c) && (best < 0 || gain[c] > gain[best] * (1 + 1e-9))) {
            best = c;
          }
        }
        int got = pool.mostInformative(post, asked);
        String where = "seed=" + SEED + " trial=" + trial + " round " + round;
        // the scan computes in float: the chosen gain is the brute-force maximum to float rounding
        assertEquals(gain[best], gain[got], 1e-9 + 1e-5 * gain[best], where);
        asked.set(got);
      }
    }
  }

  /**
   * The Hessian of the negative log posterior at w, written out here: {@code s^2 sum_p sigmoid'(s
   * w.z_p) z_p z_p' + P}. (The covariance test checks the engine's against finite differences.)
   */
  static double[] hessian(RewardModel m, double[] w, float[] dz, int n) {
    int k = w.length;
    double s = m.logitScale();
    double[] out = PopulationPrior.of(m).precision().clone();
    for (int p = 0; p < n; p++) {
      double x = 0;
      for (int b = 0; b < k; b++) {
        x += w[b] * dz[p * k + b];
      }
      double sig = Numerics.sigmoid(s * x);
      double c = sig * (1 - sig) * s * s;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          out[a * k + b] += c * dz[p * k + a] * dz[p * k + b];
        }
      }
    }
    return out;
  }

  @Test
  void onlineUpdatesEqualTheBatchRefit() {
    SplittableRandom rnd = new SplittableRandom(SEED + 4);
    for (int trial = 0; trial < 10; trial++) {
      int k = 2 + trial % 9;
      RewardModel m = modelWithPrior(rnd, 40, k, 1.0 + trial, uniform(k), 0.05 + 0.05 * trial);
      int n = 1 + rnd.nextInt(50);
      float[] dz = new float[n * k];
      ColdStart online = new ColdStart(m, FitConfig.defaults(), n);
      for (int p = 0; p < n; p++) {
        float[] z = randomPair(rnd, m);
        System.arraycopy(z, 0, dz, p * k, k);
        online.observeProjected(z, 0);
      }
      UserPosterior a = online.posterior();
      UserPosterior b = new ColdStart(m, FitConfig.defaults(), n).observeAll(dz, n);
      float[] fit = new float[k];
      m.fewShotFitter(FitConfig.defaults(), n).fitProjected(dz, n, fit);
      String where = "seed=" + SEED + " trial=" + trial + " k=" + k + " n=" + n;
      assertEquals(n, a.pairs(), where);
      for (int i = 0; i < k; i++) {
        assertEquals(fit[i], a.weights().get(i), 2e-5, where + " weight " + i);
        assertEquals(b.mean[i], a.mean[i], 2e-5, where + " weight " + i);
      }
      double[] ca = a.covariance();
      double[] cb = b.covariance();
      double max = 0;
      for (double c : cb) {
        max = Math.max(max, Math.abs(c));
      }
      for (int i = 0; i < ca.length; i++) {
        assertEquals(cb[i], ca[i], 1e-3 * max + 1e-12, where + " covariance " + i);
      }
    }
  }

  @Test
  void snapshotsAreImmutableAndReadableFromOtherThreads() throws Exception {
    SplittableRandom rnd = new SplittableRandom(SEED + 5);
    int k = 4;
    RewardModel m = modelWithPrior(rnd, 16, k, 3.0, uniform(k), 0.2);
    ColdStart user = new ColdStart(m, FitConfig.defaults(), 30);
    UserPosterior prior = user.posterior();
    assertEquals(0, prior.pairs());
    assertEquals(0.25, prior.weights().get(0), 1e-6);
    float[] held = prior.weights().weights();
    double[] heldCov = prior.covariance();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                int last = 0;
                while (last < 20) {
                  UserPosterior p = user.posterior();
                  if (p.pairs() < last) {
                    throw new AssertionError("went back from " + last + " to " + p.pairs());
                  }
                  last = p.pairs();
                  double q = p.preferenceProbabilityProjected(new float[] {1, 0, 0, -1}, 0);
                  if (!(q > 0 && q < 1)) {
                    throw new AssertionError("probability " + q);
                  }
                }
                user.observeProjected(new float[] {1, 0, 0, 0}, 0);
                throw new AssertionError("a second writer was accepted");
              } catch (IllegalStateException expected) {
                // the one-writer check
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    user.observeProjected(randomPair(rnd, m), 0); // binds this thread as the writer
    reader.start();
    for (int p = 1; p < 20; p++) {
      user.observeProjected(randomPair(rnd, m), 0);
    }
    reader.join(60_000);
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertTrue(Arrays.equals(held, prior.weights().weights()), "the k = 0 snapshot changed");
    assertTrue(Arrays.equals(heldCov, prior.covariance()), "the k = 0 covariance changed");
    assertNotEquals(prior.weights(), user.posterior().weights());
  }

  /** The README's cold-start loop, as printed there, against a planted user. */
  @Test
  void readmeColdStartLoopLearnsAPlantedUser() {
    SplittableRandom rnd = new SplittableRandom(SEED + 8);
    int k = 5;
    int d = 24;
    int n = 40;
    RewardModel model = modelWithPrior(rnd, d, k, 4.0, uniform(k), 0.2);
    float[] items = new float[n * d];
    for (int i = 0; i < items.length; i++) {
      items[i] = (float) rnd.nextGaussian();
    }
    double[] truth = {0.7, 0.3, 0, 0, 0};
    float[] basis = model.basis();
    double[] reward = new double[n];
    for (int i = 0; i < n; i++) {
      for (int b = 0; b < k; b++) {
        double z = 0;
        for (int j = 0; j < d; j++) {
          z += basis[b * d + j] * items[i * d + j];
        }
        reward[i] += truth[b] * z;
      }
    }
    java.util.function.IntBinaryOperator askUser = (x, y) -> reward[x] > reward[y] ? 1 : 0;
    CandidatePool pool = CandidatePool.ofItems(model, items, n);
    ColdStart user = new ColdStart(model, FitConfig.defaults(), 20);
    BitSet asked = new BitSet();
    for (int q = 0; q < 10; q++) {
      int c = pool.mostInformative(user.posterior(), asked);
      asked.set(c);
      user.observe(pool, c, askUser.applyAsInt(pool.first(c), pool.second(c)) == 1);
    }
    UserPosterior p = user.posterior();
    assertEquals(10, p.pairs());
    assertEquals(10, asked.cardinality());
    // every pair of items: the learned user orders more of them than the prior's centre does
    int learned = 0;
    int prior = 0;
    UserPosterior p0 = new ColdStart(model, FitConfig.defaults(), 1).posterior();
    for (int c = 0; c < pool.size(); c++) {
      boolean truthFirst = reward[pool.first(c)] > reward[pool.second(c)];
      learned += (pool.preferenceProbability(p, c) > 0.5) == truthFirst ? 1 : 0;
      prior += (pool.preferenceProbability(p0, c) > 0.5) == truthFirst ? 1 : 0;
    }
    assertTrue(learned > prior, "after 10 answers " + learned + " vs prior " + prior);
    float[] e = java.util.Arrays.copyOfRange(items, 0, d);
    assertTrue(p.scoreStd(e) > 0 && p.scoreStd(e) < p0.scoreStd(e), "the error bar shrinks");
  }

  @Test
  void populationLimitIsAPointMass() {
    SplittableRandom rnd = new SplittableRandom(SEED + 6);
    float[] basis = new float[3 * 8];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = (float) rnd.nextGaussian();
    }
    RewardModel m =
        new RewardModel(
            8,
            3,
            basis,
            1.0,
            new String[0],
            new float[0],
            Map.of("priorCenter", "0.5,0.25,0.25", "priorStrength", "Infinity"));
    ColdStart user = new ColdStart(m, FitConfig.defaults(), 5);
    UserPosterior p = user.observeProjected(new float[] {3, -1, 2}, 0);
    assertEquals(0.5, p.weights().get(0), 1e-7);
    for (double c : p.covariance()) {
      assertEquals(0, c);
    }
    float[] z = {1, 2, 3};
    assertEquals(Numerics.sigmoid(0.5 + 0.5 + 0.75), p.preferenceProbabilityProjected(z, 0), 1e-6);
    assertEquals(0, p.informationGain(z, 0));
  }

  @Test
  void badInputIsRefusedWithItsName() {
    SplittableRandom rnd = new SplittableRandom(SEED + 7);
    RewardModel m = modelWithPrior(rnd, 8, 3, 1.0, uniform(3), 0.1);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ColdStart(m, FitConfig.defaults().withPrior(FitConfig.Prior.NONE), 5));
    assertTrue(e.getMessage().contains("prior MODEL"), e.getMessage());
    RewardModel bare = RewardModel.fromBasis(m.basis(), 3, 8, 1.0);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new ColdStart(bare, FitConfig.defaults(), 5));
    assertTrue(e.getMessage().contains("fromBasis"), e.getMessage());
    ColdStart user = new ColdStart(m, FitConfig.defaults(), 1);
    user.observeProjected(new float[] {1, 0, 0}, 0);
    assertThrows(IllegalStateException.class, () -> user.observeProjected(new float[3], 0));
    ColdStart user2 = new ColdStart(m, FitConfig.defaults(), 3);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> user2.observeProjected(new float[] {1, Float.NaN, 0}, 0));
    assertTrue(e.getMessage().contains("answer 0"), e.getMessage());
    float[] items = new float[4 * 8];
    RewardModel other = modelWithPrior(rnd, 8, 3, 1.0, uniform(3), 0.1);
    CandidatePool pool = CandidatePool.ofItems(other, items, 4);
    assertEquals(6, pool.size());
    assertThrows(IllegalArgumentException.class, () -> user2.observe(pool, 0, true));
    assertThrows(
        IllegalArgumentException.class, () -> pool.mostInformative(user2.posterior(), null));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CandidatePool.ofPairs(m, items, 4, new int[] {0, 1}, new int[] {1, 4}));
    assertTrue(e.getMessage().contains("candidate 1"), e.getMessage());
  }
}
