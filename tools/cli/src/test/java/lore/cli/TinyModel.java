package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command-line tests' shared fixture: a tiny synthetic dataset (d = 8, 6 seen and 3 new users,
 * written by {@code convert}) and a rank-2 model trained on it without selection.
 */
public record TinyModel(Path items, Path train, Path fewshot, Path model) {

  public static TinyModel create(Path dir) {
    Path data = dir.resolve("data");
    Cli gen =
        Cli.run(
            "convert",
            "--dataset",
            "synthetic",
            "--out",
            data.toString(),
            "--dim",
            "8",
            "--seen",
            "6",
            "--unseen",
            "3");
    assertEquals(0, gen.code(), gen::dump);
    TinyModel m =
        new TinyModel(
            data.resolve("items.npy"),
            data.resolve("train.csv"),
            data.resolve("fewshot.csv"),
            dir.resolve("model.lore"));
    Cli t = trainFixedRank(m.items(), m.train(), m.model());
    assertEquals(0, t.code(), t::dump);
    return m;
  }

  /** {@code lore train --items items --pairs pairs --out out} with {@code more} options. */
  static Cli train(Path items, Path pairs, Path out, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "train",
                "--items",
                items.toString(),
                "--pairs",
                pairs.toString(),
                "--out",
                out.toString()));
    a.addAll(List.of(more));
    return Cli.run(a.toArray(String[]::new));
  }

  /**
   * {@link #train} of a fast fixed rank-2 model (no selection, 3 steps, 1 thread) and {@code more}.
   */
  static Cli trainFixedRank(Path items, Path pairs, Path out, String... more) {
    List<String> a =
        new ArrayList<>(List.of("--rank", "2", "--no-selection", "--steps", "3", "--threads", "1"));
    a.addAll(List.of(more));
    return train(items, pairs, out, a.toArray(String[]::new));
  }
}
