package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lore.RewardModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate, train, fit-user and score on files, as a user would chain them. */
class RoundTripTest {
  @TempDir Path dir;

  @Test
  void convertTrainFitScore() throws Exception {
    Path data = dir.resolve("data");
    Cli gen =
        Cli.run(
            "convert",
            "--dataset",
            "synthetic",
            "--out",
            data.toString(),
            "--dim",
            "16",
            "--seen",
            "20",
            "--unseen",
            "10",
            "--few-shot",
            "5",
            "--seed",
            "7");
    assertEquals(0, gen.code(), gen::dump);
    for (String f :
        new String[] {
          "items.npy", "train.csv", "fewshot.csv", "test-seen.csv", "test-unseen.csv"
        }) {
      assertTrue(Files.isRegularFile(data.resolve(f)), () -> f + " missing\n" + gen.dump());
    }
    assertTrue(gen.out().contains("fewshot"), gen::dump);

    Path items = data.resolve("items.npy");
    Path model = dir.resolve("model.lore");
    Cli train =
        Cli.run(
            "train",
            "--items",
            items.toString(),
            "--pairs",
            data.resolve("train.csv").toString(),
            "--out",
            model.toString(),
            "--rank",
            "4",
            "--no-selection",
            "--steps",
            "20",
            "--lr",
            "2",
            "--threads",
            "2",
            "--seed",
            "3");
    assertEquals(0, train.code(), train::dump);
    assertTrue(train.out().contains("final loss"), train::dump);
    RewardModel trained = RewardModel.load(model);
    assertEquals("2.0", trained.metadata().get("learningRate"), "--lr reaches the model");
    assertEquals(4, trained.rank());
    assertEquals(16, trained.dim());
    assertEquals(20, trained.userCount());

    Path extended = dir.resolve("model2.lore");
    Cli fit =
        Cli.run(
            "fit-user",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--pairs",
            data.resolve("fewshot.csv").toString(),
            "--out",
            extended.toString());
    assertEquals(0, fit.code(), fit::dump);
    assertTrue(fit.out().startsWith("fitted 10 users from 50 pairs"), fit::dump);
    RewardModel withNew = RewardModel.load(extended);
    assertEquals(30, withNew.userCount());
    String newUser = withNew.userId(29);
    assertTrue(fit.out().contains(newUser + "  ["), fit::dump);

    Cli top =
        Cli.run(
            "score",
            "--model",
            extended.toString(),
            "--items",
            items.toString(),
            "--user",
            newUser,
            "--top",
            "5");
    assertEquals(0, top.code(), top::dump);
    Matcher rows =
        Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(-?\\d+\\.\\d+)$").matcher(top.out());
    double previous = Double.POSITIVE_INFINITY;
    int count = 0;
    while (rows.find()) {
      double score = Double.parseDouble(rows.group(3));
      assertTrue(score <= previous, top::dump);
      previous = score;
      count++;
    }
    assertEquals(5, count, top::dump);

    Cli acc =
        Cli.run(
            "score",
            "--model",
            extended.toString(),
            "--items",
            items.toString(),
            "--pairs",
            data.resolve("test-unseen.csv").toString());
    assertEquals(0, acc.code(), acc::dump);
    assertTrue(
        acc.out().matches("(?s)accuracy \\d+\\.\\d (±|\\+-) \\d+\\.\\d % over 10 users.*"),
        acc::dump);
  }

  @Test
  void trainStoresTheRowsInBf16OnRequest() throws Exception {
    Path data = dir.resolve("data");
    Cli gen =
        Cli.run(
            "convert",
            "--dataset",
            "synthetic",
            "--out",
            data.toString(),
            "--dim",
            "16",
            "--seen",
            "20",
            "--unseen",
            "10",
            "--few-shot",
            "5",
            "--seed",
            "7");
    assertEquals(0, gen.code(), gen::dump);
    Path model = dir.resolve("bf16.lore");
    Cli train =
        Cli.run(
            "train",
            "--items",
            data.resolve("items.npy").toString(),
            "--pairs",
            data.resolve("train.csv").toString(),
            "--out",
            model.toString(),
            "--rank",
            "4",
            "--no-selection",
            "--steps",
            "20",
            "--storage",
            "bf16");
    assertEquals(0, train.code(), train::dump);
    assertTrue(train.out().contains("storage BFLOAT16"), train::dump);
    assertEquals("BFLOAT16", RewardModel.load(model).metadata().get("storage"));
  }
}
