package lore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Report} on a committed JMH result file: {@code report-fixture.json} is real {@code -rf
 * json} output of a tiny run of every benchmark class (ProjectBenchmark with {@code -prof gc}),
 * trimmed to 18 results and without the sample-mode histograms; {@code report-fixture.md} is what
 * Report printed for it before its JSON reader was replaced, so any change to the tables fails
 * here.
 */
class ReportTest {
  /** The kernels of the machine that recorded the expected tables: 16 lanes for the FMA probe. */
  private static final String KERNELS = "panama/512";

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ReportTest.class.getResource(name).toURI());
  }

  private static String render(String kernels) throws IOException, URISyntaxException {
    return Report.render(kernels, List.of(resource("report-fixture.json")));
  }

  /** The report without its CPU and date lines, the only ones that depend on where and when. */
  private static String withoutMachineLines(String report) {
    List<String> lines = report.lines().toList();
    assertEquals(1, lines.stream().filter(l -> l.startsWith("- CPU: ")).count(), report);
    assertEquals(1, lines.stream().filter(l -> l.startsWith("- Date: ")).count(), report);
    return lines.stream()
        .filter(l -> !l.startsWith("- CPU: ") && !l.startsWith("- Date: "))
        .collect(Collectors.joining("\n", "", "\n"));
  }

  @Test
  void printsTheRecordedTables() throws Exception {
    String want = Files.readString(resource("report-fixture.md"));
    assertEquals(want, withoutMachineLines(render(KERNELS)));
  }

  @Test
  void tablesCarryTheFixtureNumbers() throws Exception {
    String got = render(KERNELS);
    for (String row :
        new String[] {
          "- JDK: 25.0.3 (OpenJDK 64-Bit Server VM 25.0.3+9-LTS)",
          "- ND4J native build: avx512", // from the forks' jvmArgs
          "| STREAM-style read, 1 MiB | 1 | 0.013 | - | **78.2 GB/s** |",
          "| FMA peak, 12 chains x 16 lanes | 1 | 0.0042 | - | **92.1 GFLOP/s** |",
          "rows = 64, d = 67, B = 10 (X is 0.017 MB, 8.6e-05 GFLOP)",
          // ratios to ND4J and scalar, the compute roofline, gc.alloc.rate.norm
          "| panama | 0.0083 | 0.0083 | - | 7.32 | 2.29 | 2.07 | 10.3 | 0.00093 | 0.112 (0.057 B/op) |",
          "| nd4j | 0.061 | 0.061 | - | 1.00 | 0.313 | 0.282 | 1.41 | 0.00093 | 0.015 (3926 B/op) |",
          // no scalar result in this group: "-"
          "| panama | 1.14 | 1.14 | - | 25.4 | - | 0.703 | 7.03 | 0.087 | 0.076 |",
          "| 1000 | 10 | nd4j | 67282 | - | 1.00 (3736283 B/op) |",
          "| 1000 | - | engine | 17.1 | - | - (0.120 B/op) |",
          // sample mode: percentiles and a numeric score error, in µs
          "| scalar | 4 | 50 | fitInto | 16.3 | 108 | 11727 | 71.2 ± 33.2 |",
          "| score | 67 | panama | 17.0 | - | 2.03 |",
          // the goals, with the fraction of the roofline of the training table above
          "- training pass, P = 3000, B = 10, 1 thread: >= 0.700 of the roofline on panama/512:"
              + " **not met**, 0.076",
          "- few-shot fitProjected p99 <= 10.0 µs at k = 50, panama kernels, rank 10: **not met**,"
              + " p99 = 61.9 µs (p50 11.4 µs)",
        }) {
      assertTrue(got.lines().anyMatch(row::equals), () -> "no line " + row + " in\n" + got);
    }
  }

  @Test
  void fmaLanesComeFromTheKernelsWidth() throws Exception {
    String got = render("panama/256");
    assertTrue(got.contains("| FMA peak, 12 chains x 8 lanes | 1 | 0.0042 |"), got);
  }

  /** A file with the roofline probes only: no empty sections for the benchmarks it lacks. */
  @Test
  void leavesOutSectionsWithoutResults(@TempDir Path dir) throws Exception {
    var mapper = new ObjectMapper();
    ArrayNode probes = mapper.createArrayNode();
    for (JsonNode r : mapper.readTree(resource("report-fixture.json").toFile())) {
      if (r.get("benchmark").asText().matches(".*\\.(StreamBenchmark|FmaPeakBenchmark)\\..*")) {
        probes.add(r);
      }
    }
    assertEquals(4, probes.size());
    Path file = dir.resolve("probes.json");
    mapper.writeValue(file.toFile(), probes);
    String got = Report.render(KERNELS, List.of(file));
    List<String> headings = got.lines().filter(l -> l.startsWith("#")).toList();
    assertEquals(List.of("## Rooflines measured in this run", "## Targets"), headings, got);
    // nor the blank lines of one (Targets, always printed, may end blank)
    assertFalse(got.substring(0, got.indexOf("## Targets")).contains("\n\n\n"), got);
  }

  @Test
  void rejectsWhatJmhDoesNotWrite(@TempDir Path dir) throws IOException {
    Path object = Files.writeString(dir.resolve("object.json"), "{\"benchmark\": \"a.B.c\"}");
    assertThrows(IllegalArgumentException.class, () -> Report.render(KERNELS, List.of(object)));
    Path trailing = Files.writeString(dir.resolve("trailing.json"), "[] ]");
    assertThrows(IOException.class, () -> Report.render(KERNELS, List.of(trailing)));
    Path textScore =
        Files.writeString(
            dir.resolve("text-score.json"),
            """
            [{"benchmark": "lore.bench.StreamBenchmark.read", "params": {"mib": "1", "threads": "1"},
              "primaryMetric": {"score": "0.5", "scoreUnit": "ms/op",
                                "scorePercentiles": {"0.0": 0.5, "50.0": 0.5}}}]
            """);
    assertThrows(IllegalArgumentException.class, () -> Report.render(KERNELS, List.of(textScore)));
  }
}
