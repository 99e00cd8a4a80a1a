package lore.datasets;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import lore.PreferenceData;

/**
 * Generates a synthetic stand-in for the PersonalLLM benchmark of the paper (section 5): prompts
 * with {@code R} responses each, {@code M} hidden reward functions that play the paper's reward
 * models, Dirichlet-weighted users, and one best-vs-worst pair per (user, prompt).
 *
 * <h2>Items</h2>
 *
 * Each prompt p has a latent vector {@code pi_p} (16 factors) and each response j of it a latent
 * vector {@code rho_pj = beta_j + eps_pj} (16 factors), where {@code beta_j} is the mean of "LLM j"
 * (the paper's responses come from the same eight LLMs for every prompt). The embedding is
 *
 * <pre>
 *   e_pj = 1.5 * P pi_p + Q rho_pj + noise,    P, Q: d x 16, entries N(0, 1/d)
 * </pre>
 *
 * with noise of covariance {@code sigma^2 I}, {@code sigma = 1/sqrt(d)} (uniform per coordinate,
 * not Gaussian, because it is drawn for every one of the n x d entries). The prompt part dominates,
 * as in real reward-model embeddings. Norms are about 8 for every d. For {@code d >= 32} the
 * noise-free embedding determines the latent vectors linearly.
 *
 * <h2>Hidden rewards</h2>
 *
 * Reward function m reads {@code a = g_m . rho_pj} and {@code t = u_m . pi_p}, where each unit
 * direction {@code g_m} has 30% of its variance on one common "quality" direction, so the rewards
 * correlate partially, like real reward models (mean pairwise correlation about 0.2). Even m are
 * linear ({@code a + t}); odd m cycle through {@code tanh(a + t)}, {@code a - 0.5 (a - t)^2} (more
 * is better up to a prompt-dependent level, then worse) and {@code max(a, a' + t)} (two criteria,
 * the prompt shifts which one counts). Each function is then standardized to mean 0 and variance 1
 * over all items. The rewards are functions of the noise-free embedding, the noise is
 * reward-irrelevant, and they do not depend on d.
 *
 * <p>The shared variance and the curvature were tuned against the paper's Table 1 (BT 86-93%, LoRe
 * 93-96%): on {@link SyntheticConfig#small} with alpha 0.01 a single Bradley-Terry reward (rank 1)
 * now scores about 0.87 on unseen users and LoRe (rank 10) about 0.96. With a pure {@code -(a -
 * t)^2} reward, users devoted to it were at chance for any linear model, which no real reward model
 * is.
 *
 * <h2>Users and pairs</h2>
 *
 * A user's weights are {@code w ~ Dirichlet(alpha * 1_M)}, sampled in log space so that alpha =
 * 0.001 (almost one-hot) neither underflows nor produces NaN. The user's reward of item i is {@code
 * w . hiddenRewards[i]}. For each (user, prompt) the chosen item is the argmax of that reward over
 * the prompt's responses and the rejected item the argmin (ties: first index); a prompt whose
 * responses all score the same is skipped. Seen users get {@code trainPairsPerUser} train prompts
 * sampled without replacement, unseen users {@code fewShotPairsPerUser}; both are tested on every
 * test prompt. User ids are {@code seen-0000, seen-0001, ...} and {@code unseen-0000, ...}; every
 * user has at least one pair, so row u of the weight arrays is dense user u of each dataset.
 *
 * <h2>Determinism</h2>
 *
 * Everything comes from one {@code SplittableRandom(seed)}, split into sub-streams in a fixed order
 * (structure, latents, projections, noise, seen weights, seen prompts, unseen weights, unseen
 * prompts), and only {@link StrictMath} is used, so the output is bitwise identical on every JVM.
 * Because the streams are separate: the hidden rewards, weights and pairs do not depend on {@code
 * dim}; changing the number of unseen users or few-shot pairs leaves the seen users alone; each
 * user draws prompts from its own stream, so the few-shot pairs for a smaller k are a prefix of
 * those for a larger k.
 */
public final class SyntheticPersonalLlm {
  /** Latent factors of a prompt. */
  static final int PROMPT_FACTORS = 16;

  /** Latent factors of a response. */
  static final int RESPONSE_FACTORS = 16;

  private static final double PROMPT_SCALE = 1.5;
  private static final double MODEL_SPREAD = 0.7; // std of an LLM's mean response latent
  // variance share of the common direction: at 0.5 rank-1 BT already scored 0.93 (paper: 0.87)
  private static final double SHARED_QUALITY = 0.3;
  private static final double PROMPT_EFFECT = 0.5; // norm of u_m
  private static final double OVERSHOOT = 0.5; // curvature of the "ideal level" rewards

  private SyntheticPersonalLlm() {}

  /**
   * Generates the dataset. At {@link SyntheticConfig#paperScale} this allocates the n x d item
   * table (1.36 GB) once, shared by the four {@link PreferenceData}, plus O(n + pairs) more; it
   * takes a few seconds on one core. Single-threaded; no I/O.
   *
   * @throws IllegalStateException if a user gets no pair because all of its sampled prompts tie
   *     (impossible with continuous rewards, checked anyway)
   */
  public static SyntheticData generate(SyntheticConfig config) {
    int m = config.rewardFunctions();
    int r = config.responsesPerPrompt();
    int prompts = config.trainPrompts() + config.testPrompts();
    int n = config.itemCount();

    SplittableRandom root = new SplittableRandom(config.seed());
    Gaussian structureRnd = new Gaussian(root.split());
    Gaussian latentRnd = new Gaussian(root.split());
    Gaussian projectionRnd = new Gaussian(root.split());
    SplittableRandom noiseRnd = root.split();
    Gaussian seenWeightRnd = new Gaussian(root.split());
    SplittableRandom seenPromptRnd = root.split();
    Gaussian unseenWeightRnd = new Gaussian(root.split());
    SplittableRandom unseenPromptRnd = root.split();

    RewardFunctions rewards = new RewardFunctions(m, r, structureRnd);
    double[] promptLatent = new double[prompts * PROMPT_FACTORS];
    for (int i = 0; i < promptLatent.length; i++) {
      promptLatent[i] = latentRnd.next();
    }
    double[] responseLatent = new double[n * RESPONSE_FACTORS];
    for (int i = 0; i < n; i++) {
      int j = i % r;
      for (int f = 0; f < RESPONSE_FACTORS; f++) {
        responseLatent[i * RESPONSE_FACTORS + f] =
            rewards.modelMean[j * RESPONSE_FACTORS + f] + latentRnd.next();
      }
    }
    float[] hidden = rewards.evaluate(promptLatent, responseLatent, r);
    float[] items = embed(config, promptLatent, responseLatent, projectionRnd, noiseRnd);

    float[] seenWeights = new float[config.seenUsers() * m];
    float[] unseenWeights = new float[config.unseenUsers() * m];
    double[] scratch = new double[m];
    for (int u = 0; u < config.seenUsers(); u++) {
      dirichlet(config.alpha(), seenWeightRnd, seenWeights, u * m, m, scratch);
    }
    for (int u = 0; u < config.unseenUsers(); u++) {
      dirichlet(config.alpha(), unseenWeightRnd, unseenWeights, u * m, m, scratch);
    }

    Pairs pairs = new Pairs(config, hidden);
    PreferenceData train =
        pairs.sampled(items, "seen-", seenWeights, config.trainPairsPerUser(), seenPromptRnd);
    PreferenceData fewShot =
        pairs.sampled(
            items, "unseen-", unseenWeights, config.fewShotPairsPerUser(), unseenPromptRnd);
    PreferenceData testSeen = pairs.test(items, "seen-", seenWeights);
    PreferenceData testUnseen = pairs.test(items, "unseen-", unseenWeights);
    return new SyntheticData(
        config, train, fewShot, testSeen, testUnseen, hidden, seenWeights, unseenWeights);
  }

  /**
   * The n x d item table {@code e = 1.5 P pi + Q rho + noise}, computed row by row in float: the
   * prompt part once per prompt, then the response part as blocked axpys over the rows of Q (eight
   * at a time, which the JIT vectorizes). Each element is computed in a fixed order, so the result
   * does not depend on vectorization.
   */
  private static float[] embed(
      SyntheticConfig config,
      double[] promptLatent,
      double[] responseLatent,
      Gaussian projectionRnd,
      SplittableRandom noiseRnd) {
    int d = config.dim();
    int r = config.responsesPerPrompt();
    int prompts = config.trainPrompts() + config.testPrompts();
    double colStd = 1 / StrictMath.sqrt(d);
    float[] p = new float[PROMPT_FACTORS * d]; // factor-major: row f is column f of P
    float[] q = new float[RESPONSE_FACTORS * d];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (projectionRnd.next() * colStd);
    }
    for (int i = 0; i < q.length; i++) {
      q[i] = (float) (projectionRnd.next() * colStd);
    }
    // uniform noise: a centered 16-bit uniform has variance (2^32 - 1) / 12
    float noiseScale = (float) (colStd / StrictMath.sqrt((65536.0 * 65536.0 - 1) / 12));
    float[] items = new float[Math.multiplyExact(config.itemCount(), d)];
    float[] promptVec = new float[d];
    float[] coef = new float[Math.max(PROMPT_FACTORS, RESPONSE_FACTORS)];
    for (int pr = 0; pr < prompts; pr++) {
      Arrays.fill(promptVec, 0f);
      for (int f = 0; f < PROMPT_FACTORS; f++) {
        coef[f] = (float) (PROMPT_SCALE * promptLatent[pr * PROMPT_FACTORS + f]);
      }
      accumulate(coef, PROMPT_FACTORS, p, d, promptVec, 0);
      for (int j = 0; j < r; j++) {
        int item = pr * r + j;
        int off = item * d;
        addNoise(noiseRnd, noiseScale, promptVec, items, off, d);
        for (int f = 0; f < RESPONSE_FACTORS; f++) {
          coef[f] = (float) responseLatent[item * RESPONSE_FACTORS + f];
        }
        accumulate(coef, RESPONSE_FACTORS, q, d, items, off);
      }
    }
    return items;
  }

  /**
   * {@code out[off + k] = base[k] + noise_k} for k in [0, d): four uniform noise values from the
   * 16-bit fields of each random long, because noise is drawn for all n x d entries (341M at paper
   * scale; two values per long took 0.4 s of the 1.5 s table build).
   */
  private static void addNoise(
      SplittableRandom rnd, float scale, float[] base, float[] out, int off, int d) {
    int k = 0;
    for (; k + 3 < d; k += 4) {
      long b = rnd.nextLong();
      out[off + k] = base[k] + centered(b) * scale;
      out[off + k + 1] = base[k + 1] + centered(b >>> 16) * scale;
      out[off + k + 2] = base[k + 2] + centered(b >>> 32) * scale;
      out[off + k + 3] = base[k + 3] + centered(b >>> 48) * scale;
    }
    for (; k < d; k++) {
      out[off + k] = base[k] + centered(rnd.nextLong()) * scale;
    }
  }

  /** The low 16 bits of {@code bits} as a uniform value centered on 0: in [-32767.5, 32767.5]. */
  private static float centered(long bits) {
    return (int) (bits & 0xFFFF) - 32767.5f;
  }

  /**
   * {@code out[off + k] += sum_f coef[f] * rows[f*d + k]}, eight rows per pass (fewer passes over
   * {@code out}; 10% faster than four at d = 4096). The fixed grouping makes the float result
   * independent of vectorization.
   */
  private static void accumulate(
      float[] coef, int factors, float[] rows, int d, float[] out, int off) {
    int f = 0;
    for (; f + 7 < factors; f += 8) {
      float c0 = coef[f];
      float c1 = coef[f + 1];
      float c2 = coef[f + 2];
      float c3 = coef[f + 3];
      float c4 = coef[f + 4];
      float c5 = coef[f + 5];
      float c6 = coef[f + 6];
      float c7 = coef[f + 7];
      int o0 = f * d;
      for (int k = 0; k < d; k++) {
        int i = o0 + k;
        out[off + k] +=
            (c0 * rows[i] + c1 * rows[i + d] + c2 * rows[i + 2 * d] + c3 * rows[i + 3 * d])
                + (c4 * rows[i + 4 * d]
                    + c5 * rows[i + 5 * d]
                    + c6 * rows[i + 6 * d]
                    + c7 * rows[i + 7 * d]);
      }
    }
    for (; f < factors; f++) {
      float c = coef[f];
      int o = f * d;
      for (int k = 0; k < d; k++) {
        out[off + k] += c * rows[o + k];
      }
    }
  }

  /**
   * Samples {@code w ~ Dirichlet(alpha * 1_k)} into {@code out[off, off + k)} as normalized Gamma
   * variates kept in log space: {@code log G(a) = log G(a + 1) + log(U) / a} (Marsaglia and Tsang
   * 2000, section 6), then normalized with log-sum-exp. For alpha = 0.001, {@code log(U) / a} is
   * around -1000, where {@code exp} would underflow to 0 for every component.
   */
  static void dirichlet(double alpha, Gaussian rnd, float[] out, int off, int k, double[] scratch) {
    double max = Double.NEGATIVE_INFINITY;
    for (int b = 0; b < k; b++) {
      scratch[b] = logGamma(alpha, rnd);
      max = Math.max(max, scratch[b]);
    }
    double sum = 0;
    for (int b = 0; b < k; b++) {
      scratch[b] = StrictMath.exp(scratch[b] - max); // the largest is exactly 1: sum >= 1
      sum += scratch[b];
    }
    for (int b = 0; b < k; b++) {
      out[off + b] = (float) (scratch[b] / sum);
    }
  }

  /**
   * {@code log X} for {@code X ~ Gamma(a, 1)}: Marsaglia-Tsang for shape {@code a + 1 >= 1}, then
   * the boost {@code X = Y * U^(1/a)} in log space. U is in (0, 1], so the result is finite.
   */
  private static double logGamma(double a, Gaussian rnd) {
    double d = a + 1 - 1.0 / 3;
    double c = 1 / StrictMath.sqrt(9 * d);
    while (true) {
      double x = rnd.next();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = rnd.openUnit();
      if (StrictMath.log(u) < 0.5 * x * x + d - d * v + d * StrictMath.log(v)) {
        return StrictMath.log(d * v) + StrictMath.log(rnd.openUnit()) / a;
      }
    }
  }

  /** The M hidden reward functions: their directions, kinds and the LLMs' mean latents. */
  private static final class RewardFunctions {
    final int m;
    final double[] g; // m x RESPONSE_FACTORS, unit rows
    final double[] g2; // second criterion of MAX functions
    final double[] u; // m x PROMPT_FACTORS
    final double[] modelMean; // R x RESPONSE_FACTORS

    RewardFunctions(int m, int responses, Gaussian rnd) {
      this.m = m;
      double[] common = unit(rnd, RESPONSE_FACTORS, 1.0);
      g = new double[m * RESPONSE_FACTORS];
      g2 = new double[m * RESPONSE_FACTORS];
      u = new double[m * PROMPT_FACTORS];
      for (int k = 0; k < m; k++) {
        mixWithCommon(common, unit(rnd, RESPONSE_FACTORS, 1.0), g, k * RESPONSE_FACTORS);
        mixWithCommon(common, unit(rnd, RESPONSE_FACTORS, 1.0), g2, k * RESPONSE_FACTORS);
        System.arraycopy(
            unit(rnd, PROMPT_FACTORS, PROMPT_EFFECT), 0, u, k * PROMPT_FACTORS, PROMPT_FACTORS);
      }
      modelMean = new double[responses * RESPONSE_FACTORS];
      for (int i = 0; i < modelMean.length; i++) {
        modelMean[i] = MODEL_SPREAD * rnd.next();
      }
    }

    /** Unit vector {@code sqrt(s) common + sqrt(1 - s) own}, renormalized. */
    private static void mixWithCommon(double[] common, double[] own, double[] out, int off) {
      double a = StrictMath.sqrt(SHARED_QUALITY);
      double b = StrictMath.sqrt(1 - SHARED_QUALITY);
      double norm = 0;
      for (int f = 0; f < common.length; f++) {
        out[off + f] = a * common[f] + b * own[f];
        norm += out[off + f] * out[off + f];
      }
      norm = StrictMath.sqrt(norm);
      for (int f = 0; f < common.length; f++) {
        out[off + f] /= norm;
      }
    }

    private static double[] unit(Gaussian rnd, int len, double length) {
      double[] v = new double[len];
      double norm = 0;
      for (int f = 0; f < len; f++) {
        v[f] = rnd.next();
        norm += v[f] * v[f];
      }
      norm = StrictMath.sqrt(norm);
      for (int f = 0; f < len; f++) {
        v[f] *= length / norm;
      }
      return v;
    }

    /** Items x m rewards, each column standardized over all items (mean 0, variance 1). */
    float[] evaluate(double[] promptLatent, double[] responseLatent, int responses) {
      int n = responseLatent.length / RESPONSE_FACTORS;
      double[] raw = new double[n * m];
      for (int i = 0; i < n; i++) {
        int po = (i / responses) * PROMPT_FACTORS;
        int ro = i * RESPONSE_FACTORS;
        for (int k = 0; k < m; k++) {
          double a = dot(g, k * RESPONSE_FACTORS, responseLatent, ro, RESPONSE_FACTORS);
          double t = dot(u, k * PROMPT_FACTORS, promptLatent, po, PROMPT_FACTORS);
          double v;
          if (k % 2 == 0) {
            v = a + t;
          } else {
            v =
                switch ((k / 2) % 3) {
                  case 0 -> StrictMath.tanh(a + t);
                  case 1 -> a - OVERSHOOT * (a - t) * (a - t);
                  default ->
                      Math.max(
                          a,
                          dot(g2, k * RESPONSE_FACTORS, responseLatent, ro, RESPONSE_FACTORS) + t);
                };
          }
          raw[i * m + k] = v;
        }
      }
      float[] out = new float[n * m];
      for (int k = 0; k < m; k++) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
          mean += raw[i * m + k];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
          double c = raw[i * m + k] - mean;
          var += c * c;
        }
        double scale = var > 0 ? 1 / StrictMath.sqrt(var / n) : 1;
        for (int i = 0; i < n; i++) {
          out[i * m + k] = (float) ((raw[i * m + k] - mean) * scale);
        }
      }
      return out;
    }

    private static double dot(double[] a, int ao, double[] b, int bo, int len) {
      double s = 0;
      for (int f = 0; f < len; f++) {
        s += a[ao + f] * b[bo + f];
      }
      return s;
    }
  }

  /** Best-vs-worst pairs under the users' true rewards. */
  private static final class Pairs {
    final SyntheticConfig config;
    final float[] hidden;
    final int m;
    final int r;
    int best;
    int worst;

    Pairs(SyntheticConfig config, float[] hidden) {
      this.config = config;
      this.hidden = hidden;
      this.m = config.rewardFunctions();
      this.r = config.responsesPerPrompt();
    }

    /** Sets {@link #best} and {@link #worst} for one prompt; false if all responses tie. */
    boolean pick(int prompt, float[] weights, int wo) {
      int first = prompt * r;
      double hi = SyntheticData.userReward(hidden, m, first, weights, wo);
      double lo = hi;
      best = first;
      worst = first;
      for (int i = first + 1; i < first + r; i++) {
        double s = SyntheticData.userReward(hidden, m, i, weights, wo);
        if (s > hi) {
          hi = s;
          best = i;
        }
        if (s < lo) {
          lo = s;
          worst = i;
        }
      }
      return hi > lo;
    }

    /** Each user draws train prompts without replacement from its own sub-stream until k pairs. */
    PreferenceData sampled(
        float[] items, String prefix, float[] weights, int k, SplittableRandom promptRnd) {
      int trainPrompts = config.trainPrompts();
      int users = weights.length / m;
      int[] perm = new int[trainPrompts];
      for (int i = 0; i < trainPrompts; i++) {
        perm[i] = i;
      }
      int[] swapped = new int[trainPrompts];
      PreferenceData.Builder b = PreferenceData.builder(items, config.itemCount(), config.dim());
      for (int u = 0; u < users; u++) {
        String id = userId(prefix, u);
        SplittableRandom rnd = promptRnd.split();
        int got = 0;
        int drawn = 0;
        while (got < k && drawn < trainPrompts) { // partial Fisher-Yates
          int pick = drawn + rnd.nextInt(trainPrompts - drawn);
          swapped[drawn] = pick;
          int prompt = perm[pick];
          perm[pick] = perm[drawn];
          perm[drawn] = prompt;
          drawn++;
          if (pick(prompt, weights, u * m)) {
            b.add(id, best, worst);
            got++;
          }
        }
        requirePairs(id, got);
        for (int i = drawn - 1; i >= 0; i--) { // undo: the next user starts from the identity
          int t = perm[i];
          perm[i] = perm[swapped[i]];
          perm[swapped[i]] = t;
        }
      }
      return b.build();
    }

    /** Every user on every test prompt. */
    PreferenceData test(float[] items, String prefix, float[] weights) {
      int users = weights.length / m;
      PreferenceData.Builder b = PreferenceData.builder(items, config.itemCount(), config.dim());
      for (int u = 0; u < users; u++) {
        String id = userId(prefix, u);
        int got = 0;
        for (int t = 0; t < config.testPrompts(); t++) {
          if (pick(config.trainPrompts() + t, weights, u * m)) {
            b.add(id, best, worst);
            got++;
          }
        }
        requirePairs(id, got);
      }
      return b.build();
    }

    private static void requirePairs(String id, int got) {
      if (got == 0) {
        throw new IllegalStateException("user " + id + " has no prompt with distinct rewards");
      }
    }
  }

  static String userId(String prefix, int u) {
    return prefix + String.format(Locale.ROOT, "%04d", u);
  }

  /**
   * Standard normals by the polar method with {@link StrictMath} (the JDK's {@code nextGaussian}
   * algorithm may change between releases), and uniforms in (0, 1].
   */
  static final class Gaussian {
    private final SplittableRandom rnd;
    private double spare;
    private boolean hasSpare;

    Gaussian(SplittableRandom rnd) {
      this.rnd = rnd;
    }

    double next() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      double x;
      double y;
      double s;
      do {
        x = 2 * rnd.nextDouble() - 1;
        y = 2 * rnd.nextDouble() - 1;
        s = x * x + y * y;
      } while (s >= 1 || s == 0);
      double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
      spare = y * f;
      hasSpare = true;
      return x * f;
    }

    /** Uniform in (0, 1]: never 0, so its log is finite. */
    double openUnit() {
      return ((rnd.nextLong() >>> 11) + 1) * 0x1.0p-53;
    }
  }
}
