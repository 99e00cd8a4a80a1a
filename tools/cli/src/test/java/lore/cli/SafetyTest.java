package lore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import lore.RewardModel;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Inputs that a probe found accepted silently or handled badly: each now gets a clear error or a
 * documented behaviour, and no output ever replaces an input.
 */
class SafetyTest {
  @TempDir static Path dir;
  static Path items;
  static Path train;
  static Path fewshot;
  static Path model;

  @BeforeAll
  static void data() {
    TinyModel tiny = TinyModel.create(dir);
    items = tiny.items();
    train = tiny.train();
    fewshot = tiny.fewshot();
    model = tiny.model();
  }

  static Cli train(Path pairs, Path out, String... more) {
    return TinyModel.trainFixedRank(items, pairs, out, more);
  }

  static void assertError(Cli r, int code, String... fragments) {
    assertEquals(code, r.code(), r::dump);
    // progress lines may come first; the error is one line, the last
    List<String> errors = r.err().lines().filter(l -> l.startsWith("lore: error: ")).toList();
    assertEquals(1, errors.size(), r::dump);
    assertEquals(errors.getFirst(), r.err().lines().reduce((a, b) -> b).orElseThrow(), r::dump);
    assertTrue(!r.err().contains("\tat "), r::dump);
    for (String f : fragments) {
      assertTrue(r.err().contains(f), () -> "expected '" + f + "'\n" + r.dump());
    }
  }

  /** Case 1: {@code train --out items.npy} overwrote its own input and exited 0. */
  @Test
  void anOutputNeverReplacesAnInput() throws Exception {
    byte[] before = Files.readAllBytes(items);
    assertError(train(train, items), 2, "--out", "is an input");
    assertError(train(train, train), 2, "is an input");
    // the same file under another spelling of its path
    Path other = items.getParent().resolve("../data/./items.npy");
    assertError(train(train, other), 2, "is an input");
    assertArrayEquals(before, Files.readAllBytes(items));
    Cli fit =
        Cli.run(
            "fit-user",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--pairs",
            fewshot.toString(),
            "--out",
            model.toString());
    assertError(fit, 2, "is an input");
    Cli convert =
        Cli.run(
            "convert",
            "--layout",
            "npy",
            "--in",
            items.toString(),
            "--out",
            items.getParent().toString());
    assertError(convert, 2, "would replace the input");
    assertArrayEquals(before, Files.readAllBytes(items));
  }

  /**
   * Case 2: pairs naming items by the ids of an ids file were read as row numbers, and training
   * ignored the ids file beside the items.
   */
  @Test
  void pairsByIdUseTheIdsFileBesideTheItems() throws Exception {
    Path d = Files.createDirectories(dir.resolve("ids"));
    Npy.Matrix m = lore.datasets.Npy.read(items);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < m.rows(); i++) {
      ids.add("item-" + (m.rows() - i)); // ids in reverse order: rows and ids disagree everywhere
    }
    Path table = d.resolve("items.npy");
    new ItemTable(m, ids).write(table, ItemTable.idsFileFor(table));
    List<String> rows = Files.readAllLines(train);
    List<String> byId = new ArrayList<>(List.of("user,chosen_id,rejected_id"));
    for (String line : rows.subList(1, rows.size())) {
      String[] f = line.split(",");
      byId.add(
          f[0] + "," + ids.get(Integer.parseInt(f[1])) + "," + ids.get(Integer.parseInt(f[2])));
    }
    Path pairsById = Files.write(d.resolve("train-ids.csv"), byId);
    Path out = d.resolve("by-id.lore");
    Cli t =
        Cli.run(
            "train",
            "--items",
            table.toString(),
            "--pairs",
            pairsById.toString(),
            "--out",
            out.toString(),
            "--rank",
            "2",
            "--no-selection",
            "--steps",
            "3",
            "--threads",
            "1");
    assertEquals(0, t.code(), t::dump);
    // the same items and pairs as the row-numbered original: the same model, bit for bit
    assertArrayEquals(RewardModel.load(model).basis(), RewardModel.load(out).basis());
    // the original header over a table with ids is refused rather than guessed
    Path ambiguous =
        Files.write(d.resolve("ambiguous.csv"), List.of("user,chosen,rejected", "u,1,2"));
    Cli bad =
        Cli.run(
            "train",
            "--items",
            table.toString(),
            "--pairs",
            ambiguous.toString(),
            "--out",
            d.resolve("x.lore").toString());
    assertError(bad, 2, "user,chosen_id,rejected_id", "user,chosen_row,rejected_row");
  }

  /** Case 5: {@code --logit-scale 1e30} and {@code --prior -1} were accepted. */
  @Test
  void outOfRangeValuesAreRejected() {
    assertError(train(train, dir.resolve("s.lore"), "--logit-scale", "1e30"), 2, "logit scale");
    Cli prior =
        Cli.run(
            "fit-user",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--pairs",
            fewshot.toString(),
            "--prior",
            "-1");
    assertError(prior, 2, "--prior");
  }

  /** Case 6: {@code --threads 100000} ran out of memory and took minutes to exit. */
  @Test
  void threadsAreBounded() {
    assertError(train(train, dir.resolve("t.lore"), "--threads", "100000"), 2, "--threads");
  }

  /** Case 8: fit-user replaced a seen user's trained weights without saying so. */
  @Test
  void refittingASeenUserNeedsReplace() throws Exception {
    Cli r =
        Cli.run(
            "fit-user",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--pairs",
            train.toString());
    assertError(r, 2, "already in the model", "--replace");
    Path out = dir.resolve("replaced.lore");
    Cli ok =
        Cli.run(
            "fit-user",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--pairs",
            train.toString(),
            "--replace",
            "--out",
            out.toString());
    assertEquals(0, ok.code(), ok::dump);
    assertTrue(ok.out().contains("replaced"), ok::dump);
  }

  @Command(name = "oom")
  static final class Oom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Command(name = "bug")
  static final class Bug implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("impossible state");
    }
  }

  static Cli runWith(Object command, String name) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = LoreCli.commandLine();
    cl.addSubcommand(name, command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Cli(LoreCli.run(cl, name), out.toString(), err.toString());
  }

  /** Case 6: out of memory exited with code 1 although the README promised 2; it is 3 now. */
  @Test
  void exitCodesFollowTheTable() {
    assertError(runWith(new Oom(), "oom"), 3, "out of memory", "LORE_HEAP");
    assertError(runWith(new Bug(), "bug"), 1, "internal error", "impossible state");
    assertError(train(train, dir.resolve("r.lore"), "--rank", "two"), 2, "--rank", "two");
  }

  /**
   * {@code train} chooses the rank by cross-validation unless told not to; a fixed {@code --rank}
   * without {@code --no-selection} was silently ignored before it was refused.
   */
  @Test
  void aFixedRankNeedsNoSelection() throws Exception {
    Path out = dir.resolve("selected.lore");
    Cli refused = TinyModel.train(items, train, out, "--rank", "2", "--threads", "1");
    assertError(refused, 2, "--rank 2 fixes the rank", "--no-selection", "--cv-ranks");
    assertTrue(!Files.exists(out), "no model from a refused run");
    Cli paper = TinyModel.train(items, train, out, "--paper-optimizer", "--threads", "1");
    assertError(paper, 2, "--paper-optimizer", "--no-selection");
    Cli paperFixed =
        TinyModel.train(
            items,
            train,
            out,
            "--paper-optimizer",
            "--no-selection",
            "--rank",
            "2",
            "--steps",
            "3",
            "--threads",
            "1");
    assertEquals(0, paperFixed.code(), paperFixed::dump);
    Files.delete(out);
    Cli ignored =
        TinyModel.train(
            items,
            train,
            out,
            "--no-selection",
            "--rank",
            "2",
            "--cv-learning-rates",
            "0.5,8",
            "--threads",
            "1");
    assertError(ignored, 2, "--cv-learning-rates", "--no-selection");
    assertTrue(!Files.exists(out), "no model from a refused run");
    Cli selected =
        TinyModel.train(
            items,
            train,
            out,
            "--steps",
            "5",
            "--cv-ranks",
            "2",
            "--cv-strengths",
            "1",
            "--cv-path-steps",
            "3",
            "--cv-learning-rates",
            "0.5,8",
            "--threads",
            "1");
    assertEquals(0, selected.code(), selected::dump);
    assertTrue(selected.err().contains("cross-validation chose rank"), selected::dump);
    assertTrue(selected.err().contains("basis learning rate "), selected::dump);
    String rate = RewardModel.load(out).metadata().get("learningRate");
    assertTrue(rate.equals("0.5") || rate.equals("8.0"), "a candidate rate, got " + rate);
    int rank = RewardModel.load(out).rank();
    assertTrue(rank == 1 || rank == 2, "a candidate rank (1: the BT limit), got " + rank);
  }
}
