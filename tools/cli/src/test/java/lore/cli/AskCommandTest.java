package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AskCommandTest {
  private static final String TINY =
      "--dataset synthetic --dim 16 --seen 30 --unseen 20 --train-prompts 150 --test-prompts 40"
          + " --steps 20 --alpha 0.01 --threads 1 --no-selection --rank 5";

  @Test
  void askPrintsEveryQuestionWithAccuracyAndConfidence() {
    Cli r = Cli.run(args("ask", TINY + " --questions 4 --pool 10"));
    assertEquals(0, r.code(), r::dump);
    assertTrue(r.out().startsWith("lore ask: user "), r::dump);
    for (int k = 0; k <= 4; k++) {
      int at = k;
      assertTrue(
          r.out()
              .lines()
              .anyMatch(
                  l ->
                      l.matches(
                          "k="
                              + at
                              + " .*accuracy +\\d+\\.\\d%  predicted confidence +\\d+\\.\\d%")),
          () -> "no line for k=" + at + "\n" + r.dump());
    }
    assertTrue(r.out().contains("by expected information gain"), r::dump);
    Cli random = Cli.run(args("ask", TINY + " --questions 4 --pool 10 --random"));
    assertEquals(0, random.code(), random::dump);
    assertTrue(random.out().contains("in the pool's random order"), random::dump);
  }

  @Test
  void activeWritesTheReport(@TempDir Path dir) throws Exception {
    Cli r = Cli.run(args("active", TINY + " --questions 3 --pool 8 --splits 2 --out " + dir));
    assertEquals(0, r.code(), r::dump);
    String md = Files.readString(dir.resolve("active.md"));
    assertTrue(md.contains("| 3 |"), md);
    assertTrue(md.contains("ECE"), md);
    assertTrue(Files.size(dir.resolve("active.png")) > 1000);
    assertTrue(Files.size(dir.resolve("reliability.png")) > 1000);
  }

  @Test
  void aPoolSmallerThanTheQuestionsIsBadInput() {
    Cli r = Cli.run(args("ask", TINY + " --questions 5 --pool 3"));
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.err().contains("--pool 3 must be at least --questions 5"), r::dump);
    Cli u = Cli.run(args("ask", TINY + " --questions 2 --pool 4 --user nobody"));
    assertEquals(2, u.code(), u::dump);
    assertTrue(u.err().contains("user 'nobody'"), u::dump);
  }

  private static String[] args(String command, String rest) {
    return (command + " " + rest).split(" ");
  }
}
