package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Item texts by id: which column is the id, and when row numbers are refused. */
class ItemTextsTest {
  @TempDir Path dir;

  @Test
  void idColumnsAreFoundUnderTheirUsualNamesInAnyCase() throws IOException {
    Path f = Files.writeString(dir.resolve("jokes.csv"), "Joke_ID,col,Text\n7,a,one\n9,b,two\n");
    ItemTexts t = ItemTexts.readIdentified(f);
    assertEquals(List.of("7", "9"), t.ids());
    assertEquals(List.of("one", "two"), t.texts());
    Path content = Files.writeString(dir.resolve("c.tsv"), "item_id\tContent\nx\thello\n");
    assertEquals(List.of("hello"), ItemTexts.readIdentified(content).texts());
    Path jsonl = Files.writeString(dir.resolve("c.jsonl"), "{\"id\":\"x\",\"body\":\"hi\"}\n");
    assertEquals(List.of("hi"), ItemTexts.readIdentified(jsonl).texts());
  }

  /**
   * Ratings name items by id: texts without ids would be numbered by row and paired with the wrong
   * ratings, so {@code readIdentified} refuses them while {@code read} (for embed) numbers.
   */
  @Test
  void textsWithoutIdsAreRefusedWhereOthersNameThemById() throws IOException {
    Path csv = Files.writeString(dir.resolve("t.csv"), "name,text\na,one\nb,two\n");
    IOException e = assertThrows(IOException.class, () -> ItemTexts.readIdentified(csv));
    assertTrue(
        e.getMessage().startsWith(csv + ":1: no id column (expected one of id,"), e::getMessage);
    assertEquals(List.of("0", "1"), ItemTexts.read(csv, null, null).ids());

    Path txt = Files.writeString(dir.resolve("t.txt"), "one\ntwo\n");
    e = assertThrows(IOException.class, () -> ItemTexts.readIdentified(txt));
    assertTrue(e.getMessage().contains("no ids"), e::getMessage);

    Path jsonl = Files.writeString(dir.resolve("t.jsonl"), "{\"text\":\"one\"}\n");
    assertThrows(IOException.class, () -> ItemTexts.readIdentified(jsonl));
    assertEquals(List.of("0"), ItemTexts.read(jsonl, null, null).ids());
  }
}
