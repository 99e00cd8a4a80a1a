package lore.experiment.nn;

import java.util.List;

/** Residual connection {@code y = x + inner(x)}; the inner layer must keep the width. */
public final class Residual implements Layer {
  private final Layer inner;

  /** Wraps {@code inner}, whose input and output widths must be equal. */
  public Residual(Layer inner) {
    if (inner.inDim() != inner.outDim()) {
      throw new IllegalArgumentException(
          "a residual connection needs equal widths, got "
              + inner.inDim()
              + " -> "
              + inner.outDim());
    }
    this.inner = inner;
  }

  @Override
  public int inDim() {
    return inner.inDim();
  }

  @Override
  public int outDim() {
    return inner.outDim();
  }

  @Override
  public float[] forward(float[] x, int rows) {
    float[] y = inner.forward(x, rows);
    float[] out = new float[rows * inner.outDim()];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[i] + y[i];
    }
    return out;
  }

  @Override
  public float[] backward(float[] gradOut, int inputGradFrom) {
    float[] g = inner.backward(gradOut, inputGradFrom);
    for (int i = Math.max(0, inputGradFrom) * inner.inDim(); i < g.length; i++) {
      g[i] += gradOut[i];
    }
    return g;
  }

  @Override
  public List<Param> params() {
    return inner.params();
  }

  @Override
  public void training(boolean on) {
    inner.training(on);
  }
}
