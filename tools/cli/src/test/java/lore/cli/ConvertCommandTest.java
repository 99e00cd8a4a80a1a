package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.datasets.Dtype;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
  @TempDir Path dir;

  private static float[] random(int n, long seed) {
    var rnd = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  /** 6 items x d with ids i0..i5, and comparisons of 8 users in train/test splits. */
  private Path fixture(int d) throws Exception {
    Path items = dir.resolve("emb.safetensors");
    Safetensors.write(items, "embeddings", random(6 * d, 3), 6, d, Dtype.BF16, Map.of());
    Files.writeString(ItemTable.idsFileFor(items), "i0\ni1\ni2\ni3\ni4\ni5\n");
    StringBuilder s = new StringBuilder("user\twinner\tloser\tsplit\n");
    for (int u = 0; u < 8; u++) {
      for (int k = 0; k < 4; k++) {
        s.append("u")
            .append(u)
            .append("\ti")
            .append(k)
            .append("\ti")
            .append(k + 1 + u % 2)
            .append('\t')
            .append(k < 3 ? "train" : "test")
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("cmp.tsv"), s);
    return items;
  }

  @Test
  void convertThenTrainAndADimensionMismatchIsBadInput() throws Exception {
    Path items = fixture(8);
    Path out = dir.resolve("canon");
    Cli c =
        Cli.run(
            "convert",
            "--layout",
            "comparisons",
            "--in",
            dir.resolve("cmp.tsv").toString(),
            "--items",
            items.toString(),
            "--chosen-column",
            "winner",
            "--rejected-column",
            "loser",
            "--out",
            out.toString());
    assertEquals(0, c.code(), c::dump);
    assertTrue(c.out().contains("converted 6 items x 8, 8 users, 32 pairs"), c::dump);
    assertEquals("i0", Files.readAllLines(out.resolve("items.ids.txt")).get(0));
    // items named by their ids, so the pairs stay right whatever the ids file says
    assertEquals("user,chosen_id,rejected_id", Files.readAllLines(out.resolve("train.csv")).get(0));
    assertEquals(8 * 3 + 1, Files.readAllLines(out.resolve("train.csv")).size());
    Path model = dir.resolve("m.lore");
    Cli t =
        Cli.run(
            "train",
            "--items",
            out.resolve("items.npy").toString(),
            "--pairs",
            out.resolve("train.csv").toString(),
            "--out",
            model.toString(),
            "--rank",
            "2",
            "--no-selection",
            "--steps",
            "3",
            "--threads",
            "1");
    assertEquals(0, t.code(), t::dump);

    Path five = dir.resolve("five.npy");
    Npy.writeFloat32(five, random(6 * 5, 4), 6, 5);
    Cli table =
        Cli.run(
            "convert",
            "--layout",
            "npy",
            "--in",
            five.toString(),
            "--out",
            dir.resolve("five").toString());
    assertEquals(0, table.code(), table::dump);
    Cli s =
        Cli.run(
            "score",
            "--model",
            model.toString(),
            "--items",
            dir.resolve("five/items.npy").toString(),
            "--pairs",
            out.resolve("test.csv").toString());
    assertEquals(2, s.code(), s::dump);
    assertTrue(s.err().startsWith("lore: error: dimension mismatch"), s::dump);
    assertTrue(s.err().contains("6 x 5") && s.err().contains("embedding dim 8"), s::dump);
    assertEquals(1, s.err().lines().count(), s::dump);
  }

  @Test
  void noSplitColumnUsesTheProtocolAndTextsNeedATableWithoutAnEmbedder() throws Exception {
    Path items = fixture(4);
    Path csv = dir.resolve("nosplit.csv");
    Files.writeString(
        csv,
        Files.readString(dir.resolve("cmp.tsv"))
            .replace("\tsplit", "")
            .replace("\ttrain", "")
            .replace("\ttest", "")
            .replace('\t', ','));
    Path out = dir.resolve("p");
    Cli c =
        Cli.run(
            "convert",
            "--layout",
            "comparisons",
            "--in",
            csv.toString(),
            "--items",
            items.toString(),
            "--chosen-column",
            "winner",
            "--rejected-column",
            "loser",
            "--out",
            out.toString(),
            "--unseen-fraction",
            "0.25",
            "--few-shot",
            "1",
            "--split",
            "pairs");
    assertEquals(0, c.code(), c::dump);
    for (String f : List.of("train", "fewshot", "test-seen", "test-unseen")) {
      assertTrue(Files.exists(out.resolve(f + ".csv")), f);
    }
    Path text = dir.resolve("text.csv");
    Files.writeString(text, "user,chosen,rejected\nu,a good reply,a bad reply\n");
    Cli none =
        Cli.run(
            "convert",
            "--layout",
            "comparisons",
            "--in",
            text.toString(),
            "--embedder",
            "none",
            "--out",
            dir.resolve("t").toString());
    assertEquals(2, none.code(), none::dump);
    assertTrue(none.err().contains("--embedder none needs --items"), none::dump);
  }

  @Test
  void malformedInputIsOneLineNamingFileAndLine() throws Exception {
    Path items = fixture(4);
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "user,chosen,rejected\nu,i0,i1\nu,i0,nope\n");
    Cli c =
        Cli.run(
            "convert",
            "--layout",
            "comparisons",
            "--in",
            bad.toString(),
            "--items",
            items.toString(),
            "--out",
            dir.resolve("o").toString());
    assertEquals(2, c.code(), c::dump);
    assertTrue(c.err().contains(bad + ":3: unknown rejected item id 'nope'"), c::dump);
    assertEquals(1, c.err().lines().filter(l -> l.startsWith("lore: error")).count(), c::dump);
    assertFalse(Files.exists(dir.resolve("o/items.npy")));
    Cli missing = Cli.run("convert", "--layout", "prism", "--out", dir.resolve("o").toString());
    assertEquals(2, missing.code(), missing::dump);
    assertTrue(missing.err().contains("--layout prism needs --in"), missing::dump);
  }
}
