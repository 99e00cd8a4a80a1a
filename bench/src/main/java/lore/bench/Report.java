package lore.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import lore.internal.kernel.KernelProvider;

/**
 * Turns JMH JSON results ({@code -rf json}) into the tables of {@code bench/RESULTS.md}: median and
 * error per implementation, the ratio to ND4J and to the scalar kernels, and the fraction of the
 * roofline, where memory bandwidth and FMA peak come from {@link StreamBenchmark} and {@link
 * FmaPeakBenchmark} in the same files. Usage: {@code java --add-modules jdk.incubator.vector -cp
 * benchmarks.jar lore.bench.Report result.json... > RESULTS-tables.md}.
 */
public final class Report {
  /** Strict where JMH's output is: one JSON value per file, nothing after it. */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private static final String[] IMPL_ORDER = {"panama", "scalar", "ejml", "nd4j", "engine"};

  /** One JMH result. Times are in milliseconds. */
  record Result(
      String benchmark,
      String method,
      Map<String, String> params,
      double medianMs,
      double meanMs,
      double errorMs,
      Map<String, Double> percentilesMs,
      Double allocBytesPerOp) {
    String p(String name) {
      return params.getOrDefault(name, "");
    }

    int pi(String name) {
      return Integer.parseInt(p(name));
    }
  }

  private final List<Result> results = new ArrayList<>();

  /** ND4J native builds the ND4J results ran on (from each result's fork flags). */
  private final java.util.Set<String> nd4jBuilds = new java.util.TreeSet<>();

  private String jdk = "?";
  private final StringBuilder out = new StringBuilder();
  private double bw1 = Double.NaN;
  private double bw2 = Double.NaN;
  private double peak1 = Double.NaN;
  private double peak2 = Double.NaN;

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: Report result.json [more.json ...]");
    }
    List<Path> files = new ArrayList<>();
    for (String a : args) {
      files.add(Path.of(a));
    }
    System.out.print(render(KernelProvider.choose("auto").name(), files));
  }

  /**
   * The report of {@code files}. {@code kernels} is a {@code Kernels.name()} such as {@code
   * panama/512}; its width gives the lanes of the FMA probe, so a test can fix it.
   */
  static String render(String kernels, List<Path> files) throws IOException {
    Report r = new Report();
    for (Path f : files) {
      r.read(f);
    }
    r.write(kernels);
    return r.out.toString();
  }

  private void read(Path file) throws IOException {
    JsonNode all = JSON.readTree(Files.readString(file));
    if (!all.isArray()) {
      throw new IllegalArgumentException(file + ": not a JMH result list (-rf json)");
    }
    for (JsonNode m : all) {
      String full = text(m.get("benchmark"), "benchmark");
      int dot = full.lastIndexOf('.');
      String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
      jdk =
          m.path("jdkVersion").asText()
              + " ("
              + m.path("vmName").asText()
              + " "
              + m.path("vmVersion").asText()
              + ")";
      Map<String, String> params = new TreeMap<>();
      for (var p : m.path("params").properties()) {
        params.put(p.getKey(), p.getValue().asText());
      }
      if (params.containsValue("nd4j")) {
        nd4jBuilds.add(nd4jBuild(m.path("jvmArgs")));
      }
      JsonNode pm = m.path("primaryMetric");
      double toMs = toMillis(text(pm.get("scoreUnit"), "scoreUnit"));
      Map<String, Double> pct = new LinkedHashMap<>();
      for (var p : pm.path("scorePercentiles").properties()) {
        pct.put(p.getKey(), number(p.getValue(), "percentile " + p.getKey()) * toMs);
      }
      JsonNode gc = m.path("secondaryMetrics").path("gc.alloc.rate.norm").get("score");
      Double alloc = gc == null ? null : number(gc, "gc.alloc.rate.norm");
      // JMH writes the string "NaN" when one iteration leaves no error estimate
      JsonNode err = pm.get("scoreError");
      double error = err != null && err.isNumber() ? err.doubleValue() * toMs : Double.NaN;
      results.add(
          new Result(
              cls,
              full.substring(dot + 1),
              params,
              pct.get("50.0"),
              number(pm.get("score"), "score") * toMs,
              error,
              pct,
              alloc));
    }
  }

  private static String text(JsonNode v, String what) {
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("JMH result: " + what + " is " + v + ", not a string");
    }
    return v.asText();
  }

  private static double number(JsonNode v, String what) {
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("JMH result: " + what + " is " + v + ", not a number");
    }
    return v.doubleValue();
  }

  /** The ND4J build of a fork, from the flag that {@link Main} passes to every fork. */
  static String nd4jBuild(JsonNode jvmArgs) {
    String flag = "-D" + Nd4jNatives.PROPERTY + "=";
    for (JsonNode a : jvmArgs) {
      if (a.isTextual() && a.asText().startsWith(flag)) {
        String ext = a.asText().substring(flag.length());
        return ext.isEmpty() ? "generic" : ext.substring(1);
      }
    }
    return "unrecorded (run without lore.bench.Main)";
  }

  private static double toMillis(String unit) {
    return switch (unit) {
      case "s/op" -> 1e3;
      case "ms/op" -> 1;
      case "us/op" -> 1e-3;
      case "ns/op" -> 1e-6;
      default -> throw new IllegalArgumentException("unit " + unit);
    };
  }

  private List<Result> select(String cls) {
    return select(cls, x -> true);
  }

  private List<Result> select(String cls, Predicate<Result> filter) {
    List<Result> l = new ArrayList<>();
    for (Result r : results) {
      if (r.benchmark.equals(cls) && filter.test(r)) {
        l.add(r);
      }
    }
    return l;
  }

  private void write(String kernels) {
    int lanes = kernels.startsWith("panama/") ? Integer.parseInt(kernels.substring(7)) / 32 : 16;
    line("- JDK: " + jdk);
    line("- CPU: " + cpu());
    line("- `Kernels.name()` (auto): `" + kernels + "`");
    if (!nd4jBuilds.isEmpty()) {
      line("- ND4J native build: " + String.join(", ", nd4jBuilds));
    }
    line("- Date: " + LocalDate.now());
    line("");
    rooflines(lanes);
    kernelTables("ProjectBenchmark", "Projection Z = X A^T", 2, 4);
    kernelTables("GradientBenchmark", "Gradient grad += G^T X", 2, 4);
    kernelTables(
        "FusedPassBenchmark", "Fused training pass (projection + logistic + gradient)", 4, 4);
    trainTables();
    smallTables("SimplexBenchmark", "Simplex projection of n vectors of length B", "B");
    smallTables("LogisticLossBenchmark", "Stable logistic loss and derivative over n margins", "n");
    fewShot();
    coldStart();
    score();
    targets(kernels);
  }

  private static String cpu() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          String model = l.substring(l.indexOf(':') + 1).trim();
          return model + ", " + Runtime.getRuntime().availableProcessors() + " vCPUs";
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return System.getProperty("os.arch");
  }

  private void rooflines(int lanes) {
    heading("Rooflines measured in this run");
    header("probe", "threads", "median ms", "± error", "derived");
    for (Result r : select("StreamBenchmark")) {
      double bytes = r.pi("mib") * 1048576.0;
      double gbs = bytes / 1e9 / (r.medianMs / 1e3);
      if (r.pi("threads") == 1) {
        bw1 = Double.isNaN(bw1) ? gbs : Math.max(bw1, gbs);
      } else if (r.pi("threads") == 2) {
        bw2 = Double.isNaN(bw2) ? gbs : Math.max(bw2, gbs);
      }
      line(
          "| STREAM-style read, "
              + r.p("mib")
              + " MiB | "
              + r.p("threads")
              + " | "
              + f(r.medianMs)
              + " | "
              + f(r.errorMs)
              + " | **"
              + f(gbs)
              + " GB/s** |");
    }
    for (Result r : select("FmaPeakBenchmark")) {
      double flops = 2.0 * lanes * FmaPeakBenchmark.CHAINS * r.pi("iterations") * r.pi("threads");
      double gf = flops / 1e9 / (r.medianMs / 1e3);
      if (r.pi("threads") == 1) {
        peak1 = Double.isNaN(peak1) ? gf : Math.max(peak1, gf);
      } else if (r.pi("threads") == 2) {
        peak2 = Double.isNaN(peak2) ? gf : Math.max(peak2, gf);
      }
      line(
          "| FMA peak, "
              + FmaPeakBenchmark.CHAINS
              + " chains x "
              + lanes
              + " lanes | "
              + r.p("threads")
              + " | "
              + f(r.medianMs)
              + " | "
              + f(r.errorMs)
              + " | **"
              + f(gf)
              + " GFLOP/s** |");
    }
    // two threads can't have less bandwidth or peak than one: a lower 2-thread probe means a
    // neighbour took the second core; use the 1-thread figure then (RESULTS.md says so)
    if (!(bw2 >= bw1)) {
      bw2 = bw1;
    }
    if (!(peak2 >= peak1)) {
      peak2 = peak1;
    }
    if (Double.isNaN(peak1)) {
      // the Cascade Lake machine's C intrinsics figures (RESULTS.md, "Reference figures")
      peak1 = 152;
      peak2 = 300;
      line(
          "| FMA peak (not in this run: Cascade Lake reference, RESULTS.md) | 1 / 2 | | |"
              + " 152 / 300 GFLOP/s |");
    }
    line("");
    line(
        "Roofline of an operation = max(bytes read once / bandwidth, FLOP / FMA peak) for its"
            + " thread count, with the best bandwidth and peak above when a probe ran more than once"
            + " (and the 1-thread figure for 2 threads when the 2-thread probe came out lower);"
            + " \"of roofline\" = roofline time / measured median (1.0 = at the roofline).");
    line("");
  }

  /** Project, gradient, fused: one table per (rows, d, B). */
  private void kernelTables(
      String cls, String title, int flopsPerElementPerRank, int bytesPerElement) {
    List<Result> all = select(cls);
    if (all.isEmpty()) {
      return;
    }
    heading(title + " (`" + cls + "`, 1 thread, ms per call)");
    Map<String, List<Result>> groups = group(all, "rows", "d", "B");
    for (var e : groups.entrySet()) {
      Result any = e.getValue().get(0);
      long rows = any.pi("rows");
      long d = any.pi("d");
      long b = any.pi("B");
      double bytes = (double) rows * d * bytesPerElement;
      double flops = (double) flopsPerElementPerRank * rows * d * b;
      line(
          "rows = "
              + rows
              + ", d = "
              + d
              + ", B = "
              + b
              + " (X is "
              + f(bytes / 1e6)
              + " MB, "
              + f(flops / 1e9)
              + " GFLOP)");
      line("");
      impls(e.getValue(), bytes, flops, bw1, peak1);
    }
  }

  private void trainTables() {
    List<Result> all = select("TrainIterationBenchmark");
    if (all.isEmpty()) {
      return;
    }
    heading("Training iteration (`TrainIterationBenchmark`, ms per iteration)");
    for (var e : group(all, "P", "users", "d", "B", "threads").entrySet()) {
      Result any = e.getValue().get(0);
      long p = any.pi("P");
      long d = any.pi("d");
      long b = any.pi("B");
      int t = any.pi("threads");
      double bytes = (double) p * d * 4;
      double flops = 4.0 * p * d * b;
      line(
          "P = "
              + p
              + ", users = "
              + any.p("users")
              + ", d = "
              + d
              + ", B = "
              + b
              + ", **"
              + t
              + " thread"
              + (t > 1 ? "s" : "")
              + "** (X is "
              + f(bytes / 1e6)
              + " MB, "
              + f(flops / 1e9)
              + " GFLOP)");
      line("");
      // bf16 rows read half the bytes: their own memory roofline
      impls(
          e.getValue(),
          r -> bf16(r) ? bytes / 2 : bytes,
          flops,
          t == 1 ? bw1 : bw2,
          t == 1 ? peak1 : peak2);
    }
  }

  private void impls(List<Result> group, double bytes, double flops, double bw, double peak) {
    impls(group, r -> bytes, flops, bw, peak);
  }

  /** Whether a training iteration stored its rows in bf16 ({@code -p storage=bf16}). */
  private static boolean bf16(Result r) {
    return r.p("storage").equals("bf16");
  }

  /**
   * The rows of one table; {@code bytesOf} gives each result's bytes read, the header's bound is
   * that of float rows.
   */
  private void impls(
      List<Result> group,
      java.util.function.ToDoubleFunction<Result> bytesOf,
      double flops,
      double bw,
      double peak) {
    Result nd4j = find(group, "nd4j");
    Result scalar = find(group, "scalar");
    double cpuMs = flops / (peak * 1e9) * 1e3;
    double floatMemMs = bytesOf.applyAsDouble(group.get(0)) / (bw * 1e9) * 1e3;
    for (Result r : group) {
      if (!bf16(r)) {
        floatMemMs = bytesOf.applyAsDouble(r) / (bw * 1e9) * 1e3;
      }
    }
    String bound = floatMemMs >= cpuMs ? "memory" : "compute";
    header(
        "impl",
        "median",
        "min",
        "± error",
        "ND4J ÷ this",
        "scalar ÷ this",
        "GB/s",
        "GFLOP/s",
        "roofline (" + bound + ")",
        "of roofline");
    for (Result r : sorted(group)) {
      double s = r.medianMs / 1e3;
      double bytes = bytesOf.applyAsDouble(r);
      double memMs = bytes / (bw * 1e9) * 1e3;
      double roof = Math.max(memMs, cpuMs);
      String rowBound = memMs >= cpuMs ? "memory" : "compute";
      line(
          "| "
              + r.p("impl")
              + (bf16(r) ? " bf16" : "")
              + " | "
              + f(r.medianMs)
              + " | "
              + f(r.percentilesMs.get("0.0"))
              + " | "
              + f(r.errorMs)
              + " | "
              + ratio(nd4j, r)
              + " | "
              + ratio(scalar, r)
              + " | "
              + f(bytes / 1e9 / s)
              + " | "
              + f(flops / 1e9 / s)
              + " | "
              + f(roof)
              + (rowBound.equals(bound) ? "" : " (" + rowBound + ")")
              + " | "
              + f(roof / r.medianMs)
              + alloc(r)
              + " |");
    }
    line("");
  }

  private void smallTables(String cls, String title, String key) {
    List<Result> all = select(cls);
    if (all.isEmpty()) {
      return;
    }
    heading(title + " (`" + cls + "`, 1 thread, µs per call)");
    header("n", "B", "path", "median", "± error", "ND4J ÷ this");
    for (var e : group(all, "n", "B").entrySet()) {
      Result nd4j = null;
      for (Result r : e.getValue()) {
        if (r.p("path").equals("nd4j")) {
          nd4j = r;
        }
      }
      for (Result r : e.getValue()) {
        line(
            "| "
                + r.p("n")
                + " | "
                + (r.p("B").isEmpty() ? "-" : r.p("B"))
                + " | "
                + r.p("path")
                + " | "
                + f(r.medianMs * 1e3)
                + " | "
                + f(r.errorMs * 1e3)
                + " | "
                + (nd4j == null ? "-" : f(nd4j.medianMs / r.medianMs))
                + alloc(r)
                + " |");
      }
    }
    line("");
  }

  private void coldStart() {
    List<Result> all = select("ColdStartBenchmark");
    if (all.isEmpty()) {
      return;
    }
    heading(
        "A new user: next question and one-pair update (`ColdStartBenchmark`, sample mode, µs)");
    header("kernels", "rank", "candidates", "k", "method", "p50", "p99", "p99.9", "mean ± error");
    for (Result r : all) {
      line(
          "| "
              + r.p("kernels")
              + " | "
              + r.p("rank")
              + " | "
              + r.p("candidates")
              + " | "
              + r.p("k")
              + " | "
              + r.method
              + " | "
              + latencies(r));
    }
    line("");
  }

  /** The cells p50, p99, p99.9 and mean ± error of a sample-mode result, in µs, closing the row. */
  private static String latencies(Result r) {
    return f(r.percentilesMs.get("50.0") * 1e3)
        + " | "
        + f(r.percentilesMs.get("99.0") * 1e3)
        + " | "
        + f(r.percentilesMs.get("99.9") * 1e3)
        + " | "
        + f(r.meanMs * 1e3)
        + " ± "
        + f(r.errorMs * 1e3)
        + alloc(r)
        + " |";
  }

  private void fewShot() {
    List<Result> all = select("FewShotFitBenchmark");
    if (all.isEmpty()) {
      return;
    }
    heading("Few-shot fit of one new user (`FewShotFitBenchmark`, sample mode, µs per fit)");
    header("kernels", "rank", "k", "method", "p50", "p99", "p99.9", "mean ± error");
    for (Result r : all) {
      line(
          "| "
              + r.p("kernels")
              + " | "
              + r.p("rank")
              + " | "
              + r.p("k")
              + " | "
              + r.method
              + " | "
              + latencies(r));
    }
    line("");
  }

  private void score() {
    List<Result> all = select("ScoreBenchmark");
    if (all.isEmpty()) {
      return;
    }
    heading("Scoring (`ScoreBenchmark`, ns per call)");
    header("method", "d", "kernels", "median", "± error", "scalar ÷ this");
    for (var e : group(all, "d").entrySet()) {
      for (String method : new String[] {"score", "rerank"}) {
        Result scalar = null;
        for (Result r : e.getValue()) {
          if (r.method.equals(method) && r.p("kernels").equals("scalar")) {
            scalar = r;
          }
        }
        for (Result r : e.getValue()) {
          if (r.method.equals(method)) {
            line(
                "| "
                    + method
                    + (method.equals("rerank") ? " 64" : "")
                    + " | "
                    + r.p("d")
                    + " | "
                    + r.p("kernels")
                    + " | "
                    + f(r.medianMs * 1e6)
                    + " | "
                    + f(r.errorMs * 1e6)
                    + " | "
                    + (scalar == null ? "-" : f(scalar.medianMs / r.medianMs))
                    + alloc(r)
                    + " |");
          }
        }
      }
    }
    line("");
  }

  /**
   * The current goals: one training pass at >= 70 % of max(memory, compute) on 512-bit kernels and
   * >= 85 % on 256-bit ones, at 1 and 2 threads; few-shot fits at k = 50 with p99 <= 10 µs
   * (projected pairs) and <= 50 µs (raw embeddings). ND4J ratios are in the tables.
   */
  private void targets(String kernels) {
    heading("Targets");
    double goal = kernels.endsWith("/512") ? 0.70 : 0.85;
    for (Result r :
        select("TrainIterationBenchmark", x -> x.p("impl").equals("panama") && !bf16(x))) {
      int t = r.pi("threads");
      double p = r.pi("P");
      double bytes = p * r.pi("d") * 4;
      double flops = 4.0 * p * r.pi("d") * r.pi("B");
      double roof =
          Math.max(bytes / ((t == 1 ? bw1 : bw2) * 1e9), flops / ((t == 1 ? peak1 : peak2) * 1e9));
      double of = roof * 1e3 / r.medianMs;
      line(
          "- training pass, P = "
              + r.p("P")
              + ", B = "
              + r.p("B")
              + ", "
              + t
              + " thread"
              + (t > 1 ? "s" : "")
              + ": >= "
              + f(goal)
              + " of the roofline on "
              + kernels
              + ": "
              + (of >= goal ? "**met**" : "**not met**")
              + ", "
              + f(of));
    }
    for (Result r : select("FewShotFitBenchmark", x -> x.pi("k") == 50)) {
      double p99 = r.percentilesMs.get("99.0") * 1e3;
      double want = r.method.equals("fitProjected") ? 10 : 50;
      line(
          "- few-shot "
              + r.method
              + " p99 <= "
              + f(want)
              + " µs at k = 50, "
              + r.p("kernels")
              + " kernels, rank "
              + r.p("rank")
              + ": "
              + (p99 <= want ? "**met**" : "**not met**")
              + ", p99 = "
              + f(p99)
              + " µs (p50 "
              + f(r.percentilesMs.get("50.0") * 1e3)
              + " µs)");
    }
    line("");
  }

  /** The float-storage result of {@code impl}, the reference of the ratio columns. */
  private static Result find(List<Result> group, String impl) {
    for (Result r : group) {
      if (r.p("impl").equals(impl) && !bf16(r)) {
        return r;
      }
    }
    return null;
  }

  private static List<Result> sorted(List<Result> group) {
    List<Result> l = new ArrayList<>();
    for (String impl : IMPL_ORDER) {
      for (Result r : group) {
        if (r.p("impl").equals(impl)) {
          l.add(r);
        }
      }
    }
    return l;
  }

  private static Map<String, List<Result>> group(List<Result> all, String... keys) {
    Map<String, List<Result>> g = new TreeMap<>();
    for (Result r : all) {
      StringBuilder k = new StringBuilder();
      for (String key : keys) {
        String v = r.p(key);
        k.append(String.format(Locale.ROOT, "%12s|", v)); // numeric order for integer params
      }
      g.computeIfAbsent(k.toString(), x -> new ArrayList<>()).add(r);
    }
    return g;
  }

  private static String ratio(Result base, Result r) {
    return base == null ? "-" : f(base.medianMs / r.medianMs);
  }

  private static String alloc(Result r) {
    return r.allocBytesPerOp == null ? "" : " (" + f(r.allocBytesPerOp) + " B/op)";
  }

  /** Three significant digits, no exponent for the ranges seen here. */
  static String f(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.2g", v);
  }

  private void line(String s) {
    out.append(s).append('\n');
  }

  /** A level-2 heading and the blank line after it. */
  private void heading(String title) {
    line("## " + title);
    line("");
  }

  /** The header row of a Markdown table and its separator row. */
  private void header(String... columns) {
    line("| " + String.join(" | ", columns) + " |");
    line("|---".repeat(columns.length) + "|");
  }
}
