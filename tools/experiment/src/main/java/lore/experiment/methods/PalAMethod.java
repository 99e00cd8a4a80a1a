package lore.experiment.methods;

import java.util.List;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.experiment.nn.Layer;
import lore.experiment.nn.Param;
import lore.experiment.nn.Sequential;

/**
 * PAL-A, the ideal-point model of PAL (see {@link PalMethod} for what both models share):
 * prototypes {@code P} (K x d, Gaussian rows scaled to unit norm); one projector f for items and
 * the user's ideal point {@code f(a_u^T P)}; the item closer to the ideal point is preferred:
 * {@code y_hat = ||f(e_c) - f(a_u^T P)|| - ||f(e_r) - f(a_u^T P)||}, hinge loss {@code max(0, 1 +
 * y_hat)} (the chosen item is presented on the left, label -1). P trains at {@link
 * PalMethod.Config#prototypeLearningRate()}; {@link PalMethod.Config#logitScaleLearningRate()} is
 * unused (PAL-A has no logit scale).
 */
public final class PalAMethod extends PalMethod {

  private PalAMethod(Config config) {
    super(config);
  }

  /** PAL-A with these hyperparameters (e.g. {@link Config#paperA()}). */
  public static PalAMethod create(Config config) {
    return new PalAMethod(config);
  }

  @Override
  public String name() {
    return "PAL-A";
  }

  @Override
  IdealPointModel model(PreferenceData train, SplittableRandom rnd) {
    return new IdealPointModel(train.dim(), train.userCount(), rnd);
  }

  static double distance(float[] a, int ao, float[] b, int bo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double t = (double) a[ao + i] - b[bo + i];
      s += t * t;
    }
    return Math.sqrt(s);
  }

  /** PAL-A's model: the projector f, the prototypes and the user logits. */
  final class IdealPointModel extends Model {
    final Param prototypes;

    IdealPointModel(int d, int users, SplittableRandom rnd) {
      super(d, rnd);
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
      logits = userLogits("W", users, rnd.split());
    }

    @Override
    Param own() {
      return prototypes;
    }

    @Override
    double ownLearningRate() {
      return config.prototypeLearningRate();
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

    @Override
    Frozen frozen(PreferenceData fewShot) {
      return new CachedIdealPoint(fewShot);
    }

    /**
     * The ideal point {@code f(sum_j a_j P_j)} still depends on the logits, but the first dense
     * layer is affine and the weights sum to one, so {@code W1 (sum_j a_j P_j) + b1 = sum_j a_j (W1
     * P_j + b1)}: the prototypes pass through the first layer once and only the small h x h tail
     * runs per step, about d / h times fewer flops.
     */
    final class CachedIdealPoint extends Frozen {
      final float[] z; // K x h1, first-layer output of each prototype
      final Layer tail; // the projector after its first layer, or null
      final boolean res;

      CachedIdealPoint(PreferenceData data) {
        super(data);
        List<Layer> layers = fMlp.layers();
        z = layers.get(0).forward(prototypes.value().clone(), k);
        tail = layers.size() == 1 ? null : new Sequential(layers.subList(1, layers.size()));
        res = f != fMlp;
      }

      @Override
      double loss(PreferenceData data, int[] order, int from, int n, int[] pairUser, Param w) {
        int h1 = z.length / k;
        int h = items.h;
        float[] y = items.y;
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
          int c = items.pos[data.chosen(pair)] * h;
          int r = items.pos[data.rejected(pair)] * h;
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
    }

    @Override
    UserMargins scorer(PreferenceData test, Projected items) {
      return (u, a, out) -> {
        float[] mix = new float[d];
        for (int j = 0; j < k; j++) {
          for (int i = 0; i < d; i++) {
            mix[i] += a[j] * prototypes.value()[j * d + i];
          }
        }
        float[] ideal = f.forward(mix, 1);
        int h = items.h;
        for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
          double dc = distance(items.y, items.pos[test.chosen(p)] * h, ideal, 0, h);
          double dr = distance(items.y, items.pos[test.rejected(p)] * h, ideal, 0, h);
          out[p] = (float) (dr - dc);
        }
      };
    }
  }
}
