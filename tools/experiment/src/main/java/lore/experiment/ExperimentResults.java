package lore.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The results of an experiment: every (split, method) result and rank selection on splits {@code
 * 0..R-1} (read back from the results file, so resumed runs are whole), and their summaries over
 * splits. Methods of earlier runs into the same directory that this run did not name (e.g. the
 * baselines added by a second command with other {@code --methods}) are kept and reported after the
 * configured ones, so one table holds everything the directory measured. Immutable.
 */
public final class ExperimentResults {
  private final ExperimentConfig config;
  private final List<MethodResult> methods;
  private final List<RankResult> ranks;

  /** Keeps the results of {@code config}'s splits. */
  public ExperimentResults(
      ExperimentConfig config, List<MethodResult> methods, List<RankResult> ranks) {
    this.config = Objects.requireNonNull(config, "config");
    this.methods = methods.stream().filter(m -> m.split() < config.splits()).toList();
    this.ranks = ranks.stream().filter(r -> r.split() < config.splits()).toList();
  }

  /**
   * Methods in table order: the configured ones, then any other method with results, in the order
   * the results file first names them.
   */
  public List<String> methodNames() {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(config.methodNames());
    methods.forEach(m -> names.add(m.method()));
    return List.copyOf(names);
  }

  /** Methods with rank selections: the configured ranked methods first, then the others. */
  public List<String> rankFamilies() {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    config.rankedMethods().forEach(r -> names.add(r.name()));
    ranks.forEach(r -> names.add(r.method()));
    return List.copyOf(names);
  }

  public ExperimentConfig config() {
    return config;
  }

  /** Every (split, method) result. */
  public List<MethodResult> methodResults() {
    return methods;
  }

  /** Every rank selection. */
  public List<RankResult> rankResults() {
    return ranks;
  }

  /**
   * Mean and sample std over splits of a per-split value.
   *
   * @param mean mean over splits
   * @param std sample std over splits (n - 1), NaN for one split
   * @param splits number of splits
   */
  public record Stat(double mean, double std, int splits) {
    static Stat of(double[] perSplit) {
      return new Stat(Metrics.mean(perSplit), Metrics.std(perSplit), perSplit.length);
    }
  }

  /**
   * One method over all splits.
   *
   * @param method name
   * @param seen per-split mean over seen users: mean and std over splits
   * @param unseen likewise for unseen users
   * @param overall likewise over all users
   * @param seenUserStd mean over splits of the std over seen users
   * @param unseenUserStd mean over splits of the std over unseen users
   * @param overallUserStd mean over splits of the std over all users
   * @param parameterCount mean over splits of the parameter count
   * @param ranks rank chosen in each split (empty for methods without rank selection)
   * @param fewShotCurve unseen accuracy by k: mean and std over the splits that offer that k
   * @param trainSeconds mean training time
   */
  public record MethodSummary(
      String method,
      Stat seen,
      Stat unseen,
      Stat overall,
      double seenUserStd,
      double unseenUserStd,
      double overallUserStd,
      double parameterCount,
      List<Integer> ranks,
      SortedMap<Integer, Stat> fewShotCurve,
      double trainSeconds) {}

  /** Summaries in table order; methods without results yet are left out. */
  public List<MethodSummary> summaries() {
    List<MethodSummary> out = new ArrayList<>();
    for (String name : methodNames()) {
      List<MethodResult> rs =
          methods.stream()
              .filter(m -> m.method().equals(name))
              .sorted((a, b) -> Integer.compare(a.split(), b.split()))
              .toList();
      if (rs.isEmpty()) {
        continue;
      }
      TreeMap<Integer, List<Double>> byK = new TreeMap<>();
      List<Integer> chosen = new ArrayList<>();
      for (MethodResult r : rs) {
        r.fewShotCurve().forEach((k, v) -> byK.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        if (r.rank() > 0) {
          chosen.add(r.rank());
        }
      }
      TreeMap<Integer, Stat> curve = new TreeMap<>();
      byK.forEach((k, v) -> curve.put(k, Stat.of(v.stream().mapToDouble(x -> x).toArray())));
      out.add(
          new MethodSummary(
              name,
              Stat.of(values(rs, r -> r.seen().mean())),
              Stat.of(values(rs, r -> r.unseen().mean())),
              Stat.of(values(rs, r -> r.overall().mean())),
              Metrics.mean(values(rs, r -> r.seen().std())),
              Metrics.mean(values(rs, r -> r.unseen().std())),
              Metrics.mean(values(rs, r -> r.overall().std())),
              Metrics.mean(values(rs, r -> r.parameterCount())),
              Collections.unmodifiableList(chosen),
              Collections.unmodifiableSortedMap(curve),
              Metrics.mean(values(rs, MethodResult::trainSeconds))));
    }
    return out;
  }

  /**
   * Validation accuracy by rank for one family: mean and std over splits.
   *
   * @return empty when the family has no rank selection yet
   */
  public SortedMap<Integer, Stat> rankCurve(String family) {
    TreeMap<Integer, List<Double>> byRank = new TreeMap<>();
    for (RankResult r : ranks) {
      if (r.method().equals(family)) {
        for (int i = 0; i < r.ranks().size(); i++) {
          byRank
              .computeIfAbsent(r.ranks().get(i), x -> new ArrayList<>())
              .add(r.validationAccuracy().get(i));
        }
      }
    }
    TreeMap<Integer, Stat> out = new TreeMap<>();
    byRank.forEach((b, v) -> out.put(b, Stat.of(v.stream().mapToDouble(x -> x).toArray())));
    return out;
  }

  /**
   * Each user's accuracy under one method minus under a baseline, pooled over the splits where both
   * recorded per-user accuracies (a split has the same users in the same order for every method):
   * who personalization helped, who it hurt.
   *
   * @param differences one per user and split, in [-1, 1], ascending (sorted once here)
   * @param splits splits pooled
   */
  public record PerUserDifference(
      String method, String baseline, double[] differences, int splits) {
    /** Sorts a copy of the differences, for the quantiles. */
    public PerUserDifference {
      differences = differences.clone();
      java.util.Arrays.sort(differences);
    }

    /** Below this a difference is none (accuracies are ratios of small counts). */
    static final double TIE = 1e-9;

    public int users() {
      return differences.length;
    }

    /** Users more accurate under the method than under the baseline. */
    public int helped() {
      return (int) java.util.Arrays.stream(differences).filter(x -> x > TIE).count();
    }

    /** Users less accurate under the method. */
    public int hurt() {
      return (int) java.util.Arrays.stream(differences).filter(x -> x < -TIE).count();
    }

    public int unchanged() {
      return users() - helped() - hurt();
    }

    public double mean() {
      return Metrics.mean(differences);
    }

    /** The q-quantile of the differences (linear between order statistics). */
    public double quantile(double q) {
      double[] v = differences;
      double at = q * (v.length - 1);
      int lo = (int) Math.floor(at);
      int hi = Math.min(v.length - 1, lo + 1);
      return v[lo] + (at - lo) * (v[hi] - v[lo]);
    }
  }

  /**
   * {@code method}'s per-user accuracy against {@code baseline}'s; empty when no split has both
   * (per-user accuracies are missing from results files written before they were recorded).
   */
  public java.util.Optional<PerUserDifference> perUserDifference(String method, String baseline) {
    List<Double> diffs = new ArrayList<>();
    int splits = 0;
    for (MethodResult m : methods) {
      if (!m.method().equals(method) || m.perUser().isEmpty()) {
        continue;
      }
      for (MethodResult b : methods) {
        if (b.method().equals(baseline)
            && b.split() == m.split()
            && b.perUser().size() == m.perUser().size()) {
          for (int u = 0; u < m.perUser().size(); u++) {
            diffs.add(m.perUser().get(u) - b.perUser().get(u));
          }
          splits++;
        }
      }
    }
    return diffs.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            new PerUserDifference(
                method, baseline, diffs.stream().mapToDouble(x -> x).toArray(), splits));
  }

  /** Methods whose results carry their own selection's candidate scores, in table order. */
  public List<String> selectingMethods() {
    return methodNames().stream()
        .filter(
            n ->
                methods.stream()
                    .anyMatch(m -> m.method().equals(n) && !m.selectionScores().isEmpty()))
        .toList();
  }

  /**
   * A method's cross-validation accuracy by rank, then by strength (descending, infinity first):
   * mean and std over the splits that tried the candidate.
   */
  public SortedMap<Integer, SortedMap<Double, Stat>> selectionGrid(String method) {
    TreeMap<Integer, TreeMap<Double, List<Double>>> by = new TreeMap<>();
    for (MethodResult m : methods) {
      if (m.method().equals(method)) {
        for (CvScore c : m.selectionScores()) {
          by.computeIfAbsent(c.rank(), x -> new TreeMap<>(java.util.Comparator.reverseOrder()))
              .computeIfAbsent(c.strength(), x -> new ArrayList<>())
              .add(c.accuracy());
        }
      }
    }
    TreeMap<Integer, SortedMap<Double, Stat>> out = new TreeMap<>();
    by.forEach(
        (rank, row) -> {
          TreeMap<Double, Stat> r = new TreeMap<>(java.util.Comparator.reverseOrder());
          row.forEach((l, v) -> r.put(l, Stat.of(v.stream().mapToDouble(x -> x).toArray())));
          out.put(rank, r);
        });
    return out;
  }

  private static double[] values(List<MethodResult> rs, ToDoubleFunction<MethodResult> f) {
    return rs.stream().mapToDouble(f).toArray();
  }

  /** The report in markdown: the paper-form table, then per-user spread, curves and notes. */
  public String markdown() {
    return Report.markdown(this);
  }

  /** Percent with one decimal, "n/a" for NaN. */
  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * v);
  }

  /** {@code mean ± std} in percent; the std is left out for one split. */
  static String pct(Stat s) {
    return Double.isNaN(s.std()) ? pct(s.mean()) : pct(s.mean()) + " ± " + pct(s.std());
  }
}
