package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void plainModePrintsAboutEveryTenthAsLines() {
    StringWriter s = new StringWriter();
    Progress p = new Progress(new PrintWriter(s), "train", false);
    for (int step = 1; step <= 100; step++) {
      p.onStep(step, 100, 1.0 / step);
    }
    String out = s.toString();
    assertFalse(out.contains("\r"), out);
    assertEquals(11, out.lines().count(), out); // step 1, then 10, 20, ..., 100
    assertTrue(
        out.lines()
            .allMatch(
                l -> l.matches("  train  step +\\d+/100  loss \\d\\.\\d{4}  elapsed .*  ETA .*")),
        out);
    assertTrue(out.contains("step   1/100  loss 1.0000") && out.contains("ETA ?"), out);
    assertTrue(
        out.lines().reduce((a, b) -> b).orElseThrow().contains("step 100/100  loss 0.0100"), out);
  }

  @Test
  void liveModeRewritesOneLineAndEndsWithNewline() {
    StringWriter s = new StringWriter();
    Progress p = new Progress(new PrintWriter(s), "train", true);
    for (int step = 1; step <= 5; step++) {
      p.onStep(step, 5, 0.5);
    }
    String out = s.toString();
    assertTrue(out.startsWith("\r  train  step 1/5"), out);
    assertTrue(out.contains("\r  train  step 5/5  loss 0.5000"), out);
    assertTrue(out.endsWith("\n"), out);
    assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
  }

  @Test
  void secondsSwitchToMinutes() {
    assertEquals("12.3s", Progress.seconds(12.34));
    assertEquals("4m05s", Progress.seconds(245));
  }
}
