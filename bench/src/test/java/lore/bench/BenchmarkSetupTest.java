package lore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import lore.internal.kernel.KernelProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Smoke test for CI: runs every benchmark's {@code @Setup} (which checks its result against the
 * scalar reference and throws on a mismatch) and one call of each benchmark method, at tiny sizes
 * and without timing, so that a benchmark that would compute the wrong thing fails {@code mvn
 * verify} instead of publishing a number. d = 67 and 37 exercise the vector tails.
 */
class BenchmarkSetupTest {
  private static final String[] IMPLS = {"panama", "scalar", "ejml", "nd4j"};

  /**
   * Whether the ND4J path can run here; where no native build loads, ND4J cases are skipped with
   * the reason (after the other implementations ran), never a crash.
   */
  private static boolean runs(String impl) {
    return !impl.equals("nd4j") || Nd4jNatives.unavailableReason().isEmpty();
  }

  private static void assumeNd4j() {
    assumeTrue(Nd4jNatives.unavailableReason().isEmpty(), Nd4jNatives.unavailableReason());
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void projectMatchesScalarForEveryImpl(int d) {
    for (String impl : IMPLS) {
      if (!runs(impl)) {
        continue;
      }
      var b = new ProjectBenchmark();
      b.impl = impl;
      b.d = d;
      b.B = 3;
      b.rows = 33;
      b.setUp();
      assertNotNull(b.project(), impl);
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void gradientMatchesScalarForEveryImpl(int d) {
    for (String impl : IMPLS) {
      if (!runs(impl)) {
        continue;
      }
      var b = new GradientBenchmark();
      b.impl = impl;
      b.d = d;
      b.B = 3;
      b.rows = 33;
      b.setUp();
      assertNotNull(b.gradient(), impl);
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void fusedPassMatchesScalarForEveryImpl(int d) {
    for (String impl : IMPLS) {
      if (!runs(impl)) {
        continue;
      }
      var b = new FusedPassBenchmark();
      b.impl = impl;
      b.d = d;
      b.B = 3;
      b.rows = 100;
      b.setUp();
      b.fusedPass();
      b.tearDown();
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void trainIterationMatchesScalarForEveryImpl(int threads) {
    for (String impl : IMPLS) {
      if (!runs(impl)) {
        continue;
      }
      var b = new TrainIterationBenchmark();
      b.impl = impl;
      b.B = 5;
      b.threads = threads;
      b.P = 3000; // more than CHECK_ROWS: the check covers a prefix
      b.users = 40;
      b.d = 37;
      b.setUp();
      b.problem.iterate();
      b.tearDown();
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  @Test
  void simplexMatchesEngine() {
    for (String path : new String[] {"engine", "nd4j"}) {
      if (!runs(path)) {
        continue;
      }
      var b = new SimplexBenchmark();
      b.path = path;
      b.B = 7;
      b.n = 20;
      b.setUp();
      assertNotNull(b.project(), path);
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  @Test
  void logisticLossMatchesScalar() {
    for (String path : new String[] {"engine", "nd4j"}) {
      if (!runs(path)) {
        continue;
      }
      var b = new LogisticLossBenchmark();
      b.path = path;
      b.n = 1000;
      b.setUp();
      b.loss(null);
    }
    assumeNd4j(); // reported as skipped, with the reason, when ND4J cannot load here
  }

  /** This JVM's process-wide kernels, the only ones the end-to-end benchmarks can use here. */
  private static String engineKernels() {
    return KernelProvider.get().name().split("/")[0];
  }

  @Test
  void fewShotFitMatchesScalarProjection() {
    for (int k : new int[] {9, 50}) {
      var b = new FewShotFitBenchmark();
      b.kernels = engineKernels();
      b.k = k;
      b.rank = 4;
      b.d = 67;
      b.setUp();
      assertEquals(4, b.fitInto().length);
      assertEquals(4, b.fitProjected().length);
    }
  }

  @Test
  void scoreAndRerankMatchScalar() {
    var b = new ScoreBenchmark();
    b.kernels = engineKernels();
    b.d = 67;
    b.rank = 3;
    b.setUp();
    b.score();
    assertEquals(ScoreBenchmark.CANDIDATES, b.rerank().length);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void streamSumCountsTheOnes(int threads) {
    var b = new StreamBenchmark();
    b.threads = threads;
    b.mib = 1;
    b.setUp(); // throws unless the vector sum counts the ones (float total, 1e-4 relative)
    b.tearDown();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void fmaChainsMatchMathFma(int threads) {
    var b = new FmaPeakBenchmark();
    b.threads = threads;
    b.iterations = 1000;
    b.setUp();
    b.tearDown();
  }
}
