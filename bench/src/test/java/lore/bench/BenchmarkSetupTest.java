package lore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lore.internal.kernel.KernelProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Smoke test for CI: runs every benchmark's {@code @Setup} (which checks its result against the
 * scalar reference and throws on a mismatch) and one call of each benchmark method, at tiny sizes
 * and without timing, so that a benchmark that would compute the wrong thing fails {@code mvn
 * verify} instead of publishing a number. d = 67 and 37 exercise the vector tails.
 */
class BenchmarkSetupTest {
  private static final String[] IMPLS = {"panama", "scalar", "ejml", "nd4j"};
  private static final String[] PATHS = {"engine", "nd4j"};

  /** The benchmark classes the tests below set up; a new one must join them. */
  private static final Set<Class<?>> SMOKE_TESTED =
      Set.of(
          ProjectBenchmark.class,
          GradientBenchmark.class,
          FusedPassBenchmark.class,
          TrainIterationBenchmark.class,
          SimplexBenchmark.class,
          LogisticLossBenchmark.class,
          FewShotFitBenchmark.class,
          ColdStartBenchmark.class,
          ScoreBenchmark.class,
          StreamBenchmark.class,
          FmaPeakBenchmark.class);

  /**
   * Runs {@code body} for each of {@code impls} that can run here; where no ND4J native build
   * loads, the test is then reported as skipped with the reason (after the others ran), never a
   * crash.
   */
  private static void forEach(String[] impls, Consumer<String> body) {
    for (String impl : impls) {
      if (!impl.equals("nd4j") || Nd4jNatives.unavailableReason().isEmpty()) {
        body.accept(impl);
      }
    }
    assumeTrue(Nd4jNatives.unavailableReason().isEmpty(), Nd4jNatives.unavailableReason());
  }

  /** A kernel benchmark at rank 3 over {@code rows} rows of dimension d. */
  private static <T extends KernelState> T kernel(T b, String impl, int d, int rows) {
    b.impl = impl;
    b.d = d;
    b.B = 3;
    b.rows = rows;
    return b;
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void projectMatchesScalarForEveryImpl(int d) {
    forEach(
        IMPLS,
        impl -> {
          var b = kernel(new ProjectBenchmark(), impl, d, 33);
          b.setUp();
          assertNotNull(b.project(), impl);
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void gradientMatchesScalarForEveryImpl(int d) {
    forEach(
        IMPLS,
        impl -> {
          var b = kernel(new GradientBenchmark(), impl, d, 33);
          b.setUp();
          assertNotNull(b.gradient(), impl);
        });
  }

  /** The shared check is not vacuous: a second call accumulates into grad, which it must catch. */
  @Test
  void productCheckCatchesAWrongResult() {
    forEach(
        IMPLS,
        impl -> {
          var b = kernel(new GradientBenchmark(), impl, 37, 33);
          b.setUp();
          assertThrows(IllegalStateException.class, b::check, impl);
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {67, 37})
  void fusedPassMatchesScalarForEveryImpl(int d) {
    forEach(
        IMPLS,
        impl -> {
          var b = kernel(new FusedPassBenchmark(), impl, d, 100);
          b.setUp();
          b.fusedPass();
          b.tearDown();
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void trainIterationMatchesScalarForEveryImpl(int threads) {
    forEach(
        IMPLS,
        impl -> {
          var b = new TrainIterationBenchmark();
          b.impl = impl;
          b.B = 5;
          b.threads = threads;
          b.P = 3000; // more than CHECK_ROWS: the check covers a prefix
          b.users = 40;
          b.d = 37;
          b.storage = "float32";
          b.setUp();
          b.problem.iterate();
          b.tearDown();
        });
  }

  /** The engine's bf16 rows against its scalar pass over the same rounded rows. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void trainIterationInBf16MatchesScalar(int threads) {
    for (String impl : new String[] {"panama", "scalar"}) {
      var b = new TrainIterationBenchmark();
      b.impl = impl;
      b.B = 10;
      b.threads = threads;
      b.P = 3000;
      b.users = 40;
      b.d = 100;
      b.storage = "bf16";
      b.setUp();
      assertNotNull(b.problem.xBf16, impl);
      b.problem.iterate();
      b.tearDown();
    }
  }

  @Test
  void simplexMatchesEngine() {
    forEach(
        PATHS,
        path -> {
          var b = new SimplexBenchmark();
          b.path = path;
          b.B = 7;
          b.n = 20;
          b.setUp();
          assertNotNull(b.project(), path);
        });
  }

  @Test
  void logisticLossMatchesScalar() {
    forEach(
        PATHS,
        path -> {
          var b = new LogisticLossBenchmark();
          b.path = path;
          b.n = 1000;
          b.setUp();
          b.loss(null);
        });
  }

  @Test
  void unknownPathIsRejected() {
    var b = new SimplexBenchmark();
    b.path = "ejml";
    assertThrows(IllegalArgumentException.class, b::setUp);
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
  void coldStartChoosesTheBestGainAndUpdatesLikeTheBatchFit() {
    for (int k : new int[] {1, 9}) {
      var b = new ColdStartBenchmark();
      b.kernels = engineKernels();
      b.candidates = 300;
      b.k = k;
      b.rank = 4;
      b.d = 67;
      b.setUp();
      assertEquals(k, b.observe().pairs());
      b.resetUser();
      assertEquals(k - 1, b.user.pairs());
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

  /** JMH's generated list of benchmarks: one line per benchmark method. */
  private static Stream<BenchmarkListEntry> benchmarkList() throws IOException {
    var in = BenchmarkSetupTest.class.getResourceAsStream("/META-INF/BenchmarkList");
    assertNotNull(in, "no META-INF/BenchmarkList: the JMH annotation processor did not run");
    try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).map(BenchmarkListEntry::new).toList().stream();
    }
  }

  @Test
  void everyBenchmarkClassIsSmokeTested() throws IOException {
    Set<String> listed =
        benchmarkList()
            .map(BenchmarkListEntry::getUserClassQName)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> tested =
        SMOKE_TESTED.stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(listed, tested);
  }

  /** The profile the classes inherit from {@link BenchmarkState} is the one README describes. */
  @Test
  void everyBenchmarkRunsTheFullProfile() throws IOException {
    for (BenchmarkListEntry e : benchmarkList().toList()) {
      String name = e.getUsername();
      assertEquals(5, e.getWarmupIterations().orElse(0), name);
      assertEquals("2 s", String.valueOf(e.getWarmupTime().orElse(null)), name);
      assertEquals(5, e.getMeasurementIterations().orElse(0), name);
      assertEquals("2 s", String.valueOf(e.getMeasurementTime().orElse(null)), name);
      assertEquals(1, e.getForks().orElse(0), name);
      String mode = name.contains("FewShotFit") || name.contains("ColdStart") ? "sample" : "avgt";
      assertEquals(mode, e.getMode().shortLabel(), name);
    }
  }
}
