package lore.experiment.methods;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.experiment.PreferenceMethod;
import lore.experiment.nn.Activation;
import lore.experiment.nn.GroupAdam;
import lore.experiment.nn.Layer;
import lore.experiment.nn.Param;
import lore.experiment.nn.Residual;
import lore.experiment.nn.Sequential;

/**
 * PAL (Chen et al. 2024), reimplemented from its public code (RamyaLab/pluralistic-alignment,
 * configurations a-dim512-k2-opt350m-mlp2 and b-dim512-k2-opt350m-mlp2) over frozen item
 * embeddings: what its two models share. Users hold K logits {@code w_u ~ N(0, 1)}, mixed by {@code
 * a_u = softmax(w_u)}; items pass through a projector f ("mlp2-relu-dropout0-residual": three dense
 * layers of the preference width). The models differ in what the mixture mixes and how an item is
 * scored: {@link PalAMethod} (ideal point, K prototypes) and {@link PalBMethod} (K user projectors,
 * cosine score).
 *
 * <p>Training: Adam with parameter groups (projectors lr 1e-4 with weight decay 0.01 coupled as in
 * {@code torch.optim.Adam}; PAL-A's prototypes P and the user logits 5e-3; PAL-B's logit scale t
 * 0.1), batch size 4, shuffled, 1 epoch, no schedule. New users: projectors (and P, t) frozen,
 * fresh logits {@code ~ N(0, 1)}, AdamW on the logits only, lr 5e-3, 20 epochs, batch size 4 over
 * the few-shot pairs. Adaptation runs on cached outputs of the frozen parts (the same loss and
 * gradient, about d / 512 times cheaper per step at d = 4096; see {@code Model.Frozen}), which is
 * what makes the paper-scale runs feasible.
 *
 * <p>Deviations from the released code, and why (each model's class lists its own):
 *
 * <ul>
 *   <li>Frozen single-vector embeddings: PAL's token-wise losses (score at every token after the
 *       responses diverge) reduce to the last token, which is what LoRe's embedding stores ("PAL-B
 *       Tiny", frozen LLM).
 *   <li>float32 instead of bf16/fp32 mixed precision.
 *   <li>The projector's residual connection needs input width = output width; PAL's configs have d
 *       = 512 = output. With LoRe's d = 4096 and the published preference dimension 512 it cannot
 *       apply (the released Projector would fail), so it is used only when d equals the preference
 *       dimension.
 *   <li>GELU is the tanh approximation (PyTorch's default is the exact erf form; difference below
 *       1e-3).
 *   <li>The weight decay of the new-user AdamW is 0, per the paper's Table 4 (user weights: weight
 *       decay 0); PyTorch's AdamW default would be 0.01.
 *   <li>Parameter count includes the K logits of every seen user and the model's own parameter.
 * </ul>
 */
public abstract sealed class PalMethod implements PreferenceMethod permits PalAMethod, PalBMethod {

  /**
   * Hyperparameters of either model. Start from {@link #paperA()} or {@link #paperB()} and change
   * fields with the {@code with...} methods, e.g. {@code Config.paperA().withPrototypes(5)} (the
   * paper selects K by cross validation).
   *
   * @param prototypes K, prototypes (PAL-A) or user projectors (PAL-B)
   * @param dim preference-space width of the projectors (hidden and output)
   * @param activation projector nonlinearity
   * @param residual residual projector (applied only when the input width equals {@code dim})
   * @param batchSize pairs per step
   * @param epochs passes over the seen users' pairs
   * @param projectorLearningRate lr of the projectors
   * @param projectorWeightDecay coupled L2 weight decay of the projectors
   * @param prototypeLearningRate lr of P (PAL-A only)
   * @param userLearningRate lr of the user logits
   * @param logitScaleLearningRate lr of the logit scale t (PAL-B only)
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
      return paperA().withActivation(Activation.Kind.GELU).withResidual(false);
    }

    /** This configuration with {@link #prototypes()} = {@code v}. */
    public Config withPrototypes(int v) {
      return new Config(
          v,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #dim()} = {@code v}. */
    public Config withDim(int v) {
      return new Config(
          prototypes,
          v,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #activation()} = {@code v}. */
    public Config withActivation(Activation.Kind v) {
      return new Config(
          prototypes,
          dim,
          v,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #residual()} = {@code v}. */
    public Config withResidual(boolean v) {
      return new Config(
          prototypes,
          dim,
          activation,
          v,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #batchSize()} = {@code v}. */
    public Config withBatchSize(int v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          v,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #epochs()} = {@code v}. */
    public Config withEpochs(int v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          v,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #projectorLearningRate()} = {@code v}. */
    public Config withProjectorLearningRate(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          v,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #projectorWeightDecay()} = {@code v}. */
    public Config withProjectorWeightDecay(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          v,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #prototypeLearningRate()} = {@code v}. */
    public Config withPrototypeLearningRate(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          v,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #userLearningRate()} = {@code v}. */
    public Config withUserLearningRate(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          v,
          logitScaleLearningRate,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #logitScaleLearningRate()} = {@code v}. */
    public Config withLogitScaleLearningRate(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          v,
          newUserEpochs,
          newUserLearningRate);
    }

    /** This configuration with {@link #newUserEpochs()} = {@code v}. */
    public Config withNewUserEpochs(int v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          v,
          newUserLearningRate);
    }

    /** This configuration with {@link #newUserLearningRate()} = {@code v}. */
    public Config withNewUserLearningRate(double v) {
      return new Config(
          prototypes,
          dim,
          activation,
          residual,
          batchSize,
          epochs,
          projectorLearningRate,
          projectorWeightDecay,
          prototypeLearningRate,
          userLearningRate,
          logitScaleLearningRate,
          newUserEpochs,
          v);
    }
  }

  final Config config;

  PalMethod(Config config) {
    this.config = config;
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    Model model = model(train, new SplittableRandom(seed));
    model.fit(train, new SplittableRandom(seed ^ 0x5DEECE66DL));
    return model;
  }

  /** A new model with initial parameters for the users of {@code train}. */
  abstract Model model(PreferenceData train, SplittableRandom rnd);

  /** A projector MLP from width {@code in}, without its residual connection. */
  Sequential mlp(String name, int in, SplittableRandom rnd) {
    int h = config.dim();
    return Sequential.mlp(name, new int[] {in, h, h, h}, config.activation(), 0, rnd);
  }

  /** The projector: the MLP, with its residual connection where the widths allow it. */
  Layer projector(Sequential mlp) {
    return config.residual() && mlp.inDim() == config.dim() ? new Residual(mlp) : mlp;
  }

  /** A trained model: the item projector f, the user logits, and the model's own parts. */
  abstract class Model implements Trained {
    final int d;
    final int k;
    final Sequential fMlp; // f without its residual connection
    final Layer f;

    /** Seen users' logits; drawn by the subclass after its own parameters (the seeded order). */
    Param logits;

    final Map<String, Integer> seen = new HashMap<>();
    final Map<String, float[]> adapted = new HashMap<>();

    /** Tests only: adapt by backpropagating through the frozen projectors (the slow reference). */
    boolean exactAdaptation;

    Model(int d, SplittableRandom rnd) {
      this.d = d;
      this.k = config.prototypes();
      this.fMlp = mlp("f", d, rnd.split());
      this.f = projector(fMlp);
    }

    /** K standard normal logits for each of {@code users} users. */
    Param userLogits(String name, int users, SplittableRandom rnd) {
      Param w = new Param(name, users * k);
      System.arraycopy(Support.gaussian(users * k, rnd), 0, w.value(), 0, users * k);
      return w;
    }

    /** The projectors, trained together and frozen for new users: f first. */
    List<Layer> projectors() {
      return List.of(f);
    }

    /** The model's own parameter: the prototypes P (PAL-A) or the logit scale t (PAL-B). */
    abstract Param own();

    /** The learning rate of {@link #own()}. */
    abstract double ownLearningRate();

    List<Param> projectorParams() {
      List<Param> ps = new ArrayList<>();
      for (Layer l : projectors()) {
        ps.addAll(l.params());
      }
      return ps;
    }

    void fit(PreferenceData train, SplittableRandom rnd) {
      for (int u = 0; u < train.userCount(); u++) {
        seen.put(train.userId(u), u);
      }
      GroupAdam opt =
          GroupAdam.adam(
              List.of(
                  new GroupAdam.Group(
                      projectorParams(),
                      config.projectorLearningRate(),
                      config.projectorWeightDecay()),
                  new GroupAdam.Group(List.of(logits), config.userLearningRate(), 0),
                  new GroupAdam.Group(List.of(own()), ownLearningRate(), 0)));
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
    abstract double batchLoss(
        PreferenceData data,
        int[] order,
        int from,
        int n,
        int[] pairUser,
        Param w,
        boolean backward);

    /** The frozen parts' outputs on the items of {@code fewShot}, for {@link #adapt}. */
    abstract Frozen frozen(PreferenceData fewShot);

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      var rnd = new SplittableRandom(seed);
      int users = fewShot.userCount();
      Param w = userLogits("W_new", users, rnd.split());
      GroupAdam opt =
          GroupAdam.adamW(
              List.of(new GroupAdam.Group(List.of(w), config.newUserLearningRate(), 0)));
      int[] pairUser = Support.pairUsers(fewShot);
      int[] order = Support.range(fewShot.pairCount());
      for (Layer l : projectors()) {
        l.training(false);
      }
      Frozen frozen = exactAdaptation ? null : frozen(fewShot);
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
      own().zeroGrad();
      for (int u = 0; u < users; u++) {
        adapted.put(fewShot.userId(u), java.util.Arrays.copyOfRange(w.value(), u * k, u * k + k));
      }
    }

    /** f's outputs on the items {@code data} references: item i is row {@code pos[i]} of y. */
    final class Projected {
      final int[] items;
      final int[] pos;
      final float[] y;
      final int h;

      Projected(PreferenceData data) {
        items = Support.referencedItems(data);
        pos = Support.positions(data.itemCount(), items);
        y = Support.forwardItems(f, data.items(), data.dim(), items);
        h = f.outDim();
      }
    }

    /**
     * Few-shot pieces that do not depend on the user logits, computed once per {@link #adapt}: the
     * projector outputs of every referenced item, and what the model adds. Same loss and gradient
     * as {@link #batchLoss} up to float rounding (tested).
     */
    abstract class Frozen {
      final Projected items;

      Frozen(PreferenceData data) {
        items = new Projected(data);
      }

      /** Mean loss of a batch; accumulates the gradient of the logits {@code w} only. */
      abstract double loss(
          PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w);
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
      Projected items = new Projected(test);
      UserMargins scorer = scorer(test, items);
      float[] out = new float[test.pairCount()];
      for (int u = 0; u < test.userCount(); u++) {
        scorer.margins(u, Support.softmax(logitsOf(test.userId(u)), 0, k), out);
      }
      return out;
    }

    /** Writes the margins of one user's pairs, given the user's mixture weights. */
    interface UserMargins {
      void margins(int user, float[] mixture, float[] out);
    }

    /** The margins of {@code test}'s users, whose items f projected to {@code items}. */
    abstract UserMargins scorer(PreferenceData test, Projected items);

    @Override
    public long parameterCount() {
      return Param.count(projectorParams()) + logits.size() + own().size();
    }
  }
}
