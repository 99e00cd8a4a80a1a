package lore.experiment.nn;

import java.util.List;

/**
 * A differentiable map from {@code rows x inDim} to {@code rows x outDim}. The layer remembers what
 * it needs from the last {@link #forward} (by reference: callers must not modify the input array
 * until the matching {@link #backward}). Internal; not API. Not thread-safe.
 */
public interface Layer {

  /** Input width. */
  int inDim();

  /** Output width. */
  int outDim();

  /**
   * Forward pass over {@code rows} rows.
   *
   * @param x rows x inDim, not modified (kept by reference until backward)
   * @return a new rows x outDim array
   */
  float[] forward(float[] x, int rows);

  /**
   * Backward pass for the last forward: accumulates into the parameters' gradients and returns the
   * gradient with respect to the input.
   *
   * @param gradOut rows x outDim, dL/d(output); not modified
   * @param inputGradFrom the input gradient is computed for rows {@code [inputGradFrom, rows)}
   *     only; rows before it are unspecified. Pass {@code rows} when the input is a constant
   *     (frozen embeddings), which skips the {@code G W} product of the first dense layer.
   * @return rows x inDim, dL/d(input) (rows before {@code inputGradFrom} unspecified)
   */
  float[] backward(float[] gradOut, int inputGradFrom);

  /** The learnable parameters, in a fixed order. */
  List<Param> params();

  /** Switches dropout between training (random masks) and evaluation (identity). */
  default void training(boolean on) {}
}
