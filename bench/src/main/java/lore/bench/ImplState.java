package lore.bench;

import org.openjdk.jmh.annotations.Param;

/** The benchmarks that run one operation in each {@link Impl}, at model rank B. */
public abstract class ImplState extends BenchmarkState {
  @Param({"panama", "scalar", "ejml", "nd4j"})
  String impl;

  @Param({"2", "10", "50"})
  int B;
}
