package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import lore.PreferenceData;
import lore.datasets.SyntheticConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
  static final long SEED = Long.getLong("lore.test.seed", 20250611L);

  @TempDir Path dir;

  /** Ratings of users with known linear rewards: the oracle is right on every pair. */
  record Linear(PreferenceData data, Map<String, float[]> directions) {
    static Linear random(long seed, int items, int d, int users, int pairs) {
      SplittableRandom rnd = new SplittableRandom(seed);
      float[] e = new float[items * d];
      for (int i = 0; i < e.length; i++) {
        e[i] = (float) rnd.nextGaussian();
      }
      PreferenceData.Builder b = PreferenceData.builder(e, items, d);
      Map<String, float[]> dirs = new HashMap<>();
      for (int u = 0; u < users; u++) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) {
          w[j] = (float) rnd.nextGaussian();
        }
        String id = "u" + u;
        dirs.put(id, w);
        for (int p = 0; p < pairs; p++) {
          int x = rnd.nextInt(items);
          int y = (x + 1 + rnd.nextInt(items - 1)) % items;
          double m = 0;
          for (int j = 0; j < d; j++) {
            m += w[j] * (e[x * d + j] - e[y * d + j]);
          }
          if (m > 0) {
            b.add(id, x, y);
          } else if (m < 0) {
            b.add(id, y, x);
          }
        }
      }
      return new Linear(b.build(), dirs);
    }
  }

  private ExperimentConfig linearConfig(Linear data, Path out) {
    return ExperimentConfig.of(new ItemSplitDataset(data.data(), "linear", null, 0.5, 0.3, 0), out)
        .withSeed(SEED)
        .withFewShot(3)
        .withFewShotGrid(List.of(1, 3, 5))
        .withRankGrid(List.of(1, 2));
  }

  @Test
  void oracleScoresPerfectlyOnEverySplit() {
    Linear data = Linear.random(SEED, 40, 5, 16, 40);
    ExperimentResults r =
        new Experiment(
                linearConfig(data, dir)
                    .withSplits(2)
                    .withMethods(List.of(TestMethods.oracle(data.directions()))))
            .run();
    ExperimentResults.MethodSummary s = r.summaries().get(0);
    assertEquals(1.0, s.seen().mean(), 0.0, "seed=" + SEED);
    assertEquals(1.0, s.unseen().mean(), 0.0, "seed=" + SEED);
    assertEquals(1.0, s.overall().mean(), 0.0, "seed=" + SEED);
    assertEquals(0.0, s.seen().std(), 0.0, "seed=" + SEED);
    assertEquals(List.of(1, 3, 5), List.copyOf(s.fewShotCurve().keySet()));
  }

  @Test
  void anExperimentNeedsAMethod() {
    ExperimentConfig none = linearConfig(Linear.random(SEED, 20, 3, 4, 5), dir);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Experiment(none));
    assertTrue(e.getMessage().contains("at least one method"), e.getMessage());
  }

  @Test
  void resumeSkipsFinishedWork() throws IOException {
    Linear data = Linear.random(SEED, 40, 5, 16, 40);
    AtomicInteger oracleTrains = new AtomicInteger();
    AtomicInteger btTrains = new AtomicInteger();
    AtomicInteger familyTrains = new AtomicInteger();
    RankedMethod family =
        TestMethods.family(
            "LoRe",
            rank -> TestMethods.counting(TestMethods.engine("LoRe", rank, 5), familyTrains));
    java.util.function.IntFunction<ExperimentConfig> config =
        splits ->
            linearConfig(data, dir)
                .withSplits(splits)
                .withRankedMethods(List.of(family))
                .withMethods(
                    List.of(
                        TestMethods.counting(TestMethods.oracle(data.directions()), oracleTrains),
                        TestMethods.counting(TestMethods.engine("BT", 1, 5), btTrains)));

    ExperimentResults first = new Experiment(config.apply(2)).run();
    assertEquals(2, oracleTrains.get());
    assertEquals(2, btTrains.get());
    assertEquals(2 * (2 + 1), familyTrains.get()); // 2 ranks + the chosen one, per split
    Path results = dir.resolve("results.jsonl");
    assertEquals(1 + 2 * 4, Files.readAllLines(results).size());

    // a rerun finds everything done
    ExperimentResults again = new Experiment(config.apply(2)).run();
    assertEquals(2, oracleTrains.get());
    assertEquals(2, btTrains.get());
    assertEquals(6, familyTrains.get());
    assertEquals(first.methodResults(), again.methodResults());

    // interrupted before the last result was written: only that one runs again
    List<String> lines = Files.readAllLines(results);
    Files.write(results, lines.subList(0, lines.size() - 1));
    new Experiment(config.apply(2)).run();
    assertEquals(3, btTrains.get());
    assertEquals(2, oracleTrains.get());
    assertEquals(6, familyTrains.get());

    // a larger R adds splits and keeps the old ones
    ExperimentResults more = new Experiment(config.apply(3)).run();
    assertEquals(3, oracleTrains.get());
    assertEquals(4, btTrains.get());
    assertEquals(9, familyTrains.get());
    assertEquals(3 * 3, more.methodResults().size());
    assertEquals(3, more.rankResults().size());
  }

  @Test
  void resumeRefusesAnotherExperimentsResults() {
    Linear data = Linear.random(SEED, 30, 4, 10, 30);
    ExperimentConfig config =
        linearConfig(data, dir)
            .withSplits(1)
            .withMethods(List.of(TestMethods.oracle(data.directions())));
    new Experiment(config).run();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Experiment(config.withSeed(SEED + 1)).run());
    assertTrue(e.getMessage().contains("holds results of another experiment"), e.getMessage());
  }

  @Test
  void syntheticEndToEndWritesTableAndPlots() throws IOException {
    SyntheticConfig tiny = new SyntheticConfig(16, 150, 40, 4, 5, 0.01, 16, 12, 30, 9, 7L);
    ExperimentConfig config =
        ExperimentConfig.of(new SyntheticDataset(tiny), dir)
            .withSplits(2)
            .withSeed(SEED)
            .withFewShot(5)
            .withFewShotGrid(List.of(1, 2, 5, 10))
            .withRankGrid(List.of(1, 2, 5))
            .withRankedMethods(List.of(TestMethods.engineFamily("LoRe", 30)))
            .withMethods(List.of(TestMethods.engine("BT", 1, 30)));
    ExperimentResults r = new Experiment(config).run();
    String md = Files.readString(dir.resolve("results.md"), StandardCharsets.UTF_8);
    assertEquals(r.markdown(), md);
    assertTrue(md.contains("| Method | Seen | Unseen | Overall | Params | B | Splits |"), md);
    assertTrue(md.matches("(?s).*\\| LoRe \\| \\d+\\.\\d ± \\d+\\.\\d \\|.*"), md);
    assertTrue(md.matches("(?s).*\\| BT \\| \\d+\\.\\d ± \\d+\\.\\d \\|.*\\| 16 \\|.*"), md);
    assertTrue(md.contains("std over splits"), md);
    assertTrue(md.contains("## Rank selection: LoRe"), md);
    assertTrue(md.contains("## Per user, against BT"), md);
    assertTrue(md.matches("(?s).*\\| LoRe \\| \\d+ \\| \\d+\\.\\d% \\|.*"), md);
    for (String png : new String[] {"fewshot.png", "rank.png", "peruser.png"}) {
      byte[] b = Files.readAllBytes(dir.resolve(png));
      assertTrue(b.length > 1000, png);
      assertEquals((byte) 0x89, b[0], png);
      assertEquals('P', b[1], png);
      assertEquals('N', b[2], png);
      assertEquals('G', b[3], png);
    }
    for (ExperimentResults.MethodSummary s : r.summaries()) {
      assertTrue(s.seen().mean() > 0.6, () -> s + " seed=" + SEED);
      assertEquals(2, s.seen().splits());
      assertEquals(List.of(1, 2, 5, 10), List.copyOf(s.fewShotCurve().keySet()));
    }
    assertEquals(2, r.summaries().get(0).ranks().size());
  }

  /** Users pair up by position within a split; only splits both methods have are pooled. */
  @Test
  void perUserDifferencesCountHelpedUnchangedAndHurt() {
    java.util.function.BiFunction<String, List<Double>, MethodResult> result =
        (name, perUser) ->
            new MethodResult(
                0,
                name,
                0,
                1,
                1,
                new Accuracy(3, 0.5, 0.1),
                new Accuracy(0, 0, 0),
                new Accuracy(3, 0.5, 0.1),
                new java.util.TreeMap<>(),
                0,
                0,
                "",
                perUser,
                List.of());
    MethodResult lore = result.apply("LoRe", List.of(0.5, 1.0, 0.75));
    MethodResult bt = result.apply("BT", List.of(0.5, 0.5, 1.0));
    ExperimentConfig config =
        ExperimentConfig.of(new SyntheticDataset(SyntheticConfig.paperScale(0.01)), dir);
    ExperimentResults r = new ExperimentResults(config, List.of(lore, bt), List.of());
    ExperimentResults.PerUserDifference d = r.perUserDifference("LoRe", "BT").orElseThrow();
    assertEquals(3, d.users());
    assertEquals(1, d.helped());
    assertEquals(1, d.unchanged());
    assertEquals(1, d.hurt());
    assertEquals(0.25 / 3, d.mean(), 1e-12);
    assertEquals(-0.25, d.quantile(0), 1e-12);
    assertEquals(0.5, d.quantile(1), 1e-12);
    assertTrue(
        r.markdown().contains("| LoRe | 3 | 33.3% | 33.3% | 33.3% | +8.33 | -20.0 / +40.0 |"),
        r.markdown());
    MethodResult chose =
        new MethodResult(
            1,
            "LoRe",
            1,
            1,
            1,
            new Accuracy(3, 0.5, 0.1),
            new Accuracy(0, 0, 0),
            new Accuracy(3, 0.5, 0.1),
            new java.util.TreeMap<>(),
            0,
            0,
            "B=1 lambda=inf (BT)",
            List.of(),
            List.of(new CvScore(1, Double.POSITIVE_INFINITY, 0.5), new CvScore(2, 3.0, 0.625)));
    String md = new ExperimentResults(config, List.of(lore, chose, bt), List.of()).markdown();
    assertTrue(md.contains("## What the methods chose"), md);
    assertTrue(md.contains("| LoRe | B=1 lambda=inf (BT) | 1 |"), md);
    assertTrue(md.contains("## Cross-validation: rank x strength (LoRe)"), md);
    assertTrue(
        md.contains(
            "| | lambda=inf | lambda=3.0 |\n|---|---|---|\n| B=1 | 50.0 |  |\n"
                + "| B=2 |  | 62.5 |\n"),
        md);
    // results recorded before per-user accuracies: no comparison rather than a wrong one
    MethodResult old = result.apply("LoRe", List.of());
    assertTrue(
        new ExperimentResults(config, List.of(old, bt), List.of())
            .perUserDifference("LoRe", "BT")
            .isEmpty());
  }

  @Test
  void aSecondRunWithOtherMethodsReportsEveryMethodOfTheDirectory() throws IOException {
    SyntheticConfig tiny = new SyntheticConfig(16, 150, 40, 4, 5, 0.01, 16, 12, 30, 9, 7L);
    ExperimentConfig base =
        ExperimentConfig.of(new SyntheticDataset(tiny), dir)
            .withSeed(SEED)
            .withFewShot(5)
            .withRankGrid(List.of(1, 2));
    List<RankedMethod> lore = List.of(TestMethods.engineFamily("LoRe", 20));
    List<PreferenceMethod> bt = List.of(TestMethods.engine("BT", 1, 20));
    new Experiment(base.withSplits(1).withRankedMethods(lore)).run();
    ExperimentResults second = new Experiment(base.withSplits(1).withMethods(bt)).run();
    assertEquals(List.of("BT", "LoRe"), second.methodNames(), "configured first, then the rest");
    assertEquals(List.of("LoRe"), second.rankFamilies());
    String md = Files.readString(dir.resolve("results.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("| BT | "), md);
    assertTrue(md.contains("| LoRe | "), md);
    assertTrue(md.contains("## Rank selection: LoRe"), md);
    assertTrue(!md.contains("## On the splits every method has"), "same splits: no extra table");

    new Experiment(base.withSplits(2).withRankedMethods(lore))
        .run(); // LoRe on splits 0 and 1, BT on split 0 only
    ExperimentResults both =
        new Experiment(base.withSplits(2).withRankedMethods(lore).withMethods(bt)).report();
    md = both.markdown();
    assertTrue(md.contains("## On the splits every method has\n\nSplits 0 only"), md);
    String loreSplit0 =
        ExperimentResults.pct(
            both.methodResults().stream()
                .filter(r -> r.method().equals("LoRe") && r.split() == 0)
                .findFirst()
                .orElseThrow()
                .unseen()
                .mean());
    String common = md.substring(md.indexOf("## On the splits every method has"));
    assertTrue(common.contains("| LoRe | "), common);
    assertEquals(
        loreSplit0,
        common
            .lines()
            .filter(l -> l.startsWith("| LoRe |"))
            .findFirst()
            .orElseThrow()
            .split("\\|")[3]
            .strip(),
        "LoRe's unseen accuracy on split 0 alone");
  }
}
