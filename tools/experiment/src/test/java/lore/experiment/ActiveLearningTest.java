package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lore.TrainConfig;
import lore.datasets.SyntheticConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActiveLearningTest {
  @Test
  void eceIsTheBinWeightedGapBetweenConfidenceAndFrequency() {
    ActiveLearning.Calibration c = new ActiveLearning.Calibration();
    // bin [0.7, 0.8): confidence 0.75, observed 3 of 4; bin [0.2, 0.3): 0.25, observed 0 of 4
    for (int i = 0; i < 4; i++) {
      c.add(0.75, i < 3);
      c.add(0.25, false);
    }
    assertEquals(8, c.total());
    assertEquals((0 * 4 + 0.25 * 4) / 8, c.ece(), 1e-12);
  }

  @Test
  void curvesStartTogetherAndTheReportIsWritten(@TempDir Path dir) throws Exception {
    SyntheticConfig tiny = new SyntheticConfig(16, 150, 40, 4, 5, 0.01, 30, 20, 30, 9, 7L);
    ActiveLearning.Config config =
        new ActiveLearning.Config(
            new SyntheticDataset(tiny),
            2,
            3L,
            4,
            12,
            TrainConfig.defaults().withRank(5).withSteps(30).withThreads(1),
            null);
    List<String> lines = new ArrayList<>();
    ActiveLearning.Results r = ActiveLearning.run(config, null, lines::add);
    assertEquals(2, lines.size());
    for (int i = 0; i < 2; i++) {
      assertTrue(r.users()[i] > 0, "split " + i + " evaluated no user");
      // before any answer both strategies have the prior: the same accuracy
      assertEquals(r.random()[i][0], r.active()[i][0], 0.0);
      for (int k = 0; k <= 4; k++) {
        assertTrue(r.random()[i][k] >= 0 && r.random()[i][k] <= 1);
        assertTrue(r.active()[i][k] >= 0 && r.active()[i][k] <= 1);
      }
    }
    long perK = r.randomCalibration()[0].total();
    assertTrue(perK > 0);
    for (int k = 0; k <= 4; k++) {
      assertEquals(perK, r.activeCalibration()[k].total());
      double e = r.activeCalibration()[k].ece();
      assertTrue(e >= 0 && e <= 1, "ECE " + e);
    }
    ActiveLearning.write(r, dir, "lore active --test");
    Split split = config.dataset().split(0, 11L, 12, 0.2);
    lore.RewardModel model = ActiveLearning.train(config, split, 11L, null);
    String user = split.fewShotPool().userId(0);
    List<ActiveLearning.Step> steps = ActiveLearning.simulate(model, split, user, 4, true, 5L);
    assertEquals(5, steps.size());
    java.util.Set<String> asked = new java.util.HashSet<>();
    for (ActiveLearning.Step s : steps.subList(1, 5)) {
      assertTrue(s.confidence() >= 0.5 && s.confidence() <= 1, s.toString());
      assertTrue(s.predicted() > 0 && s.predicted() < 1, s.toString());
      assertTrue(
          asked.add(
              Math.min(s.shownFirst(), s.shownSecond())
                  + ","
                  + Math.max(s.shownFirst(), s.shownSecond())),
          "asked twice: " + s);
      // the recorded answer is one of the user's few-shot pairs, either way round
      int c = s.preferredFirst() ? s.shownFirst() : s.shownSecond();
      int r2 = s.preferredFirst() ? s.shownSecond() : s.shownFirst();
      boolean found = false;
      pairs:
      for (int p = 0; p < split.fewShotPool().pairCount(); p++) {
        if (split.fewShotPool().chosen(p) == c && split.fewShotPool().rejected(p) == r2) {
          found = true;
          break pairs;
        }
      }
      assertTrue(found, "not a recorded answer: " + s);
    }
    String md = Files.readString(dir.resolve(ActiveLearning.TABLE));
    assertTrue(md.contains("| 4 |"), md);
    assertTrue(md.contains("lore active --test"), md);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    for (String f : List.of(ActiveLearning.CURVES_PLOT, ActiveLearning.RELIABILITY_PLOT)) {
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve(f)), 4);
      assertArrayEquals(png, head, f);
    }
  }
}
