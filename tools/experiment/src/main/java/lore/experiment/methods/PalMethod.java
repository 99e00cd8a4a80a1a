package lore.experiment.methods;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.internal.kernel.Numerics;
import lore.experiment.nn.Activation;
import lore.experiment.nn.GroupAdam;
import lore.experiment.nn.Layer;
import lore.experiment.nn.Param;
import lore.experiment.nn.Residual;
import lore.experiment.nn.Sequential;
import lore.experiment.PreferenceMethod;

/**
 * PAL (Chen et al. 2024), reimplemented from its public code (RamyaLab/pluralistic-alignment,
 * configurations a-dim512-k2-opt350m-mlp2 and b-dim512-k2-opt350m-mlp2) over frozen item
 * embeddings. Users hold K logits {@code w_u ~ N(0, 1)}, mixed by {@code a_u =
 * softmax(w_u)}.
 *
 * <ul>
 *   <li><b>PAL-A</b> (ideal point): prototypes {@code P} (K x d, Gaussian rows scaled to unit
 *       norm); one projector f ("mlp2-relu-dropout0-residual") for items and the user's ideal point
 *       {@code f(a_u^T P)}; the item closer to the ideal point is preferred: {@code y_hat =
 *       ||f(e_c) - f(a_u^T P)|| - ||f(e_r) - f(a_u^T P)||}, hinge loss {@code max(0, 1 + y_hat)}
 *       (the chosen item is presented on the left, label -1).
 *   <li><b>PAL-B</b> (mixture of user projectors): K projectors {@code g_k} on the prompt
 *       embedding, {@code u = sum_k a_uk g_k(e(x))}; score {@code s(y) = min(exp(t), 100)
 *       cos(u, f(e(y)))} with a learnable t starting at {@code log(1/0.07)}; 2-way cross-entropy
 *       over {@code [s(c), s(r)]} with the chosen item as target.
 * </ul>
 *
 * Training: Adam with parameter groups (projectors lr 1e-4 with weight decay 0.01 coupled as in
 * {@code torch.optim.Adam}; P and the user logits 5e-3; t 0.1), batch size 4, shuffled, 1 epoch,
 * no schedule. New users: projectors (and P, t) frozen, fresh logits {@code ~ N(0, 1)}, AdamW on
 * the logits only, lr 5e-3, 20 epochs, batch size 4 over the few-shot pairs. Adaptation runs on
 * cached outputs of the frozen parts (the same loss and gradient, about d / 512 times cheaper per
 * step at d = 4096; see {@code Model.Frozen}), which is what makes the paper-scale runs feasible.
 *
 * <p>Deviations from the released code, and why:
 *
 * <ul>
 *   <li>Frozen single-vector embeddings: PAL's token-wise losses (score at every token after the
 *       responses diverge) reduce to the last token, which is what LoRe's embedding stores ("PAL-B
 *       Tiny", frozen LLM).
 *   <li>float32 instead of bf16/fp32 mixed precision.
 *   <li>The projector's residual connection needs input width = output width; PAL's configs have
 *       d = 512 = output. With LoRe's d = 4096 and the published preference dimension 512 it
 *       cannot apply (the released Projector would fail), so it is used only when d equals the
 *       preference dimension.
 *   <li>GELU is the tanh approximation (PyTorch's default is the exact erf form; difference below
 *       1e-3).
 *   <li>PAL-B needs a prompt-only embedding {@code e(x)}, which {@link PreferenceData} does not
 *       have. Pass a table {@code promptOfItem} (one row per item: its prompt's embedding) to
 *       {@link #palB}; without it, <b>the item's own embedding stands in for its prompt</b>, so the
 *       user point {@code u} depends on the response being scored. This keeps a per-item reward
 *       (usable for reranking) but is not PAL-B's model; report it as a deviation.
 *   <li>The weight decay of the new-user AdamW is 0, per the paper's Table 4 (user weights: weight
 *       decay 0); PyTorch's AdamW default would be 0.01.
 *   <li>Parameter count includes the K logits of every seen user and the logit scale.
 * </ul>
 */
public final class PalMethod implements PreferenceMethod {

  /** The two PAL models. */
  public enum Variant {
    A,
    B
  }

  /**
   * Hyperparameters.
   *
   * @param prototypes K, prototypes (PAL-A) or user projectors (PAL-B)
   * @param dim preference-space width of the projectors (hidden and output)
   * @param activation projector nonlinearity
   * @param residual residual projector (applied only when the input width equals {@code dim})
   * @param batchSize pairs per step
   * @param epochs passes over the seen users' pairs
   * @param projectorLearningRate lr of the projectors
   * @param projectorWeightDecay coupled L2 weight decay of the projectors
   * @param prototypeLearningRate lr of P (PAL-A)
   * @param userLearningRate lr of the user logits
   * @param logitScaleLearningRate lr of the logit scale t (PAL-B)
   * @param newUserEpochs passes over the few-shot pairs for new users
   * @param newUserLearningRate AdamW lr of new users' logits
   */
  public record Config(
      int prototypes,
      int dim,
      Activation.Kind activation,
      boolean residual,
      int batchSize,
      int epochs,
      double projectorLearningRate,
      double projectorWeightDecay,
      double prototypeLearningRate,
      double userLearningRate,
      double logitScaleLearningRate,
      int newUserEpochs,
      double newUserLearningRate) {

    /** Validates. */
    public Config {
      if (prototypes < 1 || dim < 1 || batchSize < 1 || epochs < 0 || newUserEpochs < 0) {
        throw new IllegalArgumentException("bad PAL configuration " + this);
      }
    }

    /** PAL-A's published setting ({@code a-dim512-k2-...-mlp2}, vanilla-e1). */
    public static Config paperA() {
      return new Config(
          2, 512, Activation.Kind.RELU, true, 4, 1, 1e-4, 0.01, 5e-3, 5e-3, 0.1, 20, 5e-3);
    }

    /** PAL-B's published setting ({@code b-dim512-k2-...-mlp2}, gelu, no residual, vanilla-e1). */
    public static Config paperB() {
      return new Config(
          2, 512, Activation.Kind.GELU, false, 4, 1, 1e-4, 0.01, 5e-3, 5e-3, 0.1, 20, 5e-3);
    }

    /** A copy with another K (the paper selects it by cross validation). */
    public Config withPrototypes(int k) {
      return new Config(
          k, dim, activation, residual, batchSize, epochs, projectorLearningRate,
          projectorWeightDecay, prototypeLearningRate, userLearningRate, logitScaleLearningRate,
          newUserEpochs, newUserLearningRate);
    }

    /** A copy with other epoch counts (seen training, new users). */
    public Config withEpochs(int seen, int newUsers) {
      return new Config(
          prototypes, dim, activation, residual, batchSize, seen, projectorLearningRate,
          projectorWeightDecay, prototypeLearningRate, userLearningRate, logitScaleLearningRate,
          newUsers, newUserLearningRate);
    }
  }

  private static final double MAX_LOGIT_SCALE = 100;

  private final Variant variant;
  private final Config config;
  private final float[] promptOfItem;
  private final int promptDim;

  private PalMethod(Variant variant, Config config, float[] promptOfItem, int promptDim) {
    this.variant = variant;
    this.config = config;
    this.promptOfItem = promptOfItem;
    this.promptDim = promptDim;
  }

  /** PAL-A with these hyperparameters (e.g. {@link Config#paperA()}). */
  public static PalMethod palA(Config config) {
    return new PalMethod(Variant.A, config, null, 0);
  }

  /**
   * PAL-B with these hyperparameters (e.g. {@link Config#paperB()}).
   *
   * @param promptOfItem n x promptDim row-major, the prompt embedding of every item (not copied),
   *     or null to use each item's own embedding (a deviation: see the class Javadoc)
   * @param promptDim width of {@code promptOfItem}'s rows (ignored when it is null)
   */
  public static PalMethod palB(Config config, float[] promptOfItem, int promptDim) {
    if (promptOfItem != null && (promptDim < 1 || promptOfItem.length % promptDim != 0)) {
      throw new IllegalArgumentException(
          "prompt table of " + promptOfItem.length + " floats is not a multiple of dim "
              + promptDim);
    }
    return new PalMethod(Variant.B, config, promptOfItem, promptDim);
  }

  @Override
  public String name() {
    return variant == Variant.A ? "PAL-A" : "PAL-B";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    if (promptOfItem != null && promptOfItem.length / promptDim != train.itemCount()) {
      throw new IllegalArgumentException(
          "prompt table has " + promptOfItem.length / promptDim + " rows, the data "
              + train.itemCount() + " items");
    }
    Model model = new Model(train.dim(), train.userCount(), new SplittableRandom(seed));
    model.fit(train, new SplittableRandom(seed ^ 0x5DEECE66DL));
    return model;
  }

  private Sequential mlp(String name, int in, SplittableRandom rnd) {
    int h = config.dim();
    return Sequential.mlp(name, new int[] {in, h, h, h}, config.activation(), 0, rnd);
  }

  private boolean residual(int in) {
    return config.residual() && in == config.dim();
  }

  private Layer projector(Sequential mlp) {
    return residual(mlp.inDim()) ? new Residual(mlp) : mlp;
  }

  /** The trained model of either variant; the parts of the other variant are null. */
  final class Model implements Trained {
    final int d;
    final int k;
    final Sequential fMlp; // f without its residual connection
    final Layer f;
    final List<Layer> g = new ArrayList<>(); // PAL-B
    final Param prototypes; // PAL-A
    final Param logitScale; // PAL-B
    Param logits;
    final Map<String, Integer> seen = new HashMap<>();
    final Map<String, float[]> adapted = new HashMap<>();
    /** Tests only: adapt by backpropagating through the frozen projectors (the slow reference). */
    boolean exactAdaptation;

    Model(int d, int users, SplittableRandom rnd) {
      this.d = d;
      this.k = config.prototypes();
      this.fMlp = mlp("f", d, rnd.split());
      this.f = projector(fMlp);
      if (variant == Variant.A) {
        prototypes = new Param("P", k * d);
        float[] p = prototypes.value();
        for (int j = 0; j < k; j++) {
          double norm = 0;
          for (int i = 0; i < d; i++) {
            p[j * d + i] = (float) rnd.nextGaussian();
            norm += p[j * d + i] * p[j * d + i];
          }
          float inv = (float) (1 / Math.sqrt(norm));
          for (int i = 0; i < d; i++) {
            p[j * d + i] *= inv;
          }
        }
        logitScale = null;
      } else {
        int dp = promptOfItem == null ? d : promptDim;
        for (int j = 0; j < k; j++) {
          g.add(projector(mlp("g" + j, dp, rnd.split())));
        }
        prototypes = null;
        logitScale = new Param("logit_scale", 1);
        logitScale.value()[0] = (float) Math.log(1 / 0.07);
      }
      logits = new Param("W", users * k);
      System.arraycopy(Support.gaussian(users * k, rnd.split()), 0, logits.value(), 0, users * k);
    }

    List<Param> projectorParams() {
      List<Param> ps = new ArrayList<>(f.params());
      for (Layer l : g) {
        ps.addAll(l.params());
      }
      return ps;
    }

    void fit(PreferenceData train, SplittableRandom rnd) {
      for (int u = 0; u < train.userCount(); u++) {
        seen.put(train.userId(u), u);
      }
      List<GroupAdam.Group> groups = new ArrayList<>();
      groups.add(new GroupAdam.Group(
          projectorParams(), config.projectorLearningRate(), config.projectorWeightDecay()));
      groups.add(new GroupAdam.Group(List.of(logits), config.userLearningRate(), 0));
      if (variant == Variant.A) {
        groups.add(new GroupAdam.Group(List.of(prototypes), config.prototypeLearningRate(), 0));
      } else {
        groups.add(new GroupAdam.Group(List.of(logitScale), config.logitScaleLearningRate(), 0));
      }
      GroupAdam opt = GroupAdam.adam(groups);
      int[] pairUser = Support.pairUsers(train);
      int[] order = Support.range(train.pairCount());
      for (int epoch = 0; epoch < config.epochs(); epoch++) {
        Support.shuffle(order, rnd);
        for (int from = 0; from < order.length; from += config.batchSize()) {
          int n = Math.min(config.batchSize(), order.length - from);
          opt.zeroGrad();
          batchLoss(train, order, from, n, pairUser, logits, true);
          opt.step();
        }
      }
    }

    /**
     * Mean loss of pairs {@code order[from..from+n)}, user of pair p = {@code pairUser[p]} (a row
     * of {@code w}). With {@code backward}, accumulates every gradient.
     */
    double batchLoss(
        PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w,
        boolean backward) {
      return variant == Variant.A
          ? lossA(data, order, from, n, pairUser, w, backward)
          : lossB(data, order, from, n, pairUser, w, backward);
    }

    private double lossA(
        PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w,
        boolean backward) {
      float[] e = data.items();
      float[] x = new float[3 * n * d]; // chosen rows, rejected rows, mixture rows
      float[][] a = new float[n][];
      float[] p = prototypes.value();
      for (int b = 0; b < n; b++) {
        int pair = order[from + b];
        System.arraycopy(e, data.itemOffset(data.chosen(pair)), x, b * d, d);
        System.arraycopy(e, data.itemOffset(data.rejected(pair)), x, (n + b) * d, d);
        a[b] = Support.softmax(w.value(), pairUser[pair] * k, k);
        for (int j = 0; j < k; j++) {
          for (int i = 0; i < d; i++) {
            x[(2 * n + b) * d + i] += a[b][j] * p[j * d + i];
          }
        }
      }
      int h = f.outDim();
      float[] y = f.forward(x, 3 * n);
      float[] dy = new float[3 * n * h];
      double loss = 0;
      for (int b = 0; b < n; b++) {
        double dc = distance(y, b * h, y, (2 * n + b) * h, h);
        double dr = distance(y, (n + b) * h, y, (2 * n + b) * h, h);
        double hinge = 1 + dc - dr;
        if (hinge <= 0) {
          continue;
        }
        loss += hinge / n;
        if (backward) {
          for (int t = 0; t < h; t++) {
            double gc = (y[b * h + t] - y[(2 * n + b) * h + t]) / (dc * n);
            double gr = (y[(n + b) * h + t] - y[(2 * n + b) * h + t]) / (dr * n);
            dy[b * h + t] += (float) gc;
            dy[(n + b) * h + t] -= (float) gr;
            dy[(2 * n + b) * h + t] += (float) (gr - gc);
          }
        }
      }
      if (backward) {
        float[] dx = f.backward(dy, 2 * n);
        for (int b = 0; b < n; b++) {
          double[] da = new double[k];
          int row = (2 * n + b) * d;
          for (int j = 0; j < k; j++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
              s += (double) dx[row + i] * p[j * d + i];
              prototypes.grad()[j * d + i] += a[b][j] * dx[row + i];
            }
            da[j] = s;
          }
          Support.softmaxBackward(a[b], da, w.grad(), pairUser[order[from + b]] * k);
        }
      }
      return loss;
    }

    private double lossB(
        PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w,
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

    /** PAL-B's scores {@code min(exp(t), 100) cos(sum_k a_k g_k, f)} of rows, and their backward. */
    Scores scores(float[] y, float[][] gk, float[][] a, int rows, int h) {
      return new Scores(y, gk, a, rows, h, logitScale.value()[0]);
    }

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      var rnd = new SplittableRandom(seed);
      int users = fewShot.userCount();
      Param w = new Param("W_new", users * k);
      System.arraycopy(Support.gaussian(users * k, rnd.split()), 0, w.value(), 0, users * k);
      GroupAdam opt = GroupAdam.adamW(
          List.of(new GroupAdam.Group(List.of(w), config.newUserLearningRate(), 0)));
      int[] pairUser = Support.pairUsers(fewShot);
      int[] order = Support.range(fewShot.pairCount());
      f.training(false);
      for (Layer l : g) {
        l.training(false);
      }
      Frozen frozen = exactAdaptation ? null : new Frozen(fewShot);
      for (int epoch = 0; epoch < config.newUserEpochs(); epoch++) {
        Support.shuffle(order, rnd);
        for (int from = 0; from < order.length; from += config.batchSize()) {
          int n = Math.min(config.batchSize(), order.length - from);
          w.zeroGrad();
          if (frozen == null) {
            batchLoss(fewShot, order, from, n, pairUser, w, true);
          } else {
            frozen.loss(fewShot, order, from, n, pairUser, w);
          }
          opt.step();
        }
      }
      for (Param p : projectorParams()) {
        p.zeroGrad(); // frozen: their gradients were computed and are dropped
      }
      (variant == Variant.A ? prototypes : logitScale).zeroGrad();
      for (int u = 0; u < users; u++) {
        adapted.put(fewShot.userId(u), java.util.Arrays.copyOfRange(w.value(), u * k, u * k + k));
      }
    }

    /**
     * Few-shot pieces that do not depend on the user logits, computed once per {@link #adapt}: the
     * projector outputs of every referenced item and (PAL-B) the user projectors' outputs on their
     * prompts. For PAL-A the ideal point {@code f(sum_j a_j P_j)} still depends on the logits, but
     * the first dense layer is affine and the weights sum to one, so {@code W1 (sum_j a_j P_j) + b1
     * = sum_j a_j (W1 P_j + b1)}: the prototypes pass through the first layer once and only the
     * small h x h tail runs per step. Same loss and gradient as {@link #batchLoss} up to float
     * rounding (tested); about d / h times fewer flops per step.
     */
    final class Frozen {
      final int[] pos;
      final float[] y;
      final float[][] gk;
      final float[] z; // PAL-A: K x h1, first-layer output of each prototype
      final Layer tail; // PAL-A: the projector after its first layer, or null
      final boolean res;

      Frozen(PreferenceData data) {
        int[] items = Support.referencedItems(data);
        pos = Support.positions(data.itemCount(), items);
        y = Support.forwardItems(f, data.items(), d, items);
        if (variant == Variant.A) {
          List<Layer> layers = fMlp.layers();
          z = layers.get(0).forward(prototypes.value().clone(), k);
          tail = layers.size() == 1 ? null : new Sequential(layers.subList(1, layers.size()));
          res = f != fMlp;
          gk = null;
        } else {
          gk = new float[k][];
          for (int j = 0; j < k; j++) {
            gk[j] = promptOfItem == null
                ? Support.forwardItems(g.get(j), data.items(), d, items)
                : Support.forwardItems(g.get(j), promptOfItem, promptDim, items);
          }
          z = null;
          tail = null;
          res = false;
        }
      }

      /** Mean loss of a batch; accumulates the gradient of the logits {@code w} only. */
      double loss(PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w) {
        return variant == Variant.A
            ? lossA(data, order, from, n, pairUser, w)
            : lossB(data, order, from, n, pairUser, w);
      }

      private double lossA(
          PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w) {
        int h1 = z.length / k;
        int h = f.outDim();
        float[] p = prototypes.value();
        float[][] a = new float[n][];
        float[] m = new float[n * h1];
        for (int b = 0; b < n; b++) {
          a[b] = Support.softmax(w.value(), pairUser[order[from + b]] * k, k);
          for (int j = 0; j < k; j++) {
            for (int i = 0; i < h1; i++) {
              m[b * h1 + i] += a[b][j] * z[j * h1 + i];
            }
          }
        }
        float[] ideal = tail == null ? m.clone() : tail.forward(m, n);
        if (res) { // f(x) = x + mlp(x): add the mixture itself
          for (int b = 0; b < n; b++) {
            for (int j = 0; j < k; j++) {
              for (int i = 0; i < d; i++) {
                ideal[b * h + i] += a[b][j] * p[j * d + i];
              }
            }
          }
        }
        float[] dIdeal = new float[n * h];
        double loss = 0;
        for (int b = 0; b < n; b++) {
          int pair = order[from + b];
          int c = pos[data.chosen(pair)] * h;
          int r = pos[data.rejected(pair)] * h;
          double dc = distance(y, c, ideal, b * h, h);
          double dr = distance(y, r, ideal, b * h, h);
          double hinge = 1 + dc - dr;
          if (hinge <= 0) {
            continue;
          }
          loss += hinge / n;
          for (int t = 0; t < h; t++) {
            double gc = (y[c + t] - ideal[b * h + t]) / (dc * n);
            double gr = (y[r + t] - ideal[b * h + t]) / (dr * n);
            dIdeal[b * h + t] += (float) (gr - gc);
          }
        }
        float[] dm = tail == null ? dIdeal : tail.backward(dIdeal, 0);
        for (int b = 0; b < n; b++) {
          double[] da = new double[k];
          for (int j = 0; j < k; j++) {
            double s = 0;
            for (int i = 0; i < h1; i++) {
              s += (double) dm[b * h1 + i] * z[j * h1 + i];
            }
            if (res) {
              for (int i = 0; i < d; i++) {
                s += (double) dIdeal[b * h + i] * p[j * d + i];
              }
            }
            da[j] = s;
          }
          Support.softmaxBackward(a[b], da, w.grad(), pairUser[order[from + b]] * k);
        }
        return loss;
      }

      private double lossB(
          PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w) {
        int h = f.outDim();
        float[][] a = new float[2 * n][];
        float[] yb = new float[2 * n * h];
        float[][] gb = new float[k][2 * n * h];
        for (int b = 0; b < n; b++) {
          int pair = order[from + b];
          a[b] = Support.softmax(w.value(), pairUser[pair] * k, k);
          a[n + b] = a[b];
          int c = pos[data.chosen(pair)] * h;
          int r = pos[data.rejected(pair)] * h;
          System.arraycopy(y, c, yb, b * h, h);
          System.arraycopy(y, r, yb, (n + b) * h, h);
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

    float[] logitsOf(String user) {
      float[] l = adapted.get(user);
      if (l != null) {
        return l;
      }
      Integer u = seen.get(user);
      if (u == null) {
        throw new IllegalArgumentException("unknown user " + user);
      }
      return java.util.Arrays.copyOfRange(logits.value(), u * k, u * k + k);
    }

    @Override
    public float[] margins(PreferenceData test) {
      int[] items = Support.referencedItems(test);
      int[] pos = Support.positions(test.itemCount(), items);
      float[] y = Support.forwardItems(f, test.items(), test.dim(), items);
      int h = f.outDim();
      float[] out = new float[test.pairCount()];
      float[][] gk = new float[k][];
      if (variant == Variant.B) {
        for (int j = 0; j < k; j++) {
          gk[j] = promptOfItem == null
              ? Support.forwardItems(g.get(j), test.items(), d, items)
              : Support.forwardItems(g.get(j), promptOfItem, promptDim, items);
        }
      }
      for (int u = 0; u < test.userCount(); u++) {
        float[] a = Support.softmax(logitsOf(test.userId(u)), 0, k);
        if (variant == Variant.A) {
          float[] mix = new float[d];
          for (int j = 0; j < k; j++) {
            for (int i = 0; i < d; i++) {
              mix[i] += a[j] * prototypes.value()[j * d + i];
            }
          }
          float[] ideal = f.forward(mix, 1);
          for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
            double dc = distance(y, pos[test.chosen(p)] * h, ideal, 0, h);
            double dr = distance(y, pos[test.rejected(p)] * h, ideal, 0, h);
            out[p] = (float) (dr - dc);
          }
        } else {
          double scale = Math.min(Math.exp(logitScale.value()[0]), MAX_LOGIT_SCALE);
          for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
            out[p] = (float) (scale * (cosine(y, gk, a, pos[test.chosen(p)], h)
                - cosine(y, gk, a, pos[test.rejected(p)], h)));
          }
        }
      }
      return out;
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

    @Override
    public long parameterCount() {
      long count = Param.count(projectorParams()) + logits.size();
      count += variant == Variant.A ? prototypes.size() : logitScale.size();
      return count;
    }
  }

  static double distance(float[] a, int ao, float[] b, int bo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double t = (double) a[ao + i] - b[bo + i];
      s += t * t;
    }
    return Math.sqrt(s);
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
