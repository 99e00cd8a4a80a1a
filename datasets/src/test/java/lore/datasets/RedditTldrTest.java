package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openai/summarize_from_feedback "comparisons" lines, written by the test. */
class RedditTldrTest extends QuietTest {
  @TempDir Path dir;

  private static String line(int post, String worker, String split, int choice) throws IOException {
    ObjectNode o = JsonLines.JSON.createObjectNode();
    o.putObject("info")
        .put("id", "t3_" + post)
        .put("post", "Post " + post + " body")
        .put("title", "T")
        .put("subreddit", "r");
    var s = o.putArray("summaries");
    s.addObject().put("text", " summary A of " + post).put("policy", "sup").put("note", "");
    s.addObject().put("text", " summary B of " + post).put("policy", "ppo").putNull("note");
    o.put("choice", choice).put("worker", worker).put("split", split).put("batch", "b1");
    o.putObject("extra").put("confidence", 7);
    return JsonLines.JSON.writeValueAsString(o) + "\n";
  }

  @Test
  void workersInBothSplitsBecomeSeenAndUnseenUsersOverSummaryTexts() throws IOException {
    StringBuilder s = new StringBuilder();
    int post = 0;
    for (String w : List.of("w1", "w2", "w3", "w4")) {
      for (int i = 0; i < 5; i++) {
        s.append(line(post++, w, "train", i % 2));
      }
      for (int i = 0; i < 2; i++) {
        s.append(line(post++, w, i == 0 ? "valid1" : "valid2", 1));
      }
    }
    s.append(line(post++, "only-train", "train", 0));
    Path f = dir.resolve("comparisons.jsonl");
    Files.writeString(f, s);
    Comparisons c = new RedditTldr(3, 2, 0).read(f);
    assertEquals(Set.of("w1", "w2", "w3", "w4"), new HashSet<>(c.users()));
    assertEquals(2 * 3 + 2 * 2 + 4 * 2, c.size());
    assertEquals(
        Set.of("train", "fewshot", "test-seen", "test-unseen"), new HashSet<>(c.splitNames()));
    for (int p = 0; p < c.size(); p++) {
      String chosen = c.itemTexts().texts().get(c.chosen(p));
      String rejected = c.itemTexts().texts().get(c.rejected(p));
      String n = c.prompt(p).replaceAll("\\D", "");
      assertEquals("Post " + n + " body", c.prompt(p));
      int k = Integer.parseInt(n);
      boolean valid = k % 7 >= 5;
      String want = valid || k % 7 % 2 == 1 ? " summary B of " + n : " summary A of " + n;
      assertEquals(want, chosen, "choice picks the summary");
      assertTrue(rejected.startsWith(" summary") && !rejected.equals(chosen));
    }
  }

  @Test
  void badChoiceAndMissingFieldsNameTheLine() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(
        f,
        line(1, "w", "train", 0)
            + line(2, "w", "train", 0).replace("\"choice\":0", "\"choice\":2"));
    IOException e = assertThrows(IOException.class, () -> RedditTldr.REFERENCE.read(f));
    assertTrue(e.getMessage().contains("bad.jsonl:2: choice must be 0 or 1"), e.getMessage());
    Files.writeString(f, line(1, "w", "train", 0).replace("\"worker\"", "\"wkr\""));
    e = assertThrows(IOException.class, () -> RedditTldr.REFERENCE.read(f));
    assertTrue(
        e.getMessage().contains("bad.jsonl:1: missing or non-text field 'worker'"), e.getMessage());
    Files.writeString(f, line(1, "w", "train", 0));
    e = assertThrows(IOException.class, () -> RedditTldr.REFERENCE.read(f));
    assertTrue(e.getMessage().contains("no worker has comparisons in both"), e.getMessage());
  }
}
