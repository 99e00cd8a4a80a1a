package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SyntheticConfigTest extends QuietTest {

  @Test
  void paperScaleMatchesThePaperSetting() {
    SyntheticConfig c = SyntheticConfig.paperScale(0.01);
    assertEquals(new SyntheticConfig(4096, 9402, 1000, 8, 10, 0.01, 1000, 1000, 47, 9, 7L), c);
    assertEquals(83_216, c.itemCount());
  }

  @Test
  void smallHasThePaperPairCountsAtTestSize() {
    assertEquals(
        new SyntheticConfig(64, 400, 100, 8, 10, 0.1, 60, 60, 47, 9, 7L),
        SyntheticConfig.small(0.1));
  }

  @Test
  void withersChangeOnlyTheirFields() {
    SyntheticConfig c = SyntheticConfig.small(0.01);
    assertEquals(
        new SyntheticConfig(64, 400, 100, 8, 10, 0.01, 60, 60, 47, 9, 99L), c.withSeed(99));
    assertEquals(
        new SyntheticConfig(128, 400, 100, 8, 10, 0.01, 60, 60, 47, 9, 7L), c.withDim(128));
    assertEquals(
        new SyntheticConfig(64, 400, 100, 8, 10, 0.01, 5, 6, 47, 9, 7L), c.withUsers(5, 6));
    assertEquals(
        new SyntheticConfig(64, 400, 100, 8, 10, 0.01, 60, 60, 47, 3, 7L), c.withFewShotPairs(3));
  }

  static Stream<Arguments> invalid() {
    SyntheticConfig c = SyntheticConfig.small(0.1);
    return Stream.of(
        bad("dim", "0", () -> c.withDim(0)),
        bad("trainPrompts", "0", () -> new SyntheticConfig(64, 0, 100, 8, 10, 0.1, 6, 6, 1, 1, 7)),
        bad("testPrompts", "-1", () -> new SyntheticConfig(64, 4, -1, 8, 10, 0.1, 6, 6, 1, 1, 7)),
        bad(
            "responsesPerPrompt",
            "1",
            () -> new SyntheticConfig(64, 4, 1, 1, 10, 0.1, 6, 6, 1, 1, 7)),
        bad("rewardFunctions", "0", () -> new SyntheticConfig(64, 4, 1, 8, 0, 0.1, 6, 6, 1, 1, 7)),
        bad("alpha", "0.0", () -> SyntheticConfig.small(0)),
        bad("alpha", "NaN", () -> SyntheticConfig.small(Double.NaN)),
        bad("alpha", "Infinity", () -> SyntheticConfig.small(Double.POSITIVE_INFINITY)),
        bad("seenUsers", "0", () -> c.withUsers(0, 5)),
        bad("unseenUsers", "-3", () -> c.withUsers(5, -3)),
        bad(
            "trainPairsPerUser",
            "0",
            () -> new SyntheticConfig(64, 4, 1, 8, 10, 0.1, 6, 6, 0, 1, 7)),
        bad(
            "trainPairsPerUser",
            "5",
            () -> new SyntheticConfig(64, 4, 1, 8, 10, 0.1, 6, 6, 5, 1, 7)),
        bad("fewShotPairsPerUser", "0", () -> c.withFewShotPairs(0)),
        bad("fewShotPairsPerUser", "401", () -> c.withFewShotPairs(401)),
        bad("item table", "1048576", () -> c.withDim(1 << 20)));
  }

  private static Arguments bad(String field, String value, Supplier<SyntheticConfig> make) {
    return Arguments.of(field, value, make);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalid")
  void invalidFieldIsRejectedNamingFieldAndValue(
      String field, String value, Supplier<SyntheticConfig> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertTrue(e.getMessage().contains(field), e.getMessage());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }
}
