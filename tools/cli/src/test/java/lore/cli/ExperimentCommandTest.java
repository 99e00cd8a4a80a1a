package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lore experiment} end to end through the command line. */
class ExperimentCommandTest {
  @TempDir Path dir;

  @Test
  void commandLineRunsAndResumes() throws IOException {
    String[] args = {
      "experiment",
      "--dataset",
      "synthetic",
      "--out",
      dir.toString(),
      "--dim",
      "16",
      "--seen",
      "10",
      "--unseen",
      "8",
      "--train-prompts",
      "100",
      "--test-prompts",
      "20",
      "--train-pairs",
      "20",
      "--splits",
      "2",
      "--few-shot",
      "5",
      "--few-shot-grid",
      "1,5,10",
      "--rank-grid",
      "1,2",
      "--steps",
      "10",
      "--threads",
      "1",
      "--methods",
      "LoRe,LoRe-Eq10,BT"
    };
    String[] r = cli(args);
    assertEquals("0", r[0], r[1] + r[2]);
    assertTrue(r[1].contains("| LoRe |"), r[1]);
    assertTrue(r[1].contains("| BT |"), r[1]);
    assertTrue(r[1].contains("| LoRe-Eq10 |"), r[1]);
    assertTrue(r[2].contains("[8/8]"), r[2]);
    assertTrue(Files.exists(dir.resolve("fewshot.png")));
    assertTrue(Files.exists(dir.resolve("rank.png")));
    String[] again = cli(args);
    assertEquals("0", again[0], again[1] + again[2]);
    assertTrue(again[2].contains("done earlier"), again[2]);
    assertEquals(
        r[1].replaceAll("total .*", ""), again[1].replaceAll("total .*", ""), "same table");

    Files.delete(dir.resolve("results.md"));
    String[] report = cli(append(args, "--report-only"));
    assertEquals("0", report[0], report[1] + report[2]);
    assertTrue(!report[2].contains("[1/8]"), report[2]);
    assertEquals(r[1].replaceAll("total .*", ""), report[1].replaceAll("total .*", ""));
    assertTrue(Files.exists(dir.resolve("results.md")));
  }

  @Test
  void refRunsOnSyntheticDataWithNoParameters() {
    String[] r =
        cli(
            "experiment",
            "--dataset",
            "synthetic",
            "--out",
            dir.toString(),
            "--dim",
            "16",
            "--seen",
            "10",
            "--unseen",
            "8",
            "--train-prompts",
            "100",
            "--test-prompts",
            "20",
            "--train-pairs",
            "20",
            "--splits",
            "1",
            "--few-shot",
            "5",
            "--few-shot-grid",
            "1,5",
            "--rank-grid",
            "none",
            "--rank",
            "2",
            "--steps",
            "5",
            "--threads",
            "1",
            "--methods",
            "ref,BT");
    assertEquals("0", r[0], r[1] + r[2]);
    String row =
        r[1].lines()
            .filter(l -> l.startsWith("| ref |"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(r[1]));
    assertTrue(row.contains("| 0 |"), "ref learns nothing: " + row);
    // the population reward is informative: clearly better than chance on synthetic users
    double seen = Double.parseDouble(row.split("\\|")[2].trim().split(" ")[0]);
    assertTrue(seen > 60, row);
  }

  private static String[] append(String[] a, String s) {
    String[] b = java.util.Arrays.copyOf(a, a.length + 1);
    b[a.length] = s;
    return b;
  }

  @Test
  void commandLineFailsWithOneLine() {
    String[] r =
        cli(
            "experiment",
            "--dataset",
            "synthetic",
            "--out",
            dir.toString(),
            "--methods",
            "LoRe,nope",
            "--dim",
            "8");
    assertEquals("2", r[0]);
    assertEquals(
        "lore: error: unknown method 'nope'; available: LoRe, LoRe-Eq10, BT, LoRe-MLP, PAL-A, PAL-B, VPL\n",
        r[2]);
    r =
        cli(
            "experiment",
            "--dataset",
            "synthetic",
            "--out",
            dir.toString(),
            "--rank-grid",
            "2,x",
            "--dim",
            "8");
    assertEquals("2", r[0]);
    assertEquals("lore: error: --rank-grid: not a rank: 'x'\n", r[2]);
  }

  /** Exit code, stdout, stderr of the CLI run in-process. */
  static String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = LoreCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = LoreCli.run(cl, args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void commandLineRejectsBadSplitChoices() {
    String out = dir.toString();
    String[] r =
        cli(
            "experiment",
            "--out",
            out,
            "--dataset",
            "pairs",
            "--split",
            "prompts",
            "--items",
            "x.npy",
            "--pairs",
            "x.csv");
    assertEquals("2", r[0]);
    assertEquals("lore: error: unknown --split 'prompts'; available: items, pairs\n", r[2]);
    r = cli("experiment", "--out", out, "--dataset", "zappos5", "--split", "items");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("too few for item-disjoint splits: use --split pairs"), r[2]);
    r = cli("experiment", "--dataset", "synthetic", "--out", out, "--split", "pairs", "--dim", "8");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--split applies to --dataset ratings and pairs"), r[2]);
    r = cli("experiment", "--out", out, "--dataset", "zappos5");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--few-shot 9: each zappos5 user has only 8 non-test"), r[2]);
    r = cli("experiment", "--out", out, "--dataset", "nope");
    assertEquals("2", r[0]);
    assertTrue(
        r[2].contains(
            "available: synthetic, personalllm, jester5k, zappos5, movielens, ratings, pairs"),
        r[2]);
    r = cli("experiment", "--out", out, "--dataset", "personalllm");
    assertEquals("2", r[0], r[1] + r[2]);
    assertTrue(r[2].contains("--data-dir"), r[2]);
  }
}
