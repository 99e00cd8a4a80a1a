package lore.bench;

import lore.RewardModel;
import org.openjdk.jmh.annotations.Param;

/** The end-to-end benchmarks: a small trained model, through the public API, on chosen kernels. */
public abstract class EngineState extends BenchmarkState {
  /** The engine's process-wide kernels for this trial (see {@link EngineModels#selectKernels}). */
  @Param({"panama", "scalar"})
  String kernels;

  /** Model rank; not named B, so that {@code -p B=...} for the kernels leaves it alone. */
  @Param({"10"})
  int rank;

  /** Selects {@code kernels} before the first engine call, then trains the model of dimension d. */
  RewardModel trainedModel(int d) {
    EngineModels.selectKernels(kernels);
    return EngineModels.tiny(d, rank);
  }
}
