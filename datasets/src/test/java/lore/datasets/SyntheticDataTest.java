package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lore.PreferenceData;
import org.junit.jupiter.api.Test;

class SyntheticDataTest extends QuietTest {
  private static final SyntheticData DATA =
      SyntheticPersonalLlm.generate(SyntheticConfig.small(0.1).withSeed(SEED).withUsers(3, 2));

  @Test
  void constructorRejectsSplitsOverACopiedItemTable() {
    SyntheticConfig c = DATA.config();
    PreferenceData copy =
        PreferenceData.builder(DATA.items().clone(), c.itemCount(), c.dim()).add("u", 0, 1).build();
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SyntheticData(
                    c,
                    DATA.train(),
                    copy,
                    DATA.testSeen(),
                    DATA.testUnseen(),
                    DATA.hiddenRewards(),
                    DATA.seenWeights(),
                    DATA.unseenWeights()));
    assertTrue(e.getMessage().contains("share one item table"), e.getMessage());
  }

  @Test
  void constructorRejectsWeightsOfTheWrongShape() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SyntheticData(
                    DATA.config(),
                    DATA.train(),
                    DATA.fewShot(),
                    DATA.testSeen(),
                    DATA.testUnseen(),
                    DATA.hiddenRewards(),
                    new float[29],
                    DATA.unseenWeights()));
    assertTrue(e.getMessage().contains("seenWeights has 29 floats, expected 30"), e.getMessage());
  }

  @Test
  void oracleAccuracyRejectsWeightsWithoutOneRowPerTestUser() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DATA.oracleAccuracy(DATA.testSeen(), DATA.unseenWeights()));
    assertTrue(e.getMessage().contains("expected 3 users x 10"), e.getMessage());
  }
}
