package lore.bench;

import org.openjdk.jmh.annotations.Param;

/**
 * The benchmarks of one engine routine against the same algorithm in ND4J array ops. {@code path}
 * is {@code engine} or {@code nd4j}, not {@code impl}: the engine has one implementation here.
 */
public abstract class PathState extends BenchmarkState {
  @Param({"engine", "nd4j"})
  String path;

  boolean nd4j;

  /**
   * Reads {@code path}; for ND4J, one thread and a native build that loads (or one line why not).
   */
  void selectPath() {
    if (!path.equals("engine") && !path.equals("nd4j")) {
      throw new IllegalArgumentException("path " + path + " is not one of engine, nd4j");
    }
    nd4j = path.equals("nd4j");
    if (nd4j) {
      Nd4jPath.threads(1);
    }
  }
}
