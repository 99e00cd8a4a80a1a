package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lore.datasets.ItemTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {
  @TempDir Path dir;

  @Test
  void embedsTextsWithMiniLmAndReusesTheCache() throws Exception {
    Path texts = dir.resolve("items.csv");
    Files.writeString(texts, "id,text\nx,\"A cat sat, on a mat.\"\ny,Stock markets fell today.\n");
    Path out = dir.resolve("items.npy");
    Cli r =
        Cli.run("embed", "--texts", texts.toString(), "--out", out.toString(), "--threads", "1");
    assertEquals(0, r.code(), r::dump);
    ItemTable t = ItemTable.read(out, null, null);
    assertEquals(List.of("x", "y"), t.ids());
    assertEquals(384, t.cols());
    double norm = 0;
    for (int j = 0; j < 384; j++) {
      norm += t.matrix().data()[j] * t.matrix().data()[j];
    }
    assertEquals(1.0, norm, 1e-3, "MiniLM vectors are unit-normalized");
    assertTrue(Files.exists(dir.resolve(".lore-cache/all-minilm-l6-v2.sha256")), r::dump);
    Cli again =
        Cli.run(
            "embed", "--texts", texts.toString(), "--out", dir.resolve("b.safetensors").toString());
    assertEquals(0, again.code(), again::dump);
    assertTrue(again.err().contains("embed 0/0") || !again.err().contains("embed 1/"), again::dump);
    ItemTable b = ItemTable.read(dir.resolve("b.safetensors"), null, null);
    assertEquals(
        t.matrix().data()[5], b.matrix().data()[5], 0f, "cached vectors are reused exactly");
  }

  @Test
  void duplicatedTextIdIsBadInputNamingTheLine() throws Exception {
    Path texts = dir.resolve("dup.csv");
    Files.writeString(texts, "id,text\nx,one\nx,two\n");
    Cli r = Cli.run("embed", "--texts", texts.toString(), "--out", dir.resolve("o.npy").toString());
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.err().contains(texts + ":3: duplicated item id 'x'"), r::dump);
    assertTrue(!Files.exists(dir.resolve("o.npy")), "no output file left");
  }
}
