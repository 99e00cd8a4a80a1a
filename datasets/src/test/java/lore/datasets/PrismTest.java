package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PRISM conversations (published layout) and the reference's prepared rows, written by the test.
 */
class PrismTest extends QuietTest {
  @TempDir Path dir;

  private static ObjectNode utterance(int turn, String role, String content, boolean chosen) {
    ObjectNode u = JsonLines.JSON.createObjectNode();
    u.put("turn", turn).put("role", role).put("content", content).put("within_turn_id", 0);
    if (!role.equals("user")) {
      u.put("if_chosen", chosen).put("model_name", "m").put("score", chosen ? 80 : 40);
    }
    return u;
  }

  /** 4 users x 6 dialogs x 2 turns, each turn with 1 chosen and 2 or 3 rejected replies. */
  private Path conversations() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int u = 0; u < 4; u++) {
      for (int c = 0; c < 6; c++) {
        ObjectNode o = JsonLines.JSON.createObjectNode();
        o.put("conversation_id", "c" + u + "-" + c)
            .put("user_id", "user" + u)
            .put("conversation_turns", 2)
            .put("open_feedback", "ok");
        ArrayNode h = o.putArray("conversation_history");
        for (int t = 0; t < 2; t++) {
          h.add(utterance(t, "user", "Q" + t + " of " + u + "/" + c + ", isn't it?", false));
          h.add(utterance(t, "model", "chosen '" + u + "/" + c + "/" + t + "', yes", true));
          for (int r = 0; r < 2 + t; r++) {
            h.add(utterance(t, "model", "rejected " + r + " of " + u + "/" + c + "/" + t, false));
          }
        }
        s.append(JsonLines.JSON.writeValueAsString(o)).append('\n');
      }
    }
    Path f = dir.resolve("conversations.jsonl");
    Files.writeString(f, s);
    return f;
  }

  private static void assertNoListRepr(Comparisons c) {
    for (String t : c.itemTexts().texts()) {
      assertFalse(t.startsWith("["), t);
      assertFalse(t.contains("', '"), t);
    }
  }

  @Test
  void conversationsPairTheChosenReplyWithEachRejectedOne() throws IOException {
    Comparisons c = Prism.REFERENCE.read(conversations());
    assertEquals(4 * 6 * (2 + 3), c.size());
    assertNoListRepr(c);
    // 4 users x 6 dialogs x (2 chosen + 5 rejected) distinct texts
    assertEquals(4 * 6 * 7, c.itemIds().size());
    for (int p = 0; p < c.size(); p++) {
      String chosen = c.itemTexts().texts().get(c.chosen(p));
      String rejected = c.itemTexts().texts().get(c.rejected(p));
      assertTrue(chosen.startsWith("chosen '"), chosen);
      assertTrue(rejected.startsWith("rejected "), rejected);
      assertTrue(c.prompt(p).startsWith("user: Q0 of "), c.prompt(p));
      if (rejected.endsWith("/1")) {
        assertTrue(c.prompt(p).contains("\nassistant: chosen '"), "history has the chosen reply");
      }
    }
    assertEquals(
        Set.of("train", "test-seen", "fewshot", "test-unseen"),
        new HashSet<>(c.splitNames()),
        "seed 123");
    // 80% of 4 users seen: 3 seen, 1 unseen; dialogs halved
    assertEquals(4, c.users().size());
    int fewshot = 0;
    for (int p = 0; p < c.size(); p++) {
      fewshot += c.split(p).equals("fewshot") ? 1 : 0;
    }
    assertEquals(3 * 5, fewshot);
    Path f = conversations();
    IOException e = assertThrows(IOException.class, () -> new Prism(0.8, 7, 123).read(f));
    assertTrue(e.getMessage().contains("no user has at least 7 dialogs"), e.getMessage());
  }

  @Test
  void preparedRowsWithARejectedListNeverEmbedTheListsStringForm() throws IOException {
    StringBuilder s = new StringBuilder();
    String[][] rows = {
      {"u1", "d1", "train", "true"},
      {"u1", "d2", "test", "true"},
      {"u2", "d3", "train", "false"},
      {"u2", "d4", "test", "false"}
    };
    for (String[] r : rows) {
      ObjectNode o = JsonLines.JSON.createObjectNode();
      o.putArray("prompt").addObject().put("role", "user").put("content", "hi " + r[1]);
      ObjectNode x = o.putObject("extra_info");
      x.put("user_id", r[0])
          .put("dialog_id", r[1])
          .put("split", r[2])
          .put("seen", Boolean.parseBoolean(r[3]))
          .put("turn_nb", 0);
      x.put("chosen_utterance", "best of " + r[1]);
      x.putArray("rejected_utterance").add("worse, of " + r[1]).add("worst of " + r[1]);
      s.append(JsonLines.JSON.writeValueAsString(o)).append('\n');
    }
    s.append(
        "{\"prompt\":[],\"extra_info\":{\"user_id\":\"u1\",\"dialog_id\":\"d1\","
            + "\"split\":\"train\",\"seen\":true,\"turn_nb\":1}}\n");
    Path f = dir.resolve("train.jsonl");
    Files.writeString(f, s);
    Comparisons c = Prism.REFERENCE.read(f);
    assertEquals(8, c.size());
    assertNoListRepr(c);
    assertEquals(List.of("train", "test-seen", "fewshot", "test-unseen"), c.splitNames());
    assertEquals("user: hi d1", c.prompt(0));
    assertEquals("worse, of d1", c.itemTexts().texts().get(c.rejected(0)));
    assertEquals("worst of d1", c.itemTexts().texts().get(c.rejected(1)));
  }

  @Test
  void malformedLinesNameFileAndLine() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(
        f,
        "{\"conversation_id\":\"c\",\"user_id\":\"u\",\"conversation_history\":"
            + "[{\"turn\":0,\"role\":\"user\"}]}\n");
    IOException e = assertThrows(IOException.class, () -> Prism.REFERENCE.read(f));
    assertTrue(
        e.getMessage().contains("bad.jsonl:1: conversation_history[0] needs turn"), e.getMessage());
    Files.writeString(
        f,
        "\n{\"extra_info\":{\"user_id\":\"u\",\"dialog_id\":\"d\",\"split\":"
            + "\"train\",\"seen\":true,\"chosen_utterance\":\"a\",\"rejected_utterance\":[1]}}\n");
    e = assertThrows(IOException.class, () -> Prism.REFERENCE.read(f));
    assertTrue(
        e.getMessage().contains("bad.jsonl:2: extra_info.rejected_utterance[0] is not a text"),
        e.getMessage());
    Files.writeString(f, "{\"something\":1}\n");
    e = assertThrows(IOException.class, () -> Prism.REFERENCE.read(f));
    assertTrue(e.getMessage().contains("bad.jsonl:1: neither"), e.getMessage());
  }
}
