package lore.experiment.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every layer's backward pass against central finite differences on tiny shapes. */
class LayerGradientTest {
  static final long SEED = Long.getLong("lore.test.seed", 11L);

  static float[] gaussian(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** Checks dL/dparams and dL/dx for L = sum c . layer(x). */
  static void check(Layer layer, int rows, long seed, String what) {
    var rnd = new SplittableRandom(seed);
    float[] x = gaussian(rnd, rows * layer.inDim());
    float[] c = gaussian(rnd, rows * layer.outDim());
    GradientCheck.zeroGrads(layer.params());
    layer.forward(x, rows);
    float[] gx = layer.backward(c, 0);
    Supplier<Double> loss = () -> GradientCheck.weighted(layer.forward(x, rows), c);
    GradientCheck.assertGradient(x, gx, loss, "seed=" + seed + " " + what + " dx");
    GradientCheck.assertGradients(layer.params(), loss, "seed=" + seed + " " + what);
  }

  @Test
  void denseGradientMatchesFiniteDifferences() {
    check(new Dense("d", 5, 3, new SplittableRandom(SEED)), 4, SEED, "dense");
    // wider than two vector lanes, so the Vector API kernels are exercised as well
    check(new Dense("w", 37, 5, new SplittableRandom(SEED + 1)), 3, SEED, "dense37");
  }

  @Test
  void denseWithoutBiasGradientMatchesFiniteDifferences() {
    check(new Dense("nb", 6, 4, false, 10, new SplittableRandom(SEED)), 3, SEED, "dense no bias");
  }

  @Test
  void activationGradientsMatchFiniteDifferences() {
    for (Activation.Kind kind : Activation.Kind.values()) {
      check(new Activation(kind, 7), 3, SEED + kind.ordinal(), kind.name());
    }
  }

  @Test
  void mlpAndResidualGradientsMatchFiniteDifferences() {
    var rnd = new SplittableRandom(SEED);
    check(
        Sequential.mlp("m", new int[] {6, 5, 5, 3}, Activation.Kind.GELU, 0, rnd), 4, SEED, "mlp");
    check(
        // smooth: a bias moves several ReLU inputs at once, so both one-sided steps may hit a kink
        new Residual(Sequential.mlp("r", new int[] {4, 4, 4, 4}, Activation.Kind.GELU, 0, rnd)),
        3,
        SEED + 2,
        "residual");
    check(
        Sequential.mlp("l", new int[] {40, 9, 2}, Activation.Kind.LEAKY_RELU, 0, rnd),
        5,
        SEED + 3,
        "leaky mlp");
  }

  @Test
  void inputGradientRowsBeforeFromAreSkippedAndTheRestExact() {
    var layer =
        Sequential.mlp(
            "m", new int[] {6, 5, 3}, Activation.Kind.GELU, 0, new SplittableRandom(SEED));
    var rnd = new SplittableRandom(SEED + 9);
    float[] x = gaussian(rnd, 4 * 6);
    float[] c = gaussian(rnd, 4 * 3);
    layer.forward(x, 4);
    float[] all = layer.backward(c, 0);
    layer.forward(x, 4);
    float[] tail = layer.backward(c, 2);
    for (int i = 2 * 6; i < all.length; i++) {
      assertEquals(all[i], tail[i], 0, "seed=" + SEED + " i=" + i);
    }
  }

  @Test
  void attentionGradientMatchesFiniteDifferences() {
    int dim = 4;
    var att = new MeanPoolSelfAttention("att", dim, new SplittableRandom(SEED));
    int[] offsets = {0, 1, 4, 6}; // segments of 1, 3 and 2 rows
    var rnd = new SplittableRandom(SEED + 5);
    float[] x = gaussian(rnd, 6 * dim);
    float[] c = gaussian(rnd, 3 * dim);
    GradientCheck.zeroGrads(att.params());
    att.forward(x, offsets);
    float[] gx = att.backward(c, 0);
    Supplier<Double> loss = () -> GradientCheck.weighted(att.forward(x, offsets), c);
    GradientCheck.assertGradient(x, gx, loss, "seed=" + SEED + " attention dx");
    GradientCheck.assertGradients(att.params(), loss, "seed=" + SEED + " attention");
  }

  @Test
  void attentionOfOneRowIsItsValueProjection() {
    var att = new MeanPoolSelfAttention("att", 3, new SplittableRandom(SEED));
    float[] x = {0.5f, -1f, 2f};
    float[] y = att.forward(x, new int[] {0, 1});
    Dense v = new Dense("v", 3, 3, new SplittableRandom(1));
    System.arraycopy(att.params().get(4).value(), 0, v.weight().value(), 0, 9);
    System.arraycopy(att.params().get(5).value(), 0, v.bias().value(), 0, 3);
    float[] want = v.forward(x, 1);
    for (int i = 0; i < 3; i++) {
      assertEquals(want[i], y[i], 1e-6, "i=" + i);
    }
  }

  @Test
  void denseInitIsPyTorchDefault() {
    int in = 50;
    var dense = new Dense("d", in, 40, new SplittableRandom(SEED));
    double bound = 1 / Math.sqrt(in);
    double sumSq = 0;
    for (float w : dense.weight().value()) {
      assertEquals(0, w, bound, "seed=" + SEED);
      sumSq += w * w;
    }
    // U(-b, b) has variance b^2 / 3
    assertEquals(bound * bound / 3, sumSq / (in * 40), 0.1 * bound * bound / 3, "seed=" + SEED);
    for (float b : dense.bias().value()) {
      assertEquals(0, b, bound, "seed=" + SEED);
    }
    assertEquals(List.of("d.weight", "d.bias"), dense.params().stream().map(Param::name).toList());
  }

  @Test
  void dropoutScalesKeptValuesAndPassesTheirGradient() {
    var drop = new Dropout(1000, 0.25, new SplittableRandom(SEED));
    float[] x = new float[1000];
    java.util.Arrays.fill(x, 2f);
    float[] y = drop.forward(x, 1);
    float[] ones = new float[1000];
    java.util.Arrays.fill(ones, 1f);
    float[] g = drop.backward(ones, 0);
    int kept = 0;
    for (int i = 0; i < 1000; i++) {
      if (y[i] != 0) {
        kept++;
        assertEquals(2f / 0.75f, y[i], 1e-6);
        assertEquals(1f / 0.75f, g[i], 1e-6);
      } else {
        assertEquals(0f, g[i]);
      }
    }
    assertEquals(750, kept, 60, "seed=" + SEED);
    drop.training(false);
    assertEquals(x, drop.forward(x, 1)); // identity in evaluation
    var none = new Dropout(3, 0, new SplittableRandom(SEED));
    float[] z = {1, 2, 3};
    assertEquals(z, none.forward(z, 1));
  }

  @Test
  void sameSeedGivesSameModelAndOutput() {
    float[] x = gaussian(new SplittableRandom(3), 2 * 8);
    float[] a =
        Sequential.mlp(
                "m", new int[] {8, 6, 2}, Activation.Kind.GELU, 0.1, new SplittableRandom(SEED))
            .forward(x, 2);
    float[] b =
        Sequential.mlp(
                "m", new int[] {8, 6, 2}, Activation.Kind.GELU, 0.1, new SplittableRandom(SEED))
            .forward(x, 2);
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
  }
}
