package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonsTest extends QuietTest {
  @TempDir Path dir;

  /** A deterministic stand-in for a sentence model: the text's length and first chars. */
  static final class FakeEmbedder implements TextEmbedder {
    int calls;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public int dim() {
      return 3;
    }

    @Override
    public void embed(List<String> texts, float[] out, int offset) {
      calls += texts.size();
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        out[offset + 3 * i] = t.length();
        out[offset + 3 * i + 1] = t.isEmpty() ? 0 : t.charAt(0);
        out[offset + 3 * i + 2] = t.hashCode() % 97;
      }
    }
  }

  private static ItemTable table(String... ids) {
    float[] m = new float[ids.length * 2];
    for (int i = 0; i < m.length; i++) {
      m[i] = i * 0.5f;
    }
    return new ItemTable(new Npy.Matrix(m, ids.length, 2), List.of(ids));
  }

  private IOException readFails(String name, String content, Map<String, Integer> index)
      throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return assertThrows(
        IOException.class, () -> Comparisons.read(f, Comparisons.Columns.DEFAULT, index));
  }

  @Test
  void csvWithItemIdsAndSplitsRoundTripsThroughPairsCsv() throws IOException {
    ItemTable t = table("a", "b", "c", "d");
    Path f = dir.resolve("c.csv");
    Files.writeString(
        f,
        "split,user,chosen,rejected,extra\ntrain,u1,a,b,x\ntrain,\"u,2\",c,a,y\ntest,u1,d,c,z\n");
    Comparisons c = Comparisons.read(f, Comparisons.Columns.DEFAULT, t.index());
    assertFalse(c.hasTextItems());
    assertEquals(List.of("train", "test"), c.splitNames());
    assertEquals(List.of("u1", "u,2"), c.users());
    PreferenceSplits s = c.toSplits(t);
    PreferenceData train = s.splits().get("train");
    assertEquals(2, train.pairCount());
    assertEquals(0, train.chosen(0));
    assertEquals(1, train.rejected(0));
    assertEquals(3, s.splits().get("test").chosen(0));
    // "u,2" cannot go to PairsCsv: the canonical writer refuses it up front
    assertThrows(
        IllegalArgumentException.class, () -> s.write(dir.resolve("o"), ProgressListener.NONE));

    Path g = dir.resolve("c2.tsv");
    Files.writeString(g, "who\tbest\tworst\nu1\ta\tb\nu2\tc\td\n");
    Comparisons c2 =
        Comparisons.read(g, new Comparisons.Columns("who", "best", "worst", null, null), t.index());
    assertEquals(List.of(Comparisons.NO_SPLIT), c2.splitNames());
    PreferenceSplits s2 = c2.toSplits(t);
    List<Path> written = s2.write(dir.resolve("out"), ProgressListener.NONE);
    assertTrue(written.contains(dir.resolve("out/all.csv")));
    ItemTable back = ItemTable.read(dir.resolve("out/items.npy"), null, null);
    assertEquals(t.ids(), back.ids());
    assertArrayEquals(t.matrix().data(), back.matrix().data());
    PreferenceData p = PairsCsv.read(dir.resolve("out/all.csv"), back); // by id
    assertEquals(2, p.pairCount());
    assertEquals(2, p.chosen(p.pairStart(p.userIndex("u2"))));
  }

  @Test
  void jsonLinesWithInlineTextsAreDedupedAndEmbeddedThroughTheCache() throws IOException {
    Path f = dir.resolve("c.jsonl");
    Files.writeString(
        f,
        """
        {"user": "w1", "q": {"chosen": "good answer", "rejected": "bad answer"}, "prompt": "p1"}
        {"user": 7, "q": {"chosen": "bad answer", "rejected": "other"}, "split": "test"}

        {"user": "w1", "q": {"chosen": "good answer", "rejected": "other"}}
        """);
    Comparisons c =
        Comparisons.read(
            f, new Comparisons.Columns(null, "q.chosen", "q.rejected", null, null), null);
    assertTrue(c.hasTextItems());
    assertEquals(3, c.size());
    assertEquals(List.of("good answer", "bad answer", "other"), c.itemTexts().texts());
    assertEquals(TextEmbeddings.hash("good answer"), c.itemIds().get(0));
    assertEquals("p1", c.prompt(0));
    assertEquals(null, c.prompt(1));
    assertEquals("7", c.user(1));
    assertEquals(List.of("all", "test"), c.splitNames());
    FakeEmbedder e = new FakeEmbedder();
    ItemTable t = c.embed(e, dir.resolve("cache"), 2, ProgressListener.NONE);
    assertEquals(3, e.calls);
    assertEquals(3, t.rows());
    assertEquals(11f, t.matrix().data()[0]); // "good answer".length()
    PreferenceSplits s = c.toSplits(t);
    assertEquals(2, s.splits().get("all").pairCount());
    c.embed(e, dir.resolve("cache"), 2, ProgressListener.NONE);
    assertEquals(3, e.calls, "the second run reads every vector from the cache");

    Comparisons joined = c.withPromptInText();
    assertEquals("p1\n\ngood answer", joined.itemTexts().texts().get(0));
    assertEquals(5, joined.itemIds().size());
  }

  @Test
  void errorsNameFileAndLine() throws IOException {
    Map<String, Integer> idx = table("a", "b").index();
    IOException e = readFails("bad.csv", "user,chosen,rejected\nu,a,b\nu,a,zz\n", idx);
    assertTrue(e.getMessage().contains("bad.csv:3: unknown rejected item id 'zz'"), e.getMessage());
    e = readFails("same.csv", "user,chosen,rejected\nu,a,b\n\nu,b,b\n", idx);
    assertTrue(
        e.getMessage().contains("same.csv:4: chosen and rejected are the same item 'b'"),
        e.getMessage());
    e = readFails("col.csv", "user,chosen,loser\nu,a,b\n", idx);
    assertTrue(e.getMessage().contains("col.csv:1: no rejected column"), e.getMessage());
    e = readFails("quote.csv", "user,chosen,rejected\nu,a,b\nu,\"a,b\n", idx);
    assertTrue(e.getMessage().contains("quote.csv:3: unterminated quoted field"), e.getMessage());
    e = readFails("short.csv", "user,chosen,rejected\nu,a\n", idx);
    assertTrue(e.getMessage().contains("short.csv:2: expected at least 3 columns"), e.getMessage());
    e =
        readFails(
            "bad.jsonl", "{\"user\":\"u\",\"chosen\":\"x\",\"rejected\":\"y\"}\n{oops\n", null);
    assertTrue(e.getMessage().contains("bad.jsonl:2: malformed JSON"), e.getMessage());
    e = readFails("miss.jsonl", "\n{\"user\":\"u\",\"chosen\":\"x\"}\n", null);
    assertTrue(
        e.getMessage().contains("miss.jsonl:2: missing or non-text field 'rejected'"),
        e.getMessage());
    e =
        readFails(
            "list.jsonl", "{\"user\":\"u\",\"chosen\":\"x\",\"rejected\":[\"y\",\"z\"]}\n", null);
    assertTrue(
        e.getMessage().contains("list.jsonl:1:") && e.getMessage().contains("a list"),
        e.getMessage());
    e = readFails("empty.csv", "user,chosen,rejected\n", idx);
    assertTrue(e.getMessage().contains("empty.csv: no comparisons"), e.getMessage());
    e = readFails("nouser.csv", "user,chosen,rejected\n,a,b\n", idx);
    assertTrue(e.getMessage().contains("nouser.csv:2: empty user id"), e.getMessage());
  }

  @Test
  void missingTableRowNamesTheText() throws IOException {
    Path f = dir.resolve("t.csv");
    Files.writeString(f, "user,chosen,rejected\nu,hello there,bye\n");
    Comparisons c = Comparisons.read(f, Comparisons.Columns.DEFAULT, null);
    IOException e = assertThrows(IOException.class, () -> c.toSplits(table("a", "b")));
    assertTrue(e.getMessage().contains("item text 'hello there'"), e.getMessage());
  }
}
