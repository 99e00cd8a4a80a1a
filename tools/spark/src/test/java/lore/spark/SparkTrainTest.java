package lore.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit main class, run in the tests' shared context. */
class SparkTrainTest {
  @TempDir static Path dir;
  static Fixtures fx;

  @BeforeAll
  static void data() throws IOException {
    fx = Fixtures.write(dir, 3, 120, 24, 40, 20, 2);
  }

  /** Exit code, then stderr. */
  static Object[] run(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = SparkTrain.run(args, LocalSpark.context());
      return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void trainsTheConfigurationGivenAndWritesAModelFile() throws IOException {
    Path out = dir.resolve("m.lore");
    Object[] r =
        run(
            "--items",
            fx.items.toString(),
            "--pairs",
            fx.pairs.toString(),
            "--out",
            out.toString(),
            "--rank",
            "3",
            "--steps",
            "15",
            "--lr",
            "2",
            "--partitions",
            "1",
            "--layout",
            "differences",
            "--no-selection");
    assertEquals(0, r[0], (String) r[1]);
    RewardModel m = RewardModel.load(out);
    RewardModel local =
        new Trainer(
                TrainConfig.defaults()
                    .withRank(3)
                    .withSteps(15)
                    .withLearningRate(2)
                    .withLayout(TrainConfig.Layout.DIFFERENCES))
            .train(fx.data);
    assertArrayEquals(local.basis(), m.basis(), "one partition: the single-machine arithmetic");
    assertEquals(fx.data.userCount(), m.userCount());
  }

  @Test
  void aBadRowNamesItsFileAndLineAndWritesNothing() throws IOException {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "user,chosen_row,rejected_row\na,1,2\nb,3,999\n");
    Path out = dir.resolve("never.lore");
    Object[] r =
        run("--items", fx.items.toString(), "--pairs", bad.toString(), "--out", out.toString());
    assertEquals(2, r[0]);
    assertTrue(
        ((String) r[1]).contains(bad + ":3: user b: rejected item 999 is outside [0, 120)"),
        (String) r[1]);
    assertFalse(Files.exists(out));
  }

  @Test
  void badOptionsFailBeforeSparkWithTheirReason() {
    Object[] r =
        run(
            "--items", fx.items.toString(),
            "--pairs", fx.pairs.toString(),
            "--out", fx.pairs.toString());
    assertEquals(2, r[0]);
    assertTrue(((String) r[1]).contains("would replace an input"), (String) r[1]);
    r = run("--items", fx.items.toString(), "--pairs", "/no/such.csv", "--out", "x.lore");
    assertEquals(2, r[0]);
    assertTrue(((String) r[1]).contains("/no/such.csv: no such file"), (String) r[1]);
  }
}
