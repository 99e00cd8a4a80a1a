package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import lore.RewardModel;
import lore.datasets.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input exits with code 2 and exactly one line {@code lore: error: ...}, no stack trace. */
class ErrorsTest {
  @TempDir static Path dir;
  static Path items;
  static Path model;
  static Path train;

  @BeforeAll
  static void trainSmallModel() {
    TinyModel tiny = TinyModel.create(dir);
    items = tiny.items();
    train = tiny.train();
    model = tiny.model();
  }

  private static void assertOneLineError(Cli r, String... fragments) {
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.out().isEmpty(), r::dump);
    assertTrue(r.err().startsWith("lore: error: "), r::dump);
    assertEquals(1, r.err().lines().count(), r::dump);
    assertFalse(r.err().contains("\tat "), r::dump);
    for (String f : fragments) {
      assertTrue(r.err().contains(f), () -> "expected '" + f + "'\n" + r.dump());
    }
  }

  @Test
  void missingItemsFile() {
    Path missing = dir.resolve("nope.npy");
    assertOneLineError(
        Cli.run("score", "--model", model.toString(), "--items", missing.toString(), "--user", "x"),
        "items file not found",
        missing.toString());
  }

  @Test
  void missingModelFile() {
    Path missing = dir.resolve("nope.lore");
    assertOneLineError(
        Cli.run(
            "fit-user",
            "--model",
            missing.toString(),
            "--items",
            items.toString(),
            "--pairs",
            train.toString()),
        "model file not found",
        missing.toString());
  }

  @Test
  void unknownUser() {
    assertOneLineError(
        Cli.run(
            "score",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--user",
            "no-such-user"),
        "unknown user no-such-user");
  }

  @Test
  void modelItemsDimensionMismatch() throws Exception {
    Path wide = dir.resolve("wide.npy");
    Npy.writeFloat32(wide, new float[3 * 5], 3, 5);
    assertOneLineError(
        Cli.run(
            "score",
            "--model",
            model.toString(),
            "--items",
            wide.toString(),
            "--user",
            RewardModel.load(model).userId(0)),
        "dimension mismatch",
        "3 x 5",
        "embedding dim 8");
  }

  @Test
  void corruptModelFile() throws Exception {
    assertOneLineError(
        Cli.run("score", "--model", items.toString(), "--items", items.toString(), "--user", "x"),
        items.toString());
  }

  @Test
  void usageErrorIsOneLine() {
    assertOneLineError(Cli.run("train", "--items", items.toString()), "Missing required option");
    assertOneLineError(Cli.run("frobnicate"), "frobnicate");
    assertOneLineError(
        TinyModel.train(items, train, dir.resolve("m.lore"), "--optimizer", "sgd"), "--optimizer");
    assertOneLineError(
        TinyModel.train(items, train, dir.resolve("m.lore"), "--storage", "fp8"), "--storage fp8");
    assertOneLineError(
        TinyModel.train(items, train, dir.resolve("m.lore"), "--learning-rate", "0"),
        "--learning-rate 0.0 must be positive");
  }

  @Test
  void invalidTrainConfigIsBadInput() {
    assertOneLineError(
        TinyModel.train(
            items,
            train,
            dir.resolve("m.lore"),
            "--optimizer",
            "alternating",
            "--simplex",
            "softmax"),
        "ALTERNATING");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    Cli r =
        Cli.run(
            "--verbose",
            "score",
            "--model",
            model.toString(),
            "--items",
            items.toString(),
            "--user",
            "no-such-user");
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.err().contains("\tat "), r::dump);
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("lore: error: unknown user")), r::dump);
  }

  @Test
  void versionNamesLoreJavaAndKernels() {
    Cli r = Cli.run("--version");
    assertEquals(0, r.code(), r::dump);
    assertTrue(
        r.out().matches("(?s)lore \\d+\\.\\d+.*\njava .*\nkernels (scalar|panama/\\d+)\n"),
        r::dump);
  }
}
