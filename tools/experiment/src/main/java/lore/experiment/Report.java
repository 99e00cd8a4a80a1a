package lore.experiment;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;
import lore.datasets.AtomicFiles;
import lore.experiment.ExperimentResults.MethodSummary;
import lore.experiment.ExperimentResults.Stat;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report files: {@code results.md}, {@code fewshot.png}, {@code rank.png}, {@code peruser.png}.
 */
final class Report {
  static final String TABLE = "results.md";
  static final String FEW_SHOT_PLOT = "fewshot.png";
  static final String RANK_PLOT = "rank.png";
  static final String PER_USER_PLOT = "peruser.png";

  /** The one-vector baseline every personalized method is compared with, user by user. */
  static final String BASELINE = "BT";

  // distinguishable, colour-blind-safe (Okabe-Ito); XChart's default has two similar yellows
  private static final Color[] PALETTE = {
    new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
    new Color(0xD55E00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)
  };

  private Report() {}

  static void write(ExperimentResults results, Path dir) throws IOException {
    AtomicFiles.write(dir.resolve(TABLE), results.markdown().getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(dir.resolve(FEW_SHOT_PLOT), fewShotPng(results));
    AtomicFiles.write(dir.resolve(RANK_PLOT), rankPng(results));
    AtomicFiles.write(dir.resolve(PER_USER_PLOT), perUserPng(results));
  }

  /** Each method against BT, user by user; empty without BT. */
  static List<ExperimentResults.PerUserDifference> againstBaseline(ExperimentResults results) {
    List<ExperimentResults.PerUserDifference> out = new java.util.ArrayList<>();
    for (String m : results.methodNames()) {
      if (!m.equals(BASELINE)) {
        results.perUserDifference(m, BASELINE).ifPresent(out::add);
      }
    }
    return out;
  }

  private static void perUserSection(ExperimentResults results, StringBuilder b) {
    List<ExperimentResults.PerUserDifference> diffs = againstBaseline(results);
    if (diffs.isEmpty()) {
      return;
    }
    b.append("\n## Per user, against BT\n\n");
    b.append(
        "Each user's accuracy under the method minus under BT on the same split (seen and unseen"
            + " users, pooled over splits): how many users personalization helped, left"
            + " unchanged or hurt, the mean change and its 10th and 90th percentiles, in"
            + " percentage points.\n\n");
    b.append("| Method | Users | Helped | Unchanged | Hurt | Mean change | 10th / 90th pct |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    for (ExperimentResults.PerUserDifference d : diffs) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.1f%% | %.1f%% | %.1f%% | %+.2f | %+.1f / %+.1f |\n",
              d.method(),
              d.users(),
              100.0 * d.helped() / d.users(),
              100.0 * d.unchanged() / d.users(),
              100.0 * d.hurt() / d.users(),
              100 * d.mean(),
              100 * d.quantile(0.1),
              100 * d.quantile(0.9)));
    }
    b.append("\nThe distribution: ").append(PER_USER_PLOT).append(".\n");
  }

  /** How often each method chose each setting for itself (LoRe's cross-validated selection). */
  private static void selectionSection(ExperimentResults results, StringBuilder b) {
    Map<String, Map<String, Integer>> counts = new java.util.LinkedHashMap<>();
    for (MethodResult r : results.methodResults()) {
      if (!r.selection().isEmpty()) {
        counts
            .computeIfAbsent(r.method(), m -> new java.util.TreeMap<>())
            .merge(r.selection(), 1, Integer::sum);
      }
    }
    if (counts.isEmpty()) {
      return;
    }
    b.append("\n## What the methods chose\n\n");
    b.append(
        "The settings each method chose for itself from the seen users' training pairs, with the"
            + " number of splits that chose them (LoRe: rank B, prior strength lambda, the new"
            + " users' prior factor rho; B=1 is the BT limit).\n\n");
    b.append("| Method | Chosen | Splits |\n|---|---|---|\n");
    counts.forEach(
        (m, c) ->
            c.entrySet().stream()
                .sorted((x, y) -> Integer.compare(y.getValue(), x.getValue()))
                .forEach(
                    e ->
                        b.append("| ")
                            .append(m)
                            .append(" | ")
                            .append(e.getKey())
                            .append(" | ")
                            .append(e.getValue())
                            .append(" |\n")));
  }

  /** Each self-selecting method's cross-validation accuracy over its rank x strength grid. */
  private static void gridSection(ExperimentResults results, StringBuilder b) {
    for (String method : results.selectingMethods()) {
      SortedMap<Integer, SortedMap<Double, Stat>> grid = results.selectionGrid(method);
      java.util.TreeSet<Double> strengths =
          new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
      grid.values().forEach(r -> strengths.addAll(r.keySet()));
      b.append("\n## Cross-validation: rank x strength (").append(method).append(")\n\n");
      b.append(
          "Accuracy (%) on the seen users' held-out training pairs in the method's own"
              + " cross-validation, mean ± std over splits; lambda = inf at B = 1 is BT. The"
              + " chosen candidate is the simplest within one standard error of the best. Also in "
              + RANK_PLOT
              + ".\n\n");
      StringJoiner h = new StringJoiner(" | ", "| | ", " |\n");
      StringJoiner ru = new StringJoiner("|", "|---|", "|\n");
      strengths.forEach(
          l -> {
            h.add("lambda=" + strength(l));
            ru.add("---");
          });
      b.append(h).append(ru);
      grid.forEach(
          (rank, row) -> {
            StringJoiner r = new StringJoiner(" | ", "| B=" + rank + " | ", " |\n");
            for (double l : strengths) {
              Stat st = row.get(l);
              r.add(st == null ? "" : ExperimentResults.pct(st));
            }
            b.append(r);
          });
    }
  }

  private static String strength(double l) {
    return Double.isInfinite(l) ? "inf" : String.format(Locale.ROOT, "%s", l);
  }

  /** Histogram of the per-user changes against BT, one line per method, 5-point bins. */
  static byte[] perUserPng(ExperimentResults results) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(520)
            .title("Per-user accuracy change against BT (seen and unseen users)")
            .xAxisTitle("accuracy under the method minus under BT (percentage points)")
            .yAxisTitle("users (%)")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    chart.getStyler().setSeriesColors(PALETTE);
    chart.getStyler().setDecimalPattern("#0.#");
    int bins = 21; // -50..+50 in steps of 5; changes beyond fall in the end bins
    for (ExperimentResults.PerUserDifference d : againstBaseline(results)) {
      double[] x = new double[bins];
      double[] y = new double[bins];
      for (int i = 0; i < bins; i++) {
        x[i] = -50 + 5 * i;
      }
      for (double v : d.differences()) {
        int i = (int) Math.round(Math.max(-50, Math.min(50, 100 * v)) / 5) + 10;
        y[i] += 100.0 / d.users();
      }
      chart.addSeries(d.method(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    if (chart.getSeriesMap().isEmpty()) {
      chart.setTitle(chart.getTitle() + ": no per-user results of BT and another method");
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  static String markdown(ExperimentResults results) {
    ExperimentConfig c = results.config();
    List<MethodSummary> sums = results.summaries();
    int splitsDone =
        (int) results.methodResults().stream().mapToInt(MethodResult::split).distinct().count();
    StringBuilder b = new StringBuilder();
    b.append("# LoRe experiment\n\n");
    b.append("Dataset: ").append(c.dataset().description()).append(".\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "R = %d random splits (%d with results), seed %d; k = %d few-shot pairs per unseen"
                + " user.\n\n",
            c.splits(),
            splitsDone,
            c.seed(),
            c.fewShot()));
    b.append("| Method | Seen | Unseen | Overall | Params | B | Splits |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    for (MethodSummary s : sums) {
      accuracyCells(b, s)
          .append(" | ")
          .append(params(s.parameterCount()))
          .append(" | ")
          .append(s.ranks().isEmpty() ? "" : joined(s.ranks()))
          .append(" | ")
          .append(s.seen().splits())
          .append(" |\n");
    }
    b.append(
        "\nAccuracy in % (Eq. 15, strict > 0: ties count as wrong), per user, unweighted mean over"
            + " users. Each cell: mean over splits of the per-split mean over users ± the sample"
            + " std over splits (not over users; no rescaling). Overall pools all seen and unseen"
            + " users. B: the rank chosen in each split by validation on held-out "
            + c.dataset().validationUnit()
            + " of the seen users"
            + (results.selectingMethods().isEmpty()
                ? ""
                : " (or, for "
                    + String.join(", ", results.selectingMethods())
                    + ", by the"
                    + " method's own cross-validation over the training pairs; B = 1 is the BT"
                    + " limit)")
            + ". Params: learned parameters as the method"
            + " counts them, mean over splits. Splits: how many of the R splits have results"
            + " for the method.\n\n");
    commonSplits(results, b);
    b.append("## Spread over users\n\n");
    b.append("Mean over splits of the per-split sample std over users, in %.\n\n");
    b.append("| Method | Seen | Unseen | Overall | Train s |\n|---|---|---|---|---|\n");
    for (MethodSummary s : sums) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %.1f |\n",
              s.method(),
              ExperimentResults.pct(s.seenUserStd()),
              ExperimentResults.pct(s.unseenUserStd()),
              ExperimentResults.pct(s.overallUserStd()),
              s.trainSeconds()));
    }
    b.append("\n## Few-shot curve (unseen accuracy, %)\n\n");
    java.util.TreeSet<Integer> ks = new java.util.TreeSet<>();
    sums.forEach(s -> ks.addAll(s.fewShotCurve().keySet()));
    StringJoiner head = new StringJoiner(" | ", "| Method | ", " |\n");
    StringJoiner rule = new StringJoiner("|", "|---|", "|\n");
    ks.forEach(k -> head.add("k=" + k));
    ks.forEach(k -> rule.add("---"));
    b.append(head).append(rule);
    for (MethodSummary s : sums) {
      StringJoiner row = new StringJoiner(" | ", "| " + s.method() + " | ", " |\n");
      for (int k : ks) {
        Stat st = s.fewShotCurve().get(k);
        row.add(st == null ? "" : ExperimentResults.pct(st));
      }
      b.append(row);
    }
    b.append("\nMean ± std over splits; each method re-adapted for each k on the same split.\n");
    perUserSection(results, b);
    selectionSection(results, b);
    gridSection(results, b);
    for (String family : results.rankFamilies()) {
      SortedMap<Integer, Stat> curve = results.rankCurve(family);
      if (curve.isEmpty()) {
        continue;
      }
      b.append("\n## Rank selection: ").append(family).append("\n\n");
      b.append(
          String.format(
              Locale.ROOT,
              "Validation accuracy (%%) of the seen users on %.0f%% held-out %s, trained on the"
                  + " rest; mean ± std over splits.\n\n",
              100 * c.validationFraction(),
              c.dataset().validationUnit()));
      StringJoiner h = new StringJoiner(" | ", "| | ", " |\n");
      StringJoiner ru = new StringJoiner("|", "|---|", "|\n");
      StringJoiner row = new StringJoiner(" | ", "| validation | ", " |\n");
      for (Map.Entry<Integer, Stat> e : curve.entrySet()) {
        h.add("B=" + e.getKey());
        ru.add("---");
        row.add(ExperimentResults.pct(e.getValue()));
      }
      b.append(h).append(ru).append(row);
    }
    return b.toString();
  }

  /** The first cells of a method's row: {@code | method | seen | unseen | overall}. */
  private static StringBuilder accuracyCells(StringBuilder b, MethodSummary s) {
    return b.append("| ")
        .append(s.method())
        .append(" | ")
        .append(ExperimentResults.pct(s.seen()))
        .append(" | ")
        .append(ExperimentResults.pct(s.unseen()))
        .append(" | ")
        .append(ExperimentResults.pct(s.overall()));
  }

  private static String params(double p) {
    if (Double.isNaN(p)) {
      return "n/a";
    }
    if (p >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", p / 1e6);
    }
    if (p >= 1e4) {
      return String.format(Locale.ROOT, "%.1fk", p / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", p);
  }

  private static String joined(List<Integer> v) {
    StringJoiner j = new StringJoiner(",");
    v.forEach(x -> j.add(Integer.toString(x)));
    return j.toString();
  }

  static byte[] fewShotPng(ExperimentResults results) throws IOException {
    XYChart chart = chart("Few-shot adaptation (unseen users)", "few-shot pairs per user k");
    for (MethodSummary s : results.summaries()) {
      addSeries(chart, s.method(), s.fewShotCurve());
    }
    if (chart.getSeriesMap().isEmpty()) {
      chart.setTitle(chart.getTitle() + ": no results");
    } else {
      chart.getStyler().setXAxisLogarithmic(true);
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  static byte[] rankPng(ExperimentResults results) throws IOException {
    XYChart chart = chart("Validation / cross-validation accuracy vs rank (seen users)", "rank B");
    for (String family : results.rankFamilies()) {
      addSeries(chart, family, results.rankCurve(family));
    }
    // the self-selecting methods' cross-validation: one line per prior strength over the ranks
    for (String method : results.selectingMethods()) {
      Map<Double, java.util.TreeMap<Integer, Stat>> byStrength =
          new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
      results
          .selectionGrid(method)
          .forEach(
              (rank, row) ->
                  row.forEach(
                      (l, st) ->
                          byStrength
                              .computeIfAbsent(l, x -> new java.util.TreeMap<>())
                              .put(rank, st)));
      byStrength.forEach(
          (l, curve) ->
              addSeries(
                  chart,
                  method + " CV lambda=" + strength(l) + (Double.isInfinite(l) ? " (BT)" : ""),
                  curve));
    }
    if (chart.getSeriesMap().isEmpty()) {
      chart.setTitle(chart.getTitle() + ": no rank selection");
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  /**
   * When methods have results on different splits (e.g. slow baselines run on fewer), the main
   * table compares means over different splits; this adds the table over the splits every method
   * has, so methods can be compared on the same draws. Nothing when all have the same splits.
   */
  private static void commonSplits(ExperimentResults results, StringBuilder b) {
    java.util.Map<String, java.util.Set<Integer>> byMethod = new java.util.LinkedHashMap<>();
    for (MethodResult r : results.methodResults()) {
      byMethod.computeIfAbsent(r.method(), x -> new java.util.TreeSet<>()).add(r.split());
    }
    if (byMethod.size() < 2 || new java.util.HashSet<>(byMethod.values()).size() == 1) {
      return;
    }
    java.util.Set<Integer> common = null;
    for (java.util.Set<Integer> s : byMethod.values()) {
      if (common == null) {
        common = new java.util.TreeSet<>(s);
      } else {
        common.retainAll(s);
      }
    }
    if (common.isEmpty()) {
      return;
    }
    final java.util.Set<Integer> on = common;
    ExperimentResults same =
        new ExperimentResults(
            results.config(),
            results.methodResults().stream().filter(r -> on.contains(r.split())).toList(),
            List.of());
    b.append("## On the splits every method has\n\n");
    b.append("Splits ")
        .append(joined(List.copyOf(on)))
        .append(" only: the same draws for every method; mean ± std over these splits.\n\n");
    b.append("| Method | Seen | Unseen | Overall |\n|---|---|---|---|\n");
    for (MethodSummary s : same.summaries()) {
      accuracyCells(b, s).append(" |\n");
    }
    b.append("\n");
  }

  private static XYChart chart(String title, String xTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(520)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle("accuracy (%), mean ± std over splits")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    chart.getStyler().setSeriesColors(PALETTE);
    chart.getStyler().setDecimalPattern("#0.#");
    return chart;
  }

  private static void addSeries(XYChart chart, String name, SortedMap<Integer, Stat> curve) {
    if (curve.isEmpty()) {
      return;
    }
    double[] x = new double[curve.size()];
    double[] y = new double[curve.size()];
    double[] err = new double[curve.size()];
    int i = 0;
    for (Map.Entry<Integer, Stat> e : curve.entrySet()) {
      x[i] = e.getKey();
      y[i] = 100 * e.getValue().mean();
      double s = e.getValue().std();
      err[i++] = Double.isNaN(s) ? 0 : 100 * s;
    }
    XYSeries series = chart.addSeries(name, x, y, err);
    series.setMarker(SeriesMarkers.CIRCLE);
  }
}
