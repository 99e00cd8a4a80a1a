package lore.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import lore.FitConfig;
import lore.TrainConfig;
import lore.experiment.methods.LoReMlpMethod;
import lore.experiment.methods.PalMethod;
import lore.experiment.methods.VplMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configuration records are changed through withers: each component's wither changes exactly that
 * component, and there is no other way. (That each method configuration's fields change what the
 * method does is {@code lore.experiment.methods.ConfigFieldsReachTheMethodsTest}.)
 */
class ConfigWithersTest {
  private static final ExperimentDataset DATA = new Named("a dataset");
  private static final PreferenceMethod METHOD = TestMethods.named("M");
  private static final RankedMethod FAMILY =
      TestMethods.family("F", rank -> TestMethods.named("F"));

  /** Values for the components whose type has no generic change. */
  private static final Map<String, Object> OTHERS =
      Map.of(
          "dataset", new Named("another dataset"),
          "methods", List.of(METHOD),
          "rankedMethods", List.of(FAMILY));

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of("PAL", PalMethod.Config.paperA()),
        Arguments.of("VPL", VplMethod.Config.paper()),
        Arguments.of("LoRe-MLP", LoReMlpMethod.Config.defaults()),
        Arguments.of("experiment", ExperimentConfig.of(DATA, Path.of("out"))),
        Arguments.of("train", TrainConfig.defaults()),
        Arguments.of("fit", FitConfig.defaults()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void eachWitherChangesItsFieldAndNothingElse(String name, Record config) {
    Withers.assertWithersChangeOneFieldEach(config, OTHERS);
  }

  /**
   * The fingerprint is what a resumed run must match: every field that changes the numbers of a
   * (split, method) result is in it, and the four that do not (methods are told apart by name on
   * each line, a larger R adds splits, the output directory is where) are not.
   */
  @Test
  void theFingerprintCoversEveryFieldThatChangesTheNumbers() {
    ExperimentConfig base = ExperimentConfig.of(DATA, Path.of("out"));
    Set<String> outside = Set.of("methods", "rankedMethods", "splits", "outputDir");
    for (RecordComponent c : ExperimentConfig.class.getRecordComponents()) {
      String changed = Withers.withChanged(base, c, OTHERS).fingerprint();
      if (outside.contains(c.getName())) {
        assertEquals(base.fingerprint(), changed, c.getName());
      } else {
        assertNotEquals(base.fingerprint(), changed, c.getName());
      }
    }
  }

  private record Named(String description) implements ExperimentDataset {
    @Override
    public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
      throw new UnsupportedOperationException();
    }
  }
}
