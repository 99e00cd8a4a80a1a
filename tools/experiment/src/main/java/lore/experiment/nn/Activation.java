package lore.experiment.nn;

import java.util.List;

/**
 * Element-wise activation: ReLU, LeakyReLU with slope 0.2 (VPL) or GELU. GELU uses the tanh
 * approximation {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (PyTorch's {@code
 * approximate='tanh'}); PyTorch's default is the exact {@code x Phi(x)}, which differs by less than
 * 1e-3 everywhere. Internal; not API. Not thread-safe.
 */
public final class Activation implements Layer {

  /** The supported nonlinearities. */
  public enum Kind {
    RELU,
    LEAKY_RELU,
    GELU
  }

  /** Negative slope of {@link Kind#LEAKY_RELU}, as VPL's {@code nn.LeakyReLU(0.2)}. */
  public static final float LEAKY_SLOPE = 0.2f;

  private static final double GELU_C = Math.sqrt(2.0 / Math.PI);

  private final Kind kind;
  private final int dim;
  private float[] lastX;

  /** An activation over rows of width {@code dim}. */
  public Activation(Kind kind, int dim) {
    this.kind = kind;
    this.dim = dim;
  }

  /** The nonlinearity. */
  public Kind kind() {
    return kind;
  }

  @Override
  public int inDim() {
    return dim;
  }

  @Override
  public int outDim() {
    return dim;
  }

  @Override
  public float[] forward(float[] x, int rows) {
    int n = rows * dim;
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = apply(kind, x[i]);
    }
    lastX = x;
    return y;
  }

  @Override
  public float[] backward(float[] gradOut, int inputGradFrom) {
    int n = gradOut.length;
    float[] g = new float[n];
    for (int i = Math.max(0, inputGradFrom) * dim; i < n; i++) {
      g[i] = gradOut[i] * derivative(kind, lastX[i]);
    }
    return g;
  }

  @Override
  public List<Param> params() {
    return List.of();
  }

  /** The activation of one value. */
  public static float apply(Kind kind, float x) {
    return switch (kind) {
      case RELU -> x > 0 ? x : 0f;
      case LEAKY_RELU -> x > 0 ? x : LEAKY_SLOPE * x;
      case GELU -> {
        double t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
        yield (float) (0.5 * x * (1 + t));
      }
    };
  }

  /** Derivative of the activation at x (0 for ReLU at 0, as PyTorch). */
  public static float derivative(Kind kind, float x) {
    return switch (kind) {
      case RELU -> x > 0 ? 1f : 0f;
      case LEAKY_RELU -> x > 0 ? 1f : LEAKY_SLOPE;
      case GELU -> {
        double u = GELU_C * (x + 0.044715 * x * x * x);
        double t = Math.tanh(u);
        double du = GELU_C * (1 + 3 * 0.044715 * x * x);
        yield (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du);
      }
    };
  }
}
