package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recorded experiments under {@code tools/docs/experiments} are resumed from: every committed
 * {@code results.jsonl} must still open under its own fingerprint, and the report written from it
 * alone (nothing is run) must reproduce every section of the committed {@code results.md}, the
 * timing column aside. The configuration is rebuilt from the file's fingerprint and the table's R
 * and method order. A report written before a section existed (the table over the splits every
 * method has) lacks it; the regenerated report may add such a section.
 */
class RecordedResultsTest {
  /** Surefire runs in the module directory, tools/experiment. */
  static final Path RECORDED = Path.of("..", "docs", "experiments");

  private static final Pattern FINGERPRINT =
      Pattern.compile(
          "(?s)(.*); seed (-?\\d+); k (\\d+); k grid \\[([^\\]]*)\\]; rank grid \\[([^\\]]*)\\];"
              + " validation fraction ([^;]+?)(?:; methods: (.*))?");
  private static final Pattern SPLITS = Pattern.compile("(?m)^R = (\\d+) random splits");
  private static final String MAIN_TABLE = "| Method | Seen | Unseen | Overall | Params | B |";
  private static final String SPREAD_TABLE = "| Method | Seen | Unseen | Overall | Train s |";

  @TempDir Path dir;

  static Stream<Path> folders() throws IOException {
    List<Path> found;
    try (Stream<Path> s = Files.list(RECORDED)) {
      found = s.filter(p -> Files.isRegularFile(p.resolve(ResultsFile.NAME))).sorted().toList();
    }
    assertFalse(found.isEmpty(), "no recorded results under " + RECORDED.toAbsolutePath());
    return found.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("folders")
  void resumesAndReproducesTheCommittedReport(Path folder) throws IOException {
    Path jsonl = folder.resolve(ResultsFile.NAME);
    String header = Files.readAllLines(jsonl, StandardCharsets.UTF_8).getFirst();
    String fingerprint = new ObjectMapper().readTree(header).get("fingerprint").asText();
    String committed = Files.readString(folder.resolve(Report.TABLE), StandardCharsets.UTF_8);
    Files.copy(jsonl, dir.resolve(ResultsFile.NAME));

    ExperimentConfig config = configOf(fingerprint, committed, jsonl);
    assertEquals(fingerprint, config.fingerprint(), "the rebuilt configuration");
    ExperimentResults results = new Experiment(config).report();

    assertFalse(results.methodResults().isEmpty(), folder + ": nothing loaded");
    String report = Files.readString(dir.resolve(Report.TABLE), StandardCharsets.UTF_8);
    Map<String, String> written = sections(withoutTiming(report));
    Map<String, String> expected = sections(withoutTiming(committed));
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertEquals(e.getValue(), written.get(e.getKey()), folder + ": section " + e.getKey());
    }
  }

  /** The report's sections by their first line: the preamble, then one per "## " heading. */
  private static Map<String, String> sections(String md) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : md.split("\n(?=## )")) {
      out.put(s.lines().findFirst().orElse(""), s.strip());
    }
    return out;
  }

  /** The configuration of the run that wrote {@code md}, with methods that only have names. */
  private ExperimentConfig configOf(String fingerprint, String md, Path jsonl) throws IOException {
    Matcher f = FINGERPRINT.matcher(fingerprint);
    assertTrue(f.matches(), "unexpected fingerprint: " + fingerprint);
    Matcher r = SPLITS.matcher(md);
    assertTrue(r.find(), "no R in the committed report");
    String ranked = Files.readString(jsonl, StandardCharsets.UTF_8);
    List<PreferenceMethod> methods = new ArrayList<>();
    List<RankedMethod> families = new ArrayList<>();
    for (String name : tableMethods(md)) {
      if (ranked.contains("{\"type\":\"rank\",\"split\":0,\"method\":\"" + name + "\"")) {
        families.add(TestMethods.family(name, rank -> TestMethods.named(name)));
      } else {
        methods.add(TestMethods.named(name));
      }
    }
    return ExperimentConfig.of(new Recorded(f.group(1)), dir)
        .withSplits(Integer.parseInt(r.group(1)))
        .withSeed(Long.parseLong(f.group(2)))
        .withFewShot(Integer.parseInt(f.group(3)))
        .withFewShotGrid(ints(f.group(4)))
        .withRankGrid(ints(f.group(5)))
        .withValidationFraction(Double.parseDouble(f.group(6)))
        .withMethodSettings(f.group(7) == null ? "" : f.group(7))
        .withRankedMethods(families)
        .withMethods(methods);
  }

  private static List<Integer> ints(String csv) {
    return csv.isBlank()
        ? List.of()
        : Arrays.stream(csv.split(",")).map(s -> Integer.valueOf(s.strip())).toList();
  }

  /** Method names of the main table, in its order. */
  private static List<String> tableMethods(String md) {
    List<String> names = new ArrayList<>();
    List<String> lines = md.lines().toList();
    int at =
        lines.indexOf(
            lines.stream()
                .filter(l -> l.startsWith(MAIN_TABLE))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no main table")));
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      names.add(lines.get(i).split("\\|")[1].strip());
    }
    return names;
  }

  /** The report without the last column of the spread table (training time). */
  static String withoutTiming(String md) {
    StringBuilder out = new StringBuilder();
    boolean inSpread = false;
    for (String line : md.split("\n", -1)) {
      inSpread = line.startsWith(SPREAD_TABLE) || (inSpread && line.startsWith("|"));
      if (inSpread) {
        String[] cells = line.split("\\|", -1); // "", cells..., ""
        line = String.join("|", Arrays.copyOf(cells, cells.length - 2)) + "|";
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** The recorded dataset as the report sees it: its description and validation unit. */
  private record Recorded(String description) implements ExperimentDataset {
    @Override
    public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
      throw new AssertionError("a report draws no split");
    }

    @Override
    public String validationUnit() {
      return description.contains("split by pair")
          ? PairSplitDataset.VALIDATION_UNIT
          : ExperimentDataset.super.validationUnit();
    }
  }
}
