package lore.experiment.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Layers applied in order. Internal; not API. Not thread-safe. */
public final class Sequential implements Layer {
  private final List<Layer> layers;
  private final List<Param> params;

  /** The layers, each one's output width equal to the next one's input width. */
  public Sequential(List<Layer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a sequential model needs at least one layer");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i - 1).outDim() != layers.get(i).inDim()) {
        throw new IllegalArgumentException(
            "layer "
                + i
                + " takes width "
                + layers.get(i).inDim()
                + " but layer "
                + (i - 1)
                + " gives "
                + layers.get(i - 1).outDim());
      }
    }
    this.layers = List.copyOf(layers);
    List<Param> all = new ArrayList<>();
    for (Layer l : layers) {
      all.addAll(l.params());
    }
    this.params = List.copyOf(all);
  }

  /**
   * An MLP over the widths {@code w_0 -> w_1 -> ... -> w_L}: for every hidden width, {@code Dense,
   * Dropout(p), activation} (PAL's projector order; the dropout is omitted when p is 0), then a
   * final {@code Dense} without activation. Parameters are named {@code name.<i>.weight}.
   *
   * @param widths at least two widths
   */
  public static Sequential mlp(
      String name, int[] widths, Activation.Kind act, double dropout, SplittableRandom rnd) {
    if (widths.length < 2) {
      throw new IllegalArgumentException("an MLP needs at least an input and an output width");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i + 1 < widths.length; i++) {
      layers.add(new Dense(name + "." + i, widths[i], widths[i + 1], rnd));
      if (i + 2 < widths.length) {
        if (dropout > 0) {
          layers.add(new Dropout(widths[i + 1], dropout, rnd.split()));
        }
        layers.add(new Activation(act, widths[i + 1]));
      }
    }
    return new Sequential(layers);
  }

  /** The layers, in order. */
  public List<Layer> layers() {
    return layers;
  }

  @Override
  public int inDim() {
    return layers.get(0).inDim();
  }

  @Override
  public int outDim() {
    return layers.get(layers.size() - 1).outDim();
  }

  @Override
  public float[] forward(float[] x, int rows) {
    float[] h = x;
    for (Layer l : layers) {
      h = l.forward(h, rows);
    }
    return h;
  }

  @Override
  public float[] backward(float[] gradOut, int inputGradFrom) {
    float[] g = gradOut;
    for (int i = layers.size() - 1; i >= 1; i--) {
      g = layers.get(i).backward(g, 0); // inner layers need every row's gradient
    }
    return layers.get(0).backward(g, inputGradFrom);
  }

  @Override
  public List<Param> params() {
    return params;
  }

  @Override
  public void training(boolean on) {
    for (Layer l : layers) {
      l.training(on);
    }
  }
}
