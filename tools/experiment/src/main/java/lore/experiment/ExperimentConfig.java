package lore.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an {@link Experiment} runs. Immutable: start from {@link #of(ExperimentDataset, Path)} and
 * change fields with the {@code with...} methods, e.g. {@code ExperimentConfig.of(dataset,
 * out).withSplits(2).withMethods(List.of(method))}.
 *
 * @param dataset where the splits come from
 * @param methods methods evaluated as they are
 * @param rankedMethods method families whose rank is chosen per split by validation on the seen
 *     users' training data, then evaluated at that rank
 * @param splits R, the number of random splits (the paper: 20)
 * @param seed seed of everything: split i is drawn with a seed derived from (seed, i)
 * @param fewShot k of the main table: few-shot pairs per unseen user (the paper: 9)
 * @param fewShotGrid the k of the few-shot curve (Figure 2), ascending; values above what a split
 *     offers every unseen user are left out of that split's curve
 * @param rankGrid ranks tried by rank selection, ascending (the paper's sweep: 2, 5, 10, ..., 50)
 * @param validationFraction fraction of the seen users' training prompts (items) held out to score
 *     each rank
 * @param outputDir where results.jsonl, the markdown table and the plots go
 * @param methodSettings free text naming the methods' settings (e.g. training steps); part of the
 *     fingerprint, so that results of other settings are not resumed into; empty for none
 */
public record ExperimentConfig(
    ExperimentDataset dataset,
    List<PreferenceMethod> methods,
    List<RankedMethod> rankedMethods,
    int splits,
    long seed,
    int fewShot,
    List<Integer> fewShotGrid,
    List<Integer> rankGrid,
    double validationFraction,
    Path outputDir,
    String methodSettings) {

  /**
   * Validates, sorts and de-duplicates the grids, and checks that method names are unique. No
   * methods is valid here, so that they can be added after the other fields; {@link Experiment}
   * needs at least one.
   */
  public ExperimentConfig {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(methodSettings, "methodSettings");
    methods = List.copyOf(methods);
    rankedMethods = List.copyOf(rankedMethods);
    Set<String> names = new HashSet<>();
    for (String n : names(methods, rankedMethods)) {
      if (n == null || n.isBlank() || !names.add(n)) {
        throw new IllegalArgumentException("method names must be non-empty and unique: " + n);
      }
    }
    if (splits < 1) {
      throw new IllegalArgumentException("splits must be at least 1, got " + splits);
    }
    if (fewShot < 1) {
      throw new IllegalArgumentException("few-shot k must be at least 1, got " + fewShot);
    }
    fewShotGrid = sortedPositive("few-shot grid", fewShotGrid);
    rankGrid = sortedPositive("rank grid", rankGrid);
    if (!rankedMethods.isEmpty() && rankGrid.isEmpty()) {
      throw new IllegalArgumentException("rank selection needs a non-empty rank grid");
    }
    Splits.checkFraction("validation fraction", validationFraction);
  }

  private static List<String> names(List<PreferenceMethod> m, List<RankedMethod> r) {
    List<String> n = new ArrayList<>();
    r.forEach(x -> n.add(x.name()));
    m.forEach(x -> n.add(x.name()));
    return n;
  }

  /** Method names in table order: ranked families first, then the other methods. */
  public List<String> methodNames() {
    return names(methods, rankedMethods);
  }

  private static List<Integer> sortedPositive(String what, List<Integer> values) {
    TreeSet<Integer> s = new TreeSet<>();
    for (Integer v : values) {
      if (v == null || v < 1) {
        throw new IllegalArgumentException(what + " values must be at least 1, got " + v);
      }
      s.add(v);
    }
    return List.copyOf(s);
  }

  /** The largest k this experiment needs. */
  int maxFewShot() {
    int k = fewShot;
    for (int v : fewShotGrid) {
      k = Math.max(k, v);
    }
    return k;
  }

  /**
   * Everything that changes the numbers of a (split, method) result except the methods' own
   * settings: results from an earlier run are reused only under the same fingerprint.
   */
  String fingerprint() {
    return String.format(
        Locale.ROOT,
        "%s; seed %d; k %d; k grid %s; rank grid %s; validation fraction %s%s",
        dataset.description(),
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        methodSettings.isEmpty() ? "" : "; methods: " + methodSettings);
  }

  /**
   * An experiment on {@code dataset} into {@code outputDir} with the paper's defaults (R = 20, seed
   * 1, k = 9, k grid {1, 2, 5, 9, 20, 50}, the paper's rank grid, validation fraction 0.2) and no
   * methods yet; add them with {@link #withMethods} and {@link #withRankedMethods}.
   */
  public static ExperimentConfig of(ExperimentDataset dataset, Path outputDir) {
    return new ExperimentConfig(
        dataset,
        List.of(),
        List.of(),
        20,
        1L,
        9,
        List.of(1, 2, 5, 9, 20, 50),
        paperRankGrid(),
        0.2,
        outputDir,
        "");
  }

  /** The paper's rank sweep: 2, 5, 10, 15, ..., 50. */
  public static List<Integer> paperRankGrid() {
    List<Integer> g = new ArrayList<>(List.of(2));
    for (int b = 5; b <= 50; b += 5) {
      g.add(b);
    }
    return g;
  }

  /** This configuration with {@link #dataset()} = {@code v}. */
  public ExperimentConfig withDataset(ExperimentDataset v) {
    return new ExperimentConfig(
        v,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #methods()} = {@code v}. */
  public ExperimentConfig withMethods(List<PreferenceMethod> v) {
    return new ExperimentConfig(
        dataset,
        v,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #rankedMethods()} = {@code v}. */
  public ExperimentConfig withRankedMethods(List<RankedMethod> v) {
    return new ExperimentConfig(
        dataset,
        methods,
        v,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #splits()} = {@code v}. */
  public ExperimentConfig withSplits(int v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        v,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #seed()} = {@code v}. */
  public ExperimentConfig withSeed(long v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        v,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #fewShot()} = {@code v}. */
  public ExperimentConfig withFewShot(int v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        v,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #fewShotGrid()} = {@code v}. */
  public ExperimentConfig withFewShotGrid(List<Integer> v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        v,
        rankGrid,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #rankGrid()} = {@code v}. */
  public ExperimentConfig withRankGrid(List<Integer> v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        v,
        validationFraction,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #validationFraction()} = {@code v}. */
  public ExperimentConfig withValidationFraction(double v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        v,
        outputDir,
        methodSettings);
  }

  /** This configuration with {@link #outputDir()} = {@code v}. */
  public ExperimentConfig withOutputDir(Path v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        v,
        methodSettings);
  }

  /** This configuration with {@link #methodSettings()} = {@code v}. */
  public ExperimentConfig withMethodSettings(String v) {
    return new ExperimentConfig(
        dataset,
        methods,
        rankedMethods,
        splits,
        seed,
        fewShot,
        fewShotGrid,
        rankGrid,
        validationFraction,
        outputDir,
        v);
  }
}
