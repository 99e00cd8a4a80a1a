package lore.experiment.methods;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.experiment.nn.Layer;
import lore.experiment.nn.Param;
import lore.internal.kernel.Numerics;

/**
 * PAL-B, the mixture of user projectors of PAL (see {@link PalMethod} for what both models share):
 * K projectors {@code g_k} on the prompt embedding, {@code u = sum_k a_uk g_k(e(x))}; score {@code
 * s(y) = min(exp(t), 100) cos(u, f(e(y)))} with a learnable t starting at {@code log(1/0.07)},
 * trained at {@link PalMethod.Config#logitScaleLearningRate()}; 2-way cross-entropy over {@code
 * [s(c), s(r)]} with the chosen item as target. {@link PalMethod.Config#prototypeLearningRate()} is
 * unused (PAL-B has no prototypes).
 *
 * <p>Deviation: PAL-B needs a prompt-only embedding {@code e(x)}, which {@link PreferenceData} does
 * not have. Pass a table {@code promptOfItem} (one row per item: its prompt's embedding) to {@link
 * #create}; without it, <b>the item's own embedding stands in for its prompt</b>, so the user point
 * {@code u} depends on the response being scored. This keeps a per-item reward (usable for
 * reranking) but is not PAL-B's model; report it as a deviation.
 */
public final class PalBMethod extends PalMethod {
  private static final double MAX_LOGIT_SCALE = 100;

  private final float[] promptOfItem;
  private final int promptDim;

  private PalBMethod(Config config, float[] promptOfItem, int promptDim) {
    super(config);
    this.promptOfItem = promptOfItem;
    this.promptDim = promptDim;
  }

  /**
   * PAL-B with these hyperparameters (e.g. {@link Config#paperB()}).
   *
   * @param promptOfItem n x promptDim row-major, the prompt embedding of every item (not copied),
   *     or null to use each item's own embedding (a deviation: see the class Javadoc)
   * @param promptDim width of {@code promptOfItem}'s rows (ignored when it is null)
   */
  public static PalBMethod create(Config config, float[] promptOfItem, int promptDim) {
    if (promptOfItem != null && (promptDim < 1 || promptOfItem.length % promptDim != 0)) {
      throw new IllegalArgumentException(
          "prompt table of "
              + promptOfItem.length
              + " floats is not a multiple of dim "
              + promptDim);
    }
    return new PalBMethod(config, promptOfItem, promptDim);
  }

  @Override
  public String name() {
    return "PAL-B";
  }

  @Override
  MixtureModel model(PreferenceData train, SplittableRandom rnd) {
    if (promptOfItem != null && promptOfItem.length / promptDim != train.itemCount()) {
      throw new IllegalArgumentException(
          "prompt table has "
              + promptOfItem.length / promptDim
              + " rows, the data "
              + train.itemCount()
              + " items");
    }
    return new MixtureModel(train.dim(), train.userCount(), rnd);
  }

  /** PAL-B's model: the projectors f and g_k, the logit scale and the user logits. */
  final class MixtureModel extends Model {
    final List<Layer> g = new ArrayList<>();
    final Param logitScale;

    MixtureModel(int d, int users, SplittableRandom rnd) {
      super(d, rnd);
      int dp = promptOfItem == null ? d : promptDim;
      for (int j = 0; j < k; j++) {
        g.add(projector(mlp("g" + j, dp, rnd.split())));
      }
      logitScale = new Param("logit_scale", 1);
      logitScale.value()[0] = (float) Math.log(1 / 0.07);
      logits = userLogits("W", users, rnd.split());
    }

    @Override
    List<Layer> projectors() {
      List<Layer> all = new ArrayList<>(super.projectors());
      all.addAll(g);
      return all;
    }

    @Override
    Param own() {
      return logitScale;
    }

    @Override
    double ownLearningRate() {
      return config.logitScaleLearningRate();
    }

    @Override
    double batchLoss(
        PreferenceData data,
        int[] order,
        int from,
        int n,
        int[] pairUser,
        Param w,
        boolean backward) {
      int[] items = new int[2 * n];
      float[][] a = new float[2 * n][];
      for (int b = 0; b < n; b++) {
        int pair = order[from + b];
        items[b] = data.chosen(pair);
        items[n + b] = data.rejected(pair);
        a[b] = Support.softmax(w.value(), pairUser[pair] * k, k);
        a[n + b] = a[b];
      }
      float[] y = f.forward(Support.gather(data.items(), d, items, 0, 2 * n), 2 * n);
      float[][] gk = new float[k][];
      for (int j = 0; j < k; j++) {
        gk[j] = g.get(j).forward(prompts(data, items), 2 * n);
      }
      int h = f.outDim();
      Scores s = scores(y, gk, a, 2 * n, h);
      double[] ds = new double[2 * n];
      double loss = s.pairLoss(n, ds);
      if (backward) {
        s.backward(ds, y, gk, a, h, logitScale);
        f.backward(s.dy, 2 * n);
        for (int j = 0; j < k; j++) {
          g.get(j).backward(s.dg[j], 2 * n);
        }
        s.logitGradient(a, n, order, from, pairUser, w.grad());
      }
      return loss;
    }

    float[] prompts(PreferenceData data, int[] items) {
      return promptOfItem == null
          ? Support.gather(data.items(), d, items, 0, items.length)
          : Support.gather(promptOfItem, promptDim, items, 0, items.length);
    }

    /** Each user projector's outputs on the prompts of {@code items}, one array per projector. */
    float[][] userProjections(PreferenceData data, int[] items) {
      float[][] gk = new float[k][];
      for (int j = 0; j < k; j++) {
        gk[j] =
            promptOfItem == null
                ? Support.forwardItems(g.get(j), data.items(), d, items)
                : Support.forwardItems(g.get(j), promptOfItem, promptDim, items);
      }
      return gk;
    }

    /**
     * PAL-B's scores {@code min(exp(t), 100) cos(sum_k a_k g_k, f)} of rows, and their backward.
     */
    Scores scores(float[] y, float[][] gk, float[][] a, int rows, int h) {
      return new Scores(y, gk, a, rows, h, logitScale.value()[0]);
    }

    @Override
    Frozen frozen(PreferenceData fewShot) {
      return new CachedProjections(fewShot);
    }

    /** The user projectors' outputs on the prompts of the few-shot items, besides f's. */
    final class CachedProjections extends Frozen {
      final float[][] gk;

      CachedProjections(PreferenceData data) {
        super(data);
        gk = userProjections(data, items.items);
      }

      @Override
      double loss(PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w) {
        int h = items.h;
        float[][] a = new float[2 * n][];
        float[] yb = new float[2 * n * h];
        float[][] gb = new float[k][2 * n * h];
        for (int b = 0; b < n; b++) {
          int pair = order[from + b];
          a[b] = Support.softmax(w.value(), pairUser[pair] * k, k);
          a[n + b] = a[b];
          int c = items.pos[data.chosen(pair)] * h;
          int r = items.pos[data.rejected(pair)] * h;
          System.arraycopy(items.y, c, yb, b * h, h);
          System.arraycopy(items.y, r, yb, (n + b) * h, h);
          for (int j = 0; j < k; j++) {
            System.arraycopy(gk[j], c, gb[j], b * h, h);
            System.arraycopy(gk[j], r, gb[j], (n + b) * h, h);
          }
        }
        Scores s = scores(yb, gb, a, 2 * n, h);
        double[] ds = new double[2 * n];
        double loss = s.pairLoss(n, ds);
        s.backward(ds, yb, gb, a, h, logitScale); // the logit scale's gradient is dropped
        s.logitGradient(a, n, order, from, pairUser, w.grad());
        return loss;
      }
    }

    @Override
    UserMargins scorer(PreferenceData test, Projected items) {
      float[][] gk = userProjections(test, items.items);
      double scale = Math.min(Math.exp(logitScale.value()[0]), MAX_LOGIT_SCALE);
      int h = items.h;
      return (u, a, out) -> {
        for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
          out[p] =
              (float)
                  (scale
                      * (cosine(items.y, gk, a, items.pos[test.chosen(p)], h)
                          - cosine(items.y, gk, a, items.pos[test.rejected(p)], h)));
        }
      };
    }

    private double cosine(float[] y, float[][] gk, float[] a, int row, int h) {
      double dot = 0;
      double nu = 0;
      double ny = 0;
      for (int t = 0; t < h; t++) {
        double ut = 0;
        for (int j = 0; j < k; j++) {
          ut += a[j] * gk[j][row * h + t];
        }
        double yt = y[row * h + t];
        dot += ut * yt;
        nu += ut * ut;
        ny += yt * yt;
      }
      return dot / Math.sqrt(nu * ny);
    }
  }

  /** PAL-B scores of a batch of rows and their gradients. */
  static final class Scores {
    final double[] score;
    final double[] cos;
    final double[][] u;
    final double[] normU;
    final double[] normY;
    final double scale;
    final double dScaleDt;
    float[] dy;
    float[][] dg;
    double[][] da;

    Scores(float[] y, float[][] gk, float[][] a, int rows, int h, float t) {
      int k = gk.length;
      double e = Math.exp(t);
      scale = Math.min(e, MAX_LOGIT_SCALE);
      dScaleDt = e < MAX_LOGIT_SCALE ? e : 0; // clamp passes no gradient above the cap
      score = new double[rows];
      cos = new double[rows];
      u = new double[rows][h];
      normU = new double[rows];
      normY = new double[rows];
      for (int r = 0; r < rows; r++) {
        double dot = 0;
        double nu = 0;
        double ny = 0;
        for (int i = 0; i < h; i++) {
          double ui = 0;
          for (int j = 0; j < k; j++) {
            ui += a[r][j] * gk[j][r * h + i];
          }
          u[r][i] = ui;
          double yi = y[r * h + i];
          dot += ui * yi;
          nu += ui * ui;
          ny += yi * yi;
        }
        normU[r] = Math.sqrt(nu);
        normY[r] = Math.sqrt(ny);
        cos[r] = dot / (normU[r] * normY[r]);
        score[r] = scale * cos[r];
      }
    }

    /**
     * Mean 2-way cross-entropy of n pairs whose chosen rows are {@code [0, n)} and rejected rows
     * {@code [n, 2n)}; writes dL/dscore of every row to {@code ds}.
     */
    double pairLoss(int n, double[] ds) {
      double loss = 0;
      for (int b = 0; b < n; b++) {
        double m = score[b] - score[n + b];
        loss += Numerics.softplusNeg(m) / n;
        double c = Numerics.softplusNegGrad(m) / n;
        ds[b] = c;
        ds[n + b] = -c;
      }
      return loss;
    }

    /**
     * After {@link #backward}: adds to {@code grad} the gradient of the user logits of the n pairs
     * {@code order[from..from+n)} (both rows of a pair share its user's mixture {@code a[b]}).
     */
    void logitGradient(float[][] a, int n, int[] order, int from, int[] pairUser, float[] grad) {
      int k = a[0].length;
      for (int b = 0; b < n; b++) {
        double[] d = new double[k];
        for (int j = 0; j < k; j++) {
          d[j] = da[b][j] + da[n + b][j];
        }
        Support.softmaxBackward(a[b], d, grad, pairUser[order[from + b]] * k);
      }
    }

    /** Given dL/dscore, fills dy, dg (per projector), da (per row) and adds dL/dt. */
    void backward(double[] ds, float[] y, float[][] gk, float[][] a, int h, Param t) {
      int rows = score.length;
      int k = gk.length;
      dy = new float[rows * h];
      dg = new float[k][rows * h];
      da = new double[rows][k];
      double dt = 0;
      for (int r = 0; r < rows; r++) {
        dt += ds[r] * cos[r] * dScaleDt;
        double dcos = ds[r] * scale;
        double inv = 1 / (normU[r] * normY[r]);
        for (int i = 0; i < h; i++) {
          double yi = y[r * h + i];
          double ui = u[r][i];
          double gy = dcos * (ui * inv - cos[r] * yi / (normY[r] * normY[r]));
          double gu = dcos * (yi * inv - cos[r] * ui / (normU[r] * normU[r]));
          dy[r * h + i] = (float) gy;
          for (int j = 0; j < k; j++) {
            dg[j][r * h + i] = (float) (a[r][j] * gu);
            da[r][j] += gu * gk[j][r * h + i];
          }
        }
      }
      t.grad()[0] += (float) dt;
    }
  }
}
