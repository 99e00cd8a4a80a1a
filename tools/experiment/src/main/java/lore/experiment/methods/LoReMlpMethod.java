package lore.experiment.methods;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.experiment.PreferenceMethod;
import lore.experiment.nn.Activation;
import lore.experiment.nn.GroupAdam;
import lore.experiment.nn.Param;
import lore.experiment.nn.Sequential;
import lore.internal.kernel.Numerics;
import lore.internal.train.SimplexNewton;

/**
 * LoRe with an MLP basis (paper Example 2, Eq. 9): {@code R_phi(e) = f_phi(e) in R^B} with {@code
 * f_phi = Linear(d, h) - ReLU - Linear(h, B)}, user weights {@code w_u = softmax(l_u)} on the
 * simplex, both trained end to end by Adam on the paper's objective (Eq. 10)
 *
 * <pre>
 *   L = sum_u (1/|D_u|) sum_{(c,r) in D_u} log(1 + exp(-s * w_u . (f(e_c) - f(e_r))))
 * </pre>
 *
 * in minibatches of users (the loss of a batch is the mean over its users of their mean pair loss,
 * so Eq. 10's per-user weighting is kept). New users: Eq. 11 with {@code f_phi} frozen, by
 * projecting the few-shot items through {@code f_phi} and solving the convex simplex problem with
 * the engine's projected Newton solver.
 *
 * <p>The paper gives no hyperparameters for Example 2; the defaults here ({@link Config#defaults})
 * are ours: minibatches instead of the linear model's full batch, because a full pass costs {@code
 * items x d x h} and the MLP needs many more steps than the linear map's closed-form-like problem.
 * Logits start standard normal and the MLP with PyTorch's default initialization.
 *
 * <p>Parameter count: {@code (d h + h) + (h B + B) + N B}.
 */
public final class LoReMlpMethod implements PreferenceMethod {

  /**
   * Hyperparameters. Start from {@link #defaults()} and change fields with the {@code with...}
   * methods, e.g. {@code Config.defaults().withRank(2)}.
   *
   * @param rank B
   * @param hidden h, width of the hidden layer
   * @param logitScale s in the margin
   * @param epochs passes over the seen users
   * @param usersPerBatch users per Adam step
   * @param learningRate Adam step size of {@code phi}
   * @param userLearningRate Adam step size of the user logits
   */
  public record Config(
      int rank,
      int hidden,
      double logitScale,
      int epochs,
      int usersPerBatch,
      double learningRate,
      double userLearningRate) {

    /** Validates. */
    public Config {
      if (rank < 1 || hidden < 1 || epochs < 0 || usersPerBatch < 1) {
        throw new IllegalArgumentException("bad LoRe-MLP configuration " + this);
      }
    }

    /** B = 5, h = 64, s = 1, 30 epochs, 16 users per batch, lr 1e-3 (phi) and 0.05 (logits). */
    public static Config defaults() {
      return new Config(5, 64, 1.0, 30, 16, 1e-3, 0.05);
    }

    /** This configuration with {@link #rank()} = {@code v}. */
    public Config withRank(int v) {
      return new Config(
          v, hidden, logitScale, epochs, usersPerBatch, learningRate, userLearningRate);
    }

    /** This configuration with {@link #hidden()} = {@code v}. */
    public Config withHidden(int v) {
      return new Config(rank, v, logitScale, epochs, usersPerBatch, learningRate, userLearningRate);
    }

    /** This configuration with {@link #logitScale()} = {@code v}. */
    public Config withLogitScale(double v) {
      return new Config(rank, hidden, v, epochs, usersPerBatch, learningRate, userLearningRate);
    }

    /** This configuration with {@link #epochs()} = {@code v}. */
    public Config withEpochs(int v) {
      return new Config(rank, hidden, logitScale, v, usersPerBatch, learningRate, userLearningRate);
    }

    /** This configuration with {@link #usersPerBatch()} = {@code v}. */
    public Config withUsersPerBatch(int v) {
      return new Config(rank, hidden, logitScale, epochs, v, learningRate, userLearningRate);
    }

    /** This configuration with {@link #learningRate()} = {@code v}. */
    public Config withLearningRate(double v) {
      return new Config(rank, hidden, logitScale, epochs, usersPerBatch, v, userLearningRate);
    }

    /** This configuration with {@link #userLearningRate()} = {@code v}. */
    public Config withUserLearningRate(double v) {
      return new Config(rank, hidden, logitScale, epochs, usersPerBatch, learningRate, v);
    }
  }

  private final Config config;

  private LoReMlpMethod(Config config) {
    this.config = config;
  }

  /** A LoRe-MLP method with these hyperparameters. */
  public static LoReMlpMethod create(Config config) {
    return new LoReMlpMethod(config);
  }

  @Override
  public String name() {
    return "LoRe-MLP";
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    var rnd = new SplittableRandom(seed);
    int d = train.dim();
    int k = config.rank();
    Sequential f =
        Sequential.mlp(
            "basis", new int[] {d, config.hidden(), k}, Activation.Kind.RELU, 0, rnd.split());
    int users = train.userCount();
    Param logits = new Param("logits", users * k);
    System.arraycopy(Support.gaussian(users * k, rnd.split()), 0, logits.value(), 0, users * k);
    GroupAdam opt =
        GroupAdam.adam(
            List.of(
                new GroupAdam.Group(f.params(), config.learningRate(), 0),
                new GroupAdam.Group(List.of(logits), config.userLearningRate(), 0)));
    int[] order = Support.range(users);
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      Support.shuffle(order, rnd);
      for (int from = 0; from < users; from += config.usersPerBatch()) {
        int n = Math.min(config.usersPerBatch(), users - from);
        opt.zeroGrad();
        batchLoss(f, logits, train, order, from, n, config.logitScale(), true);
        opt.step();
      }
    }
    Map<String, float[]> weights = new HashMap<>();
    for (int u = 0; u < users; u++) {
      weights.put(train.userId(u), Support.softmax(logits.value(), u * k, k));
    }
    long count = Param.count(f.params()) + (long) users * k;
    return new MlpTrained(f, k, config.logitScale(), weights, count);
  }

  /**
   * Loss of the users {@code order[from..from+n)}: mean over them of their mean pair loss. With
   * {@code backward}, accumulates the gradients of f and of the logits.
   */
  static double batchLoss(
      Sequential f,
      Param logits,
      PreferenceData data,
      int[] order,
      int from,
      int n,
      double scale,
      boolean backward) {
    int k = f.outDim();
    int d = data.dim();
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      int u = order[from + i];
      pairs += data.pairEnd(u) - data.pairStart(u);
    }
    // rows: chosen items of all pairs, then rejected items
    int[] idx = new int[2 * pairs];
    for (int i = 0, at = 0; i < n; i++) {
      int u = order[from + i];
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++, at++) {
        idx[at] = data.chosen(p);
        idx[pairs + at] = data.rejected(p);
      }
    }
    float[] z = f.forward(Support.gather(data.items(), d, idx, 0, 2 * pairs), 2 * pairs);
    float[] dz = backward ? new float[2 * pairs * k] : null;
    double loss = 0;
    for (int i = 0, at = 0; i < n; i++) {
      int u = order[from + i];
      int count = data.pairEnd(u) - data.pairStart(u);
      float[] w = Support.softmax(logits.value(), u * k, k);
      double[] dw = new double[k];
      double userLoss = 0;
      for (int q = 0; q < count; q++, at++) {
        double m = 0;
        for (int b = 0; b < k; b++) {
          m += w[b] * (z[at * k + b] - z[(pairs + at) * k + b]);
        }
        m *= scale;
        userLoss += Numerics.softplusNeg(m);
        if (backward) {
          double c = Numerics.softplusNegGrad(m) * scale / count / n;
          for (int b = 0; b < k; b++) {
            dz[at * k + b] += (float) (c * w[b]);
            dz[(pairs + at) * k + b] -= (float) (c * w[b]);
            dw[b] += c * (z[at * k + b] - z[(pairs + at) * k + b]);
          }
        }
      }
      loss += userLoss / count / n;
      if (backward) {
        Support.softmaxBackward(w, dw, logits.grad(), u * k);
      }
    }
    if (backward) {
      f.backward(dz, 2 * pairs);
    }
    return loss;
  }

  private static final class MlpTrained implements Trained {
    private final Sequential f;
    private final int k;
    private final double scale;
    private final Map<String, float[]> weights;
    private final long parameterCount;

    MlpTrained(Sequential f, int k, double scale, Map<String, float[]> weights, long count) {
      this.f = f;
      this.k = k;
      this.scale = scale;
      this.weights = weights;
      this.parameterCount = count;
    }

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      int[] items = Support.referencedItems(fewShot);
      int[] pos = Support.positions(fewShot.itemCount(), items);
      float[] z = Support.forwardItems(f, fewShot.items(), fewShot.dim(), items);
      int maxPairs = 1;
      for (int u = 0; u < fewShot.userCount(); u++) {
        maxPairs = Math.max(maxPairs, fewShot.pairEnd(u) - fewShot.pairStart(u));
      }
      SimplexNewton solver = new SimplexNewton(k, maxPairs);
      float[] dz = new float[maxPairs * k];
      for (int u = 0; u < fewShot.userCount(); u++) {
        int n = fewShot.pairEnd(u) - fewShot.pairStart(u);
        for (int q = 0; q < n; q++) {
          int p = fewShot.pairStart(u) + q;
          int c = pos[fewShot.chosen(p)] * k;
          int r = pos[fewShot.rejected(p)] * k;
          for (int b = 0; b < k; b++) {
            dz[q * k + b] = z[c + b] - z[r + b];
          }
        }
        double[] w = new double[k];
        java.util.Arrays.fill(w, 1.0 / k);
        solver.solve(dz, 0, n, scale, w, 1e-10, 50);
        float[] wf = new float[k];
        for (int b = 0; b < k; b++) {
          wf[b] = (float) w[b];
        }
        weights.put(fewShot.userId(u), wf);
      }
    }

    @Override
    public float[] margins(PreferenceData test) {
      int[] items = Support.referencedItems(test);
      int[] pos = Support.positions(test.itemCount(), items);
      float[] z = Support.forwardItems(f, test.items(), test.dim(), items);
      float[] out = new float[test.pairCount()];
      for (int u = 0; u < test.userCount(); u++) {
        float[] w = weights.get(test.userId(u));
        if (w == null) {
          throw new IllegalArgumentException("unknown user " + test.userId(u));
        }
        for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
          int c = pos[test.chosen(p)] * k;
          int r = pos[test.rejected(p)] * k;
          double m = 0;
          for (int b = 0; b < k; b++) {
            m += (double) w[b] * (z[c + b] - z[r + b]);
          }
          out[p] = (float) m;
        }
      }
      return out;
    }

    @Override
    public long parameterCount() {
      return parameterCount;
    }
  }
}
