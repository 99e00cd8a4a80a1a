package lore.experiment.nn;

import java.util.List;
import java.util.SplittableRandom;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/**
 * Dense (linear) layer {@code y = x W^T + b} with {@code W} out x in (row-major, as PyTorch's
 * {@code nn.Linear.weight}) and an optional bias. PyTorch's default initialization: {@code
 * kaiming_uniform_(W, a=sqrt(5))}, which is {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, and the bias
 * from the same interval.
 *
 * <p>Forward is one batched {@link Kernels#project} call; the weight gradient {@code G^T X} is one
 * {@link Kernels#accumulateGradient} call; the input gradient {@code G W} is {@code rows x out}
 * {@link Kernels#axpy} calls of length {@code in}. Internal; not API. Not thread-safe.
 */
public final class Dense implements Layer {
  private final int in;
  private final int out;
  private final Param weight;
  private final Param bias;
  private final Kernels kernels = KernelProvider.get();
  private final Kernels.Workspace ws = kernels.workspace();
  private float[] lastX;
  private int lastRows;

  /** {@code nn.Linear(in, out)}: with bias, PyTorch's default initialization. */
  public Dense(String name, int in, int out, SplittableRandom rnd) {
    this(name, in, out, true, in, rnd);
  }

  /**
   * A dense layer whose initialization interval is {@code 1/sqrt(initFanIn)}: a block of a wider
   * {@code nn.Linear(initFanIn, out)} whose input is a concatenation (e.g. {@code [e; z]} split
   * into a part without input gradient and a part with one).
   */
  public Dense(
      String name, int in, int out, boolean withBias, int initFanIn, SplittableRandom rnd) {
    if (in < 1 || out < 1 || initFanIn < 1) {
      throw new IllegalArgumentException(
          "dense layer " + name + ": bad shape " + in + " -> " + out);
    }
    this.in = in;
    this.out = out;
    this.weight = new Param(name + ".weight", in * out);
    this.bias = withBias ? new Param(name + ".bias", out) : null;
    double bound = 1.0 / Math.sqrt(initFanIn);
    uniform(weight.value(), bound, rnd);
    if (bias != null) {
      uniform(bias.value(), bound, rnd);
    }
  }

  private static void uniform(float[] v, double bound, SplittableRandom rnd) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextDouble(-bound, bound);
    }
  }

  /** The weight, out x in row-major. */
  public Param weight() {
    return weight;
  }

  /** The bias (length out), or null. */
  public Param bias() {
    return bias;
  }

  @Override
  public int inDim() {
    return in;
  }

  @Override
  public int outDim() {
    return out;
  }

  @Override
  public float[] forward(float[] x, int rows) {
    if (x.length < rows * in) {
      throw new IllegalArgumentException(
          weight.name() + ": input has " + x.length + " floats, expected " + rows + " x " + in);
    }
    float[] y = new float[rows * out];
    kernels.project(x, 0, rows, in, weight.value(), out, y, 0, ws);
    if (bias != null) {
      float[] b = bias.value();
      for (int r = 0; r < rows; r++) {
        for (int o = 0; o < out; o++) {
          y[r * out + o] += b[o];
        }
      }
    }
    lastX = x;
    lastRows = rows;
    return y;
  }

  @Override
  public float[] backward(float[] gradOut, int inputGradFrom) {
    int rows = lastRows;
    if (bias != null) {
      float[] gb = bias.grad();
      for (int r = 0; r < rows; r++) {
        for (int o = 0; o < out; o++) {
          gb[o] += gradOut[r * out + o];
        }
      }
    }
    kernels.accumulateGradient(gradOut, 0, lastX, 0, rows, in, out, weight.grad());
    float[] gradIn = new float[rows * in];
    float[] w = weight.value();
    for (int r = Math.max(0, inputGradFrom); r < rows; r++) {
      for (int o = 0; o < out; o++) {
        float g = gradOut[r * out + o];
        if (g != 0f) {
          kernels.axpy(g, w, o * in, gradIn, r * in, in);
        }
      }
    }
    return gradIn;
  }

  @Override
  public List<Param> params() {
    return bias == null ? List.of(weight) : List.of(weight, bias);
  }
}
