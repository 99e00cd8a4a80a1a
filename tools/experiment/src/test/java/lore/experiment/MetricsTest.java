package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
  @TempDir Path dir;

  /** Three users with 4, 1 and 2 pairs over a 4-item table. */
  static PreferenceData threeUsers() {
    float[] items = new float[4 * 2];
    return PreferenceData.builder(items, 4, 2)
        .add("a", 0, 1)
        .add("a", 1, 2)
        .add("a", 2, 3)
        .add("a", 3, 0)
        .add("b", 0, 2)
        .add("c", 1, 3)
        .add("c", 3, 1)
        .build();
  }

  @Test
  void accuracyIsStrictlyPositiveMarginPerUser() {
    PreferenceData test = threeUsers();
    // a: 1 right, tie (0), -0 , NaN -> 1/4; b: tiny positive -> 1; c: wrong, right -> 1/2
    float[] margins = {2f, 0f, -0f, Float.NaN, Float.MIN_VALUE, -1f, 3f};
    double[] acc = Metrics.perUserAccuracy(test, margins);
    assertArrayEquals(new double[] {0.25, 1.0, 0.5}, acc, 0.0);
  }

  @Test
  void meanIsUnweightedOverUsers() {
    double[] acc =
        Metrics.perUserAccuracy(threeUsers(), new float[] {2, 0, -0f, Float.NaN, 1, -1, 3});
    // pair-weighted would be 4/7; the paper's metric averages users: (0.25 + 1 + 0.5) / 3
    assertEquals((0.25 + 1.0 + 0.5) / 3, Metrics.mean(acc), 0.0);
    assertEquals(
        Math.sqrt(
            ((0.25 - 7 / 12.0) * (0.25 - 7 / 12.0)
                    + (1 - 7 / 12.0) * (1 - 7 / 12.0)
                    + (0.5 - 7 / 12.0) * (0.5 - 7 / 12.0))
                / 2),
        Metrics.std(acc),
        1e-15);
    assertTrue(Double.isNaN(Metrics.std(new double[] {0.5})));
  }

  @Test
  void wrongMarginCountIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Metrics.perUserAccuracy(threeUsers(), new float[] {1, 2}));
  }

  @Test
  void protocolReportsOverallOverAllUsersAndStdsUnscaled() {
    PreferenceData seen = threeUsers();
    PreferenceData unseen = PreferenceData.builder(seen).add("u", 0, 1).add("u", 2, 3).build();
    Split split = new Split(0, 1, "hand-made", seen, seen, unseen, unseen, seen, seen);
    // margins are handed out per call: seen test (7 pairs), then unseen test (2 pairs)
    PreferenceMethod m =
        TestMethods.givenMargins(
            "hand",
            test ->
                test.pairCount() == 7
                    ? new float[] {2, 0, -0f, Float.NaN, 1, -1, 3}
                    : new float[] {1, 0},
            3);
    ExperimentConfig config =
        ExperimentConfig.of(new FixedDataset(split), dir)
            .withMethods(List.of(m))
            .withSplits(1)
            .withFewShot(1)
            .withFewShotGrid(List.of(1, 2, 3))
            .withRankGrid(List.of(1));
    MethodResult r = Experiment.evaluate(m, "hand", 0, split, 1, config);
    assertEquals((0.25 + 1 + 0.5) / 3, r.seen().mean(), 0.0);
    assertEquals(0.5, r.unseen().mean(), 0.0);
    assertEquals((0.25 + 1 + 0.5 + 0.5) / 4, r.overall().mean(), 0.0);
    assertEquals(Metrics.std(new double[] {0.25, 1, 0.5, 0.5}), r.overall().std(), 0.0);
    assertEquals(3, r.parameterCount());
    // the user has 2 few-shot pairs: k = 3 is left out of the curve
    assertEquals(List.of(1, 2), List.copyOf(r.fewShotCurve().keySet()));
  }

  /** One split, always the same. */
  record FixedDataset(Split split) implements ExperimentDataset {
    @Override
    public String description() {
      return "fixed";
    }

    @Override
    public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
      return split;
    }
  }
}
