package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results file's lines: the field names and value types that the recorded experiments were
 * written with (non-finite numbers as null), and a round trip through the file.
 */
class ResultsFileTest {
  @TempDir Path dir;

  static MethodResult method(String name, double unseenStd) {
    TreeMap<Integer, Double> curve = new TreeMap<>();
    curve.put(1, 0.5);
    curve.put(9, Double.NaN);
    return new MethodResult(
        3,
        name,
        5,
        12_345_678_901L,
        9,
        new Accuracy(40, 0.9125, 0.0625),
        new Accuracy(1, 0.75, unseenStd),
        new Accuracy(41, 1.0, 1e-7),
        curve,
        2.5,
        0.125,
        "",
        List.of(0.75, 1.0, 0.25),
        List.of(new CvScore(1, Double.POSITIVE_INFINITY, 0.5), new CvScore(2, 3.0, 0.625)));
  }

  static RankResult rank() {
    return new RankResult(3, "LoRe", List.of(2, 5), List.of(0.8, Double.NaN), 2, 17);
  }

  @Test
  void linesKeepTheRecordedFormat() throws IOException {
    ResultsFile f = ResultsFile.open(dir, "fp \"quoted\"\n");
    f.add(method("PAL-A", Double.NaN));
    f.add(rank());
    assertEquals(
        List.of(
            "{\"type\":\"experiment\",\"fingerprint\":\"fp \\\"quoted\\\"\\n\"}",
            "{\"type\":\"method\",\"split\":3,\"method\":\"PAL-A\",\"rank\":5,"
                + "\"parameterCount\":12345678901,\"fewShot\":9,"
                + "\"seen\":{\"users\":40,\"mean\":0.9125,\"std\":0.0625},"
                + "\"unseen\":{\"users\":1,\"mean\":0.75,\"std\":null},"
                + "\"overall\":{\"users\":41,\"mean\":1.0,\"std\":1.0E-7},"
                + "\"fewShotCurve\":{\"1\":0.5,\"9\":null},"
                + "\"trainSeconds\":2.5,\"adaptSeconds\":0.125,\"perUser\":[0.75,1.0,0.25],"
                + "\"selectionScores\":[{\"rank\":1,\"strength\":null,\"accuracy\":0.5},"
                + "{\"rank\":2,\"strength\":3.0,\"accuracy\":0.625}]}",
            "{\"type\":\"rank\",\"split\":3,\"method\":\"LoRe\",\"ranks\":[2,5],"
                + "\"validationAccuracy\":[0.8,null],\"chosen\":2,\"validationUsers\":17}"),
        Files.readAllLines(f.path(), StandardCharsets.UTF_8));
  }

  @Test
  void whatIsWrittenIsReadBack() {
    ResultsFile f = ResultsFile.open(dir, "fp");
    MethodResult m = method("a \"b\"\t\\c", Double.NaN);
    f.add(m);
    f.add(rank());
    ResultsFile again = ResultsFile.open(dir, "fp");
    // records compare doubles as Double.compare does, so NaN fields are equal
    assertEquals(List.of(m), again.methods());
    assertEquals(List.of(rank()), again.ranks());
    assertEquals(m, again.method(3, "a \"b\"\t\\c").orElseThrow());
  }

  @Test
  void aMalformedLineIsReportedWithItsNumber() throws IOException {
    ResultsFile.open(dir, "fp").add(rank());
    Path file = dir.resolve(ResultsFile.NAME);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String bad :
        new String[] {
          "{\"type\":\"rank\",\"split\":1", // torn
          "{\"type\":\"rank\"} trailing",
          "[1, 2]",
          "{\"type\":\"method\",\"split\":0}", // missing fields
          "{\"type\":\"rank\",\"split\":\"0\",\"method\":\"LoRe\",\"ranks\":[2],"
              + "\"validationAccuracy\":[0.8],\"chosen\":2,\"validationUsers\":17}",
          "{\"type\":\"other\"}"
        }) {
      Files.write(file, List.of(lines.get(0), lines.get(1), bad), StandardCharsets.UTF_8);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ResultsFile.open(dir, "fp"), bad);
      assertTrue(e.getMessage().contains(ResultsFile.NAME + " line 3: "), e.getMessage());
    }
  }
}
