package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  private static final String STAT = "(\\d{1,3}\\.\\d) (?:±|\\+-) (\\d{1,3}\\.\\d)";

  @Test
  void demoPrintsBtAndLoreRowsWithPercentages() {
    Cli r =
        Cli.run(
            ("demo --dataset synthetic --dim 32 --seen 40 --unseen 40 --train-prompts 300"
                    + " --test-prompts 60 --steps 30 --alpha 0.01 --threads 2")
                .split(" "));
    assertEquals(0, r.code(), r::dump);
    for (String method : new String[] {"BT", "LoRe"}) {
      double[] row = row(r, method);
      for (double mean : row) {
        assertTrue(mean >= 0 && mean <= 100, () -> method + " mean out of range\n" + r.dump());
      }
    }
    assertTrue(r.out().startsWith("LoRe demo: synthetic"), r::dump);
    assertTrue(r.out().contains("Seen"), r::dump);
    assertTrue(r.out().contains("Unseen"), r::dump);
    assertTrue(r.out().contains("Overall"), r::dump);
    assertTrue(r.out().contains("std over users"), r::dump);
    assertTrue(
        r.out().matches("(?s).*Per user against BT: helped \\d+\\.\\d%, unchanged.*"), r::dump);
    assertTrue(r.out().contains("alpha = 0.01"), r::dump);
    assertTrue(r.out().contains("kernels "), r::dump);
    assertTrue(!r.err().contains("\r"), r::dump); // not a terminal: plain progress lines
  }

  @Test
  void demoRunsSeveralAlphasOneTableEach() {
    Cli r =
        Cli.run(
            ("demo --dataset synthetic --dim 16 --seen 10 --unseen 10 --train-prompts 100"
                    + " --test-prompts 20 --steps 5 --alpha 0.1,0.001 --threads 1")
                .split(" "));
    assertEquals(0, r.code(), r::dump);
    assertTrue(r.out().contains("alpha = 0.1"), r::dump);
    assertTrue(r.out().contains("alpha = 0.001"), r::dump);
    assertEquals(2, r.out().lines().filter(l -> l.matches("LoRe\\s+\\d.*")).count(), r::dump);
  }

  @Test
  void defaultDemoRunsOnBundledJester() {
    Cli r = Cli.run("demo --steps 5 --cv-ranks 3 --cv-path-steps 5 --threads 2".split(" "));
    assertEquals(0, r.code(), r::dump);
    assertTrue(r.out().startsWith("LoRe demo: jester5k"), r::dump);
    double[] bt = row(r, "BT");
    double[] lore = row(r, "LoRe");
    // both learned something beyond chance on held-out jokes
    assertTrue(bt[0] > 52 && bt[1] > 52, r::dump);
    assertTrue(lore[0] > 52 && lore[1] > 52, r::dump);
    assertTrue(
        r.out().matches("(?s).*LoRe chose B=(1 lambda=inf \\(BT\\)|3 lambda=.*).*"), r::dump);
  }

  @Test
  void zapposDemoLearnsTheShoes() {
    Cli r = Cli.run("demo --dataset zappos5 --few-shot 5 --cv-ranks 5 --threads 2".split(" "));
    assertEquals(0, r.code(), r::dump);
    assertTrue(row(r, "BT")[1] > 55, r::dump);
    assertTrue(row(r, "LoRe")[1] > 55, r::dump);
  }

  @Test
  void aCrossValidatedLearningRateIsNamed() {
    Cli r =
        Cli.run(
            ("demo --dataset zappos5 --few-shot 5 --steps 10 --cv-ranks 2 --cv-strengths 1"
                    + " --cv-path-steps 5 --cv-learning-rates 0.5,8 --threads 2")
                .split(" "));
    assertEquals(0, r.code(), r::dump);
    assertTrue(
        r.out().matches("(?s).*LoRe chose B=[12] lambda=\\S+ .*lr=(0\\.5|8\\.0)\n.*"), r::dump);
  }

  @Test
  void movieLensWithoutDataDirIsBadInput() {
    Cli r = Cli.run("demo --dataset movielens".split(" "));
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.err().contains("needs --data-dir"), r::dump);
  }

  /** Seen, unseen, overall means of a method's row. */
  private static double[] row(Cli r, String method) {
    Matcher m =
        Pattern.compile("(?m)^" + method + "\\s+" + STAT + "\\s+" + STAT + "\\s+" + STAT + "$")
            .matcher(r.out());
    assertTrue(m.find(), () -> method + " row missing\n" + r.dump());
    return new double[] {
      Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(5))
    };
  }

  @Test
  void demoRejectsNonPositiveAlpha() {
    Cli r = Cli.run(("demo --dataset synthetic --dim 16 --alpha 0").split(" "));
    assertEquals(2, r.code(), r::dump);
    assertEquals("lore: error: --alpha must be positive and finite, got 0.0\n", r.err(), r::dump);
  }
}
