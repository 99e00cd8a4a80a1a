package lore.experiment.methods;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.experiment.PreferenceMethod;
import lore.experiment.nn.Activation;
import lore.experiment.nn.Dense;
import lore.experiment.nn.GroupAdam;
import lore.experiment.nn.Layer;
import lore.experiment.nn.MeanPoolSelfAttention;
import lore.experiment.nn.Param;
import lore.experiment.nn.Sequential;
import lore.internal.kernel.Numerics;

/**
 * VPL (Poddar et al. 2024), reimplemented from its public code (WEIRDLabUW/vpl_llm,
 * hidden_context/vae_utils.py) over frozen item embeddings: a variational encoder maps a user's
 * context (a set of their labelled pairs) to a latent z, and a decoder scores items conditioned on
 * z.
 *
 * <pre>
 *   pair encoder  h_i = MLP(e_c; e_r): Linear(2d,H)-LeakyReLU(0.2)-Linear(H,H)-LeakyReLU-Linear(H,L)
 *   pooled        = mean_i SelfAttention(h)_i        (single head, q/k/v Linear(L,L), no LayerNorm)
 *   mu, logvar    = Linear(L,L)(pooled), Linear(L,L)(pooled), each clamped to [-1, 1]
 *   z (train)     = (mu + exp(logvar/2) eps) rescaled to L2 norm sqrt(L);  z (eval) = mu
 *   r(e)          = MLP([e; z]): Linear(d+L,H)-LeakyReLU-Linear(H,H)-LeakyReLU-Linear(H,1)
 *   loss          = mean log(1 + exp(-(r_c - r_r))) + beta * anneal(t) * mean KL(q || N(0, I))
 * </pre>
 *
 * The KL weight is annealed by a cyclical cosine schedule (period 1e4 steps, rising from the
 * baseline 0.1 to 1). Every training pair is a sample, duplicated 4 times, each duplicate with a
 * context of 1 to 8 of the same user's pairs drawn at random (without the sample's own pair when
 * the user has others). AdamW (lr 1e-4, weight decay 1e-3, decoupled), batch 32, 2 epochs, cosine
 * learning-rate schedule with 3% linear warmup. New users are encoded from (up to 8 of) their
 * few-shot pairs with no gradient step (amortized inference); seen users from up to 8 of their
 * training pairs.
 *
 * <p>Deviations from the released code, and why:
 *
 * <ul>
 *   <li>Frozen embeddings on both sides: VPL trains the decoder's LLM with LoRA (r=128); on LoRe's
 *       frozen embeddings only the encoder and decoder MLPs train, as in the paper's comparison.
 *   <li>float32 instead of bf16.
 *   <li>The train/eval mismatch of z (rescaled sample in training, unrescaled mean in evaluation)
 *       is kept as released.
 *   <li>VPL draws contexts from a separate "survey" pool; the data here has none, so contexts come
 *       from the user's own training pairs (excluding the sample's pair when possible).
 *   <li>The released trainer passes keyword arguments {@code VAEModel.forward} does not accept (it
 *       cannot have run as released); this is the evident intent.
 *   <li>The first decoder layer on {@code [e; z]} is stored as two blocks (e without, z with an
 *       input gradient), initialized as one {@code Linear(d+L, H)}; same function, same count.
 * </ul>
 *
 * <p>Parameter count (d = 4096, H = L = 512): 8,656,385, independent of the number of users.
 */
public final class VplMethod implements PreferenceMethod {

  /**
   * Hyperparameters. Start from {@link #paper()} and change fields with the {@code with...}
   * methods, e.g. {@code Config.paper().withLatent(16).withHidden(32)} for small data.
   *
   * @param latent L
   * @param hidden H
   * @param learningRate AdamW peak learning rate
   * @param weightDecay AdamW decoupled weight decay
   * @param klWeight beta
   * @param batchSize samples per step
   * @param epochs passes over the samples
   * @param duplicates copies of every pair, each with its own context
   * @param maxContext largest context (smallest is 1)
   * @param warmupRatio fraction of steps of linear warmup before the cosine decay
   * @param annealPeriod steps of one KL annealing cycle
   */
  public record Config(
      int latent,
      int hidden,
      double learningRate,
      double weightDecay,
      double klWeight,
      int batchSize,
      int epochs,
      int duplicates,
      int maxContext,
      double warmupRatio,
      int annealPeriod) {

    /** Validates. */
    public Config {
      if (latent < 1
          || hidden < 1
          || batchSize < 1
          || epochs < 0
          || duplicates < 1
          || maxContext < 1
          || annealPeriod < 1) {
        throw new IllegalArgumentException("bad VPL configuration " + this);
      }
    }

    /**
     * The published UF-P-4 setting: L = H = 512, lr 1e-4, wd 1e-3, beta 3e-6, batch 32, 2 epochs.
     */
    public static Config paper() {
      return new Config(512, 512, 1e-4, 1e-3, 3e-6, 32, 2, 4, 8, 0.03, 10_000);
    }

    /** This configuration with {@link #latent()} = {@code v}. */
    public Config withLatent(int v) {
      return new Config(
          v,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #hidden()} = {@code v}. */
    public Config withHidden(int v) {
      return new Config(
          latent,
          v,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #learningRate()} = {@code v}. */
    public Config withLearningRate(double v) {
      return new Config(
          latent,
          hidden,
          v,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #weightDecay()} = {@code v}. */
    public Config withWeightDecay(double v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          v,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #klWeight()} = {@code v}. */
    public Config withKlWeight(double v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          v,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #batchSize()} = {@code v}. */
    public Config withBatchSize(int v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          v,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #epochs()} = {@code v}. */
    public Config withEpochs(int v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          v,
          duplicates,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #duplicates()} = {@code v}. */
    public Config withDuplicates(int v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          v,
          maxContext,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #maxContext()} = {@code v}. */
    public Config withMaxContext(int v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          v,
          warmupRatio,
          annealPeriod);
    }

    /** This configuration with {@link #warmupRatio()} = {@code v}. */
    public Config withWarmupRatio(double v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          v,
          annealPeriod);
    }

    /** This configuration with {@link #annealPeriod()} = {@code v}. */
    public Config withAnnealPeriod(int v) {
      return new Config(
          latent,
          hidden,
          learningRate,
          weightDecay,
          klWeight,
          batchSize,
          epochs,
          duplicates,
          maxContext,
          warmupRatio,
          v);
    }
  }

  private static final double ANNEAL_BASELINE = 0.1;

  private final Config config;

  private VplMethod(Config config) {
    this.config = config;
  }

  /** VPL with these hyperparameters (e.g. {@link Config#paper()}). */
  public static VplMethod create(Config config) {
    return new VplMethod(config);
  }

  @Override
  public String name() {
    return "VPL";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    var rnd = new SplittableRandom(seed);
    Model m = new Model(train.dim(), rnd.split());
    m.fit(train, rnd.split());
    m.encodeUsers(train, rnd.split());
    return m;
  }

  /** Cyclical cosine KL annealing: from the baseline at the start of a cycle to 1 at its end. */
  static double anneal(long step, int period) {
    double tau = (double) (step % period) / period;
    return ANNEAL_BASELINE + (1 - ANNEAL_BASELINE) * (1 + Math.cos(Math.PI * (tau - 1))) / 2;
  }

  /** Linear warmup then cosine decay to 0 (Hugging Face's schedule), as a factor on the lr. */
  static double lrFactor(long step, long total, long warmup) {
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  /** Encoder and decoder, trained or not. */
  final class Model implements Trained {
    final int d;
    final int latent;
    final Sequential pairEncoder;
    final MeanPoolSelfAttention attention;
    final Dense meanLayer;
    final Dense logVarLayer;
    final Dense decoderE;
    final Dense decoderZ;
    final Sequential decoderRest;
    final Map<String, float[]> z = new HashMap<>();
    final SplittableRandom noise;

    Model(int d, SplittableRandom rnd) {
      this.d = d;
      this.latent = config.latent();
      int h = config.hidden();
      var act = Activation.Kind.LEAKY_RELU;
      pairEncoder = Sequential.mlp("enc", new int[] {2 * d, h, h, latent}, act, 0, rnd.split());
      attention = new MeanPoolSelfAttention("att", latent, rnd.split());
      meanLayer = new Dense("mean", latent, latent, rnd.split());
      logVarLayer = new Dense("logvar", latent, latent, rnd.split());
      decoderE = new Dense("dec.0.e", d, h, true, d + latent, rnd.split());
      decoderZ = new Dense("dec.0.z", latent, h, false, d + latent, rnd.split());
      List<Layer> rest = new ArrayList<>();
      rest.add(new Activation(act, h));
      rest.add(new Dense("dec.1", h, h, rnd.split()));
      rest.add(new Activation(act, h));
      rest.add(new Dense("dec.2", h, 1, rnd.split()));
      decoderRest = new Sequential(rest);
      noise = rnd.split();
    }

    List<Param> params() {
      List<Param> ps = new ArrayList<>(pairEncoder.params());
      ps.addAll(attention.params());
      ps.addAll(meanLayer.params());
      ps.addAll(logVarLayer.params());
      ps.addAll(decoderE.params());
      ps.addAll(decoderZ.params());
      ps.addAll(decoderRest.params());
      return ps;
    }

    /** Samples: (pair, context offsets into a flat pair list). */
    void fit(PreferenceData train, SplittableRandom rnd) {
      int pairs = train.pairCount();
      int samples = pairs * config.duplicates();
      int[] target = new int[samples];
      int[] ctxStart = new int[samples + 1];
      List<int[]> contexts = new ArrayList<>(samples);
      int[] pairUser = Support.pairUsers(train);
      for (int s = 0; s < samples; s++) {
        int p = s / config.duplicates();
        target[s] = p;
        int[] ctx = context(train, pairUser[p], p, rnd);
        contexts.add(ctx);
        ctxStart[s + 1] = ctxStart[s] + ctx.length;
      }
      int[] flat = new int[ctxStart[samples]];
      for (int s = 0; s < samples; s++) {
        System.arraycopy(contexts.get(s), 0, flat, ctxStart[s], contexts.get(s).length);
      }
      GroupAdam opt =
          GroupAdam.adamW(
              List.of(new GroupAdam.Group(params(), config.learningRate(), config.weightDecay())));
      long stepsPerEpoch = (samples + config.batchSize() - 1) / config.batchSize();
      long total = stepsPerEpoch * config.epochs();
      long warmup = (long) Math.ceil(config.warmupRatio() * total);
      int[] order = Support.range(samples);
      long step = 0;
      for (int epoch = 0; epoch < config.epochs(); epoch++) {
        Support.shuffle(order, rnd);
        for (int from = 0; from < samples; from += config.batchSize()) {
          int n = Math.min(config.batchSize(), samples - from);
          opt.zeroGrad();
          double klw = config.klWeight() * anneal(step, config.annealPeriod());
          batchLoss(train, order, from, n, target, ctxStart, flat, klw, noise, true);
          opt.step(lrFactor(step, total, warmup));
          step++;
        }
      }
    }

    /** 1 to maxContext distinct pairs of user u other than {@code exclude} (if u has others). */
    int[] context(PreferenceData data, int u, int exclude, SplittableRandom rnd) {
      int start = data.pairStart(u);
      int count = data.pairEnd(u) - start;
      int[] pool;
      if (count > 1 && exclude >= 0) {
        pool = new int[count - 1];
        for (int p = start, at = 0; p < start + count; p++) {
          if (p != exclude) {
            pool[at++] = p;
          }
        }
      } else {
        pool = new int[count];
        for (int i = 0; i < count; i++) {
          pool[i] = start + i;
        }
      }
      int size = 1 + rnd.nextInt(Math.min(config.maxContext(), pool.length));
      for (int i = 0; i < size; i++) { // partial Fisher-Yates
        int j = i + rnd.nextInt(pool.length - i);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      return java.util.Arrays.copyOf(pool, size);
    }

    /** Context rows {@code [e_c; e_r]} of pairs, as a new rows x 2d array. */
    float[] contextRows(PreferenceData data, int[] pairs, int from, int n) {
      float[] x = new float[n * 2 * d];
      float[] e = data.items();
      for (int i = 0; i < n; i++) {
        int p = pairs[from + i];
        System.arraycopy(e, data.itemOffset(data.chosen(p)), x, i * 2 * d, d);
        System.arraycopy(e, data.itemOffset(data.rejected(p)), x, i * 2 * d + d, d);
      }
      return x;
    }

    /**
     * Mean loss of samples {@code order[from..from+n)}; with {@code backward}, accumulates every
     * gradient. {@code noise} null means evaluation mode (z = mean, no KL term).
     */
    double batchLoss(
        PreferenceData data,
        int[] order,
        int from,
        int n,
        int[] target,
        int[] ctxStart,
        int[] flat,
        double klWeight,
        SplittableRandom noise,
        boolean backward) {
      int[] offsets = new int[n + 1];
      for (int b = 0; b < n; b++) {
        int s = order[from + b];
        offsets[b + 1] = offsets[b] + ctxStart[s + 1] - ctxStart[s];
      }
      int[] ctxPairs = new int[offsets[n]];
      for (int b = 0; b < n; b++) {
        int s = order[from + b];
        System.arraycopy(flat, ctxStart[s], ctxPairs, offsets[b], ctxStart[s + 1] - ctxStart[s]);
      }
      Latent lat = encode(data, ctxPairs, offsets, noise);
      int[] items = new int[2 * n];
      for (int b = 0; b < n; b++) {
        int p = target[order[from + b]];
        items[b] = data.chosen(p);
        items[n + b] = data.rejected(p);
      }
      float[] zz = new float[2 * n * latent];
      for (int b = 0; b < n; b++) {
        System.arraycopy(lat.z, b * latent, zz, b * latent, latent);
        System.arraycopy(lat.z, b * latent, zz, (n + b) * latent, latent);
      }
      float[] r = decode(Support.gather(data.items(), d, items, 0, 2 * n), zz, 2 * n);
      double loss = 0;
      float[] dr = new float[2 * n];
      for (int b = 0; b < n; b++) {
        double m = (double) r[b] - r[n + b];
        loss += Numerics.softplusNeg(m) / n;
        float c = (float) (Numerics.softplusNegGrad(m) / n);
        dr[b] = c;
        dr[n + b] = -c;
      }
      double kl = 0;
      if (noise != null) {
        for (int b = 0; b < n; b++) {
          for (int i = 0; i < latent; i++) {
            double mu = lat.mu[b * latent + i];
            double lv = lat.logVar[b * latent + i];
            kl += -0.5 * (1 + lv - mu * mu - Math.exp(lv)) / n;
          }
        }
        loss += klWeight * kl;
      }
      if (!backward) {
        return loss;
      }
      float[] dh = decoderRest.backward(dr, 0);
      decoderE.backward(dh, 2 * n); // embeddings are constants
      float[] dzz = decoderZ.backward(dh, 0);
      float[] dz = new float[n * latent];
      for (int b = 0; b < n; b++) {
        for (int i = 0; i < latent; i++) {
          dz[b * latent + i] = dzz[b * latent + i] + dzz[(n + b) * latent + i];
        }
      }
      lat.backward(dz, klWeight, n);
      return loss;
    }

    /** The latent of each context segment. */
    Latent encode(PreferenceData data, int[] ctxPairs, int[] offsets, SplittableRandom noise) {
      int rows = ctxPairs.length;
      int n = offsets.length - 1;
      float[] hEnc = pairEncoder.forward(contextRows(data, ctxPairs, 0, rows), rows);
      float[] pooled = attention.forward(hEnc, offsets);
      float[] muRaw = meanLayer.forward(pooled, n);
      float[] lvRaw = logVarLayer.forward(pooled, n);
      return new Latent(muRaw, lvRaw, n, rows, noise);
    }

    /** Rewards of rows {@code [e; z]}. */
    float[] decode(float[] e, float[] zz, int rows) {
      float[] a = decoderE.forward(e, rows);
      float[] b = decoderZ.forward(zz, rows);
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return decoderRest.forward(a, rows);
    }

    /** The encoder's output for a batch: clamped mean and log-variance, and z. */
    final class Latent {
      final float[] muRaw;
      final float[] lvRaw;
      final float[] mu;
      final float[] logVar;
      final float[] z;
      final float[] eps;
      final double[] norm;
      final int ctxRows;

      Latent(float[] muRaw, float[] lvRaw, int n, int ctxRows, SplittableRandom noise) {
        this.muRaw = muRaw;
        this.lvRaw = lvRaw;
        this.ctxRows = ctxRows;
        mu = new float[n * latent];
        logVar = new float[n * latent];
        for (int i = 0; i < mu.length; i++) {
          mu[i] = Math.max(-1f, Math.min(1f, muRaw[i]));
          logVar[i] = Math.max(-1f, Math.min(1f, lvRaw[i]));
        }
        norm = new double[n];
        if (noise == null) {
          z = mu;
          eps = null;
          return;
        }
        eps = Support.gaussian(n * latent, noise);
        z = new float[n * latent];
        double target = Math.sqrt(latent);
        for (int b = 0; b < n; b++) {
          double s = 0;
          for (int i = b * latent; i < (b + 1) * latent; i++) {
            double z0 = mu[i] + Math.exp(0.5 * logVar[i]) * eps[i];
            z[i] = (float) z0;
            s += z0 * z0;
          }
          norm[b] = Math.sqrt(s);
          for (int i = b * latent; i < (b + 1) * latent; i++) {
            z[i] = (float) (z[i] * target / norm[b]);
          }
        }
      }

      /** Backward from dL/dz (training mode) plus the KL term, down to the pair encoder. */
      void backward(float[] dz, double klWeight, int n) {
        float[] dMu = new float[n * latent];
        float[] dLv = new float[n * latent];
        double target = Math.sqrt(latent);
        for (int b = 0; b < n; b++) {
          // z = target * z0 / |z0|: dz0 = (target/|z0|) (dz - zhat (zhat . dz))
          double proj = 0;
          for (int i = b * latent; i < (b + 1) * latent; i++) {
            proj += (z[i] / target) * dz[i];
          }
          for (int i = b * latent; i < (b + 1) * latent; i++) {
            double dz0 = target / norm[b] * (dz[i] - (z[i] / target) * proj);
            double sigma = Math.exp(0.5 * logVar[i]);
            double gMu = dz0 + klWeight * mu[i] / n;
            double gLv =
                dz0 * eps[i] * 0.5 * sigma - klWeight * 0.5 * (1 - Math.exp(logVar[i])) / n;
            // clamp passes the gradient only inside [-1, 1]
            dMu[i] = muRaw[i] >= -1 && muRaw[i] <= 1 ? (float) gMu : 0f;
            dLv[i] = lvRaw[i] >= -1 && lvRaw[i] <= 1 ? (float) gLv : 0f;
          }
        }
        float[] dPooled = meanLayer.backward(dMu, 0);
        float[] dPooled2 = logVarLayer.backward(dLv, 0);
        for (int i = 0; i < dPooled.length; i++) {
          dPooled[i] += dPooled2[i];
        }
        float[] dh = attention.backward(dPooled, 0);
        pairEncoder.backward(dh, ctxRows);
      }
    }

    /** Sets every user's z = mean from a context of up to maxContext of their pairs. */
    void encodeUsers(PreferenceData data, SplittableRandom rnd) {
      int users = data.userCount();
      int[] offsets = new int[users + 1];
      List<int[]> ctx = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        int count = data.pairEnd(u) - data.pairStart(u);
        int[] pool = new int[count];
        for (int i = 0; i < count; i++) {
          pool[i] = data.pairStart(u) + i;
        }
        Support.shuffle(pool, rnd);
        int[] c = java.util.Arrays.copyOf(pool, Math.min(config.maxContext(), count));
        ctx.add(c);
        offsets[u + 1] = offsets[u] + c.length;
      }
      int chunk = 64;
      for (int from = 0; from < users; from += chunk) {
        int n = Math.min(chunk, users - from);
        int[] off = new int[n + 1];
        for (int i = 0; i < n; i++) {
          off[i + 1] = off[i] + ctx.get(from + i).length;
        }
        int[] pairs = new int[off[n]];
        for (int i = 0; i < n; i++) {
          System.arraycopy(ctx.get(from + i), 0, pairs, off[i], ctx.get(from + i).length);
        }
        Latent lat = encode(data, pairs, off, null);
        for (int i = 0; i < n; i++) {
          z.put(
              data.userId(from + i),
              java.util.Arrays.copyOfRange(lat.z, i * latent, (i + 1) * latent));
        }
      }
    }

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      encodeUsers(fewShot, new SplittableRandom(seed));
    }

    @Override
    public float[] margins(PreferenceData test) {
      float[] out = new float[test.pairCount()];
      for (int u = 0; u < test.userCount(); u++) {
        float[] zu = z.get(test.userId(u));
        if (zu == null) {
          throw new IllegalArgumentException("unknown user " + test.userId(u));
        }
        int start = test.pairStart(u);
        int n = test.pairEnd(u) - start;
        int chunk = 128;
        for (int from = 0; from < n; from += chunk) {
          int m = Math.min(chunk, n - from);
          int[] items = new int[2 * m];
          for (int i = 0; i < m; i++) {
            items[i] = test.chosen(start + from + i);
            items[m + i] = test.rejected(start + from + i);
          }
          float[] zz = new float[2 * m * latent];
          for (int i = 0; i < 2 * m; i++) {
            System.arraycopy(zu, 0, zz, i * latent, latent);
          }
          float[] r = decode(Support.gather(test.items(), d, items, 0, 2 * m), zz, 2 * m);
          for (int i = 0; i < m; i++) {
            out[start + from + i] = r[i] - r[m + i];
          }
        }
      }
      return out;
    }

    @Override
    public long parameterCount() {
      return Param.count(params());
    }
  }
}
