package lore.experiment;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import lore.CandidatePool;
import lore.ColdStart;
import lore.FitConfig;
import lore.ModelSelection;
import lore.PreferenceData;
import lore.RewardModel;
import lore.SelectionConfig;
import lore.TrainConfig;
import lore.Trainer;
import lore.UserPosterior;
import lore.datasets.AtomicFiles;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Active against random questions for new users: on each split the model is trained on the seen
 * users, then every unseen user with at least {@code questions} few-shot pairs answers them one at
 * a time from a cold start ({@link ColdStart}), in two orders: the pool's own (random) order, and
 * the order {@link CandidatePool#mostInformative} picks from the same pool (pool-based active
 * learning: the answers are the user's recorded ones). After each answer, accuracy on the user's
 * test pairs (Eq. 15, a margin > 0 is right) and the predictive probabilities of those pairs in a
 * random orientation (for the expected calibration error) are recorded.
 *
 * <p>Writes {@code active.md} (curves mean ± std over splits, ECE), {@code active.png} and {@code
 * reliability.png}.
 */
public final class ActiveLearning {
  static final String TABLE = "active.md";
  static final String CURVES_PLOT = "active.png";
  static final String RELIABILITY_PLOT = "reliability.png";
  static final int BINS = 10;

  /**
   * What to run.
   *
   * @param dataset the splits
   * @param splits number of splits R
   * @param seed seed of the splits
   * @param questions the largest k; users with fewer few-shot pairs are left out
   * @param pool few-shot pairs asked of the dataset per unseen user: the pool questions are chosen
   *     from (the dataset may give fewer); at least {@code questions}
   * @param train the training configuration (the fixed configuration, or the base of selection)
   * @param selection the default LoRe's cross-validated selection, or null to train {@code train}
   */
  public record Config(
      ExperimentDataset dataset,
      int splits,
      long seed,
      int questions,
      int pool,
      TrainConfig train,
      SelectionConfig selection) {
    /** Validates the sizes. */
    public Config {
      if (splits < 1 || questions < 1 || pool < questions) {
        throw new IllegalArgumentException(
            "splits and questions must be >= 1 and the pool >= questions, got "
                + splits
                + ", "
                + questions
                + " and "
                + pool);
      }
    }

    /** This configuration over dataset {@code v}. */
    public Config withDataset(ExperimentDataset v) {
      return new Config(v, splits, seed, questions, pool, train, selection);
    }

    /** This configuration with R = {@code v}. */
    public Config withSplits(int v) {
      return new Config(dataset, v, seed, questions, pool, train, selection);
    }

    /** This configuration with seed {@code v}. */
    public Config withSeed(long v) {
      return new Config(dataset, splits, v, questions, pool, train, selection);
    }

    /** This configuration with at most {@code v} questions per user. */
    public Config withQuestions(int v) {
      return new Config(dataset, splits, seed, v, pool, train, selection);
    }

    /** This configuration with a pool of {@code v} pairs per user. */
    public Config withPool(int v) {
      return new Config(dataset, splits, seed, questions, v, train, selection);
    }

    /** This configuration with training configuration {@code v}. */
    public Config withTrain(TrainConfig v) {
      return new Config(dataset, splits, seed, questions, pool, v, selection);
    }

    /** This configuration with selection {@code v} (null: train {@link #train} as given). */
    public Config withSelection(SelectionConfig v) {
      return new Config(dataset, splits, seed, questions, pool, train, v);
    }
  }

  /** Reliability bins of predicted probabilities and outcomes. */
  public static final class Calibration {
    final long[] count = new long[BINS];
    final double[] confidence = new double[BINS];
    final double[] hits = new double[BINS];

    void add(double p, boolean outcome) {
      int b = Math.min(BINS - 1, (int) (p * BINS));
      count[b]++;
      confidence[b] += p;
      hits[b] += outcome ? 1 : 0;
    }

    /** Predictions recorded. */
    public long total() {
      long n = 0;
      for (long c : count) {
        n += c;
      }
      return n;
    }

    /** Expected calibration error over {@value #BINS} equal-width bins. */
    public double ece() {
      long n = total();
      double e = 0;
      for (int b = 0; b < BINS; b++) {
        e += Math.abs(confidence[b] - hits[b]);
      }
      return n == 0 ? Double.NaN : e / n;
    }
  }

  /**
   * The outcome.
   *
   * @param random per split, per k = 0..questions: mean accuracy over users
   * @param active the same for active questions
   * @param randomCalibration per k, pooled over splits
   * @param activeCalibration per k, pooled over splits
   * @param users per split, the users evaluated
   * @param models per split, what was trained (rank, prior)
   */
  public record Results(
      String dataset,
      int questions,
      double[][] random,
      double[][] active,
      Calibration[] randomCalibration,
      Calibration[] activeCalibration,
      int[] users,
      String[] models) {}

  private ActiveLearning() {}

  /**
   * Runs every split; {@code progress} gets one line per split. Blocking.
   *
   * @param executor runs the training partitions of {@code train.threads() > 1}, or null (one after
   *     another on the calling thread)
   */
  public static Results run(
      Config config, java.util.concurrent.Executor executor, Consumer<String> progress) {
    int q = config.questions();
    double[][] random = new double[config.splits()][];
    double[][] active = new double[config.splits()][];
    Calibration[] rc = new Calibration[q + 1];
    Calibration[] ac = new Calibration[q + 1];
    for (int k = 0; k <= q; k++) {
      rc[k] = new Calibration();
      ac[k] = new Calibration();
    }
    int[] users = new int[config.splits()];
    String[] models = new String[config.splits()];
    for (int i = 0; i < config.splits(); i++) {
      long t0 = System.nanoTime();
      long seed = Experiment.splitSeed(config.seed(), i);
      Split split = config.dataset().split(i, seed, config.pool(), 0.2);
      RewardModel model = train(config, split, seed, executor);
      models[i] = describe(model);
      random[i] = new double[q + 1];
      active[i] = new double[q + 1];
      users[i] = runSplit(model, split, q, seed, random[i], active[i], rc, ac);
      for (int k = 0; k <= q; k++) {
        random[i][k] /= Math.max(users[i], 1);
        active[i][k] /= Math.max(users[i], 1);
      }
      progress.accept(
          String.format(
              Locale.ROOT,
              "split %d: %s, %d users; k=%d random %.1f active %.1f (%.1f s)",
              i,
              models[i],
              users[i],
              q,
              100 * random[i][q],
              100 * active[i][q],
              (System.nanoTime() - t0) / 1e9));
    }
    return new Results(config.dataset().description(), q, random, active, rc, ac, users, models);
  }

  /** The model of one split: the default LoRe's selection, or the fixed configuration. */
  public static RewardModel train(
      Config config, Split split, long seed, java.util.concurrent.Executor executor) {
    if (config.selection() != null) {
      ModelSelection selection =
          new ModelSelection(config.train().withSeed(seed), config.selection());
      if (executor != null) {
        selection.executor(executor);
      }
      return selection.select(split.train(), config.dataset().foldGroups(split.train())).model();
    }
    Trainer trainer = new Trainer(config.train().withSeed(seed));
    if (executor != null) {
      trainer.executor(executor);
    }
    return trainer.train(split.train());
  }

  /**
   * One question of {@link #simulate}.
   *
   * @param k the question's number, from 1
   * @param shownFirst item index (of the split's table) shown first
   * @param shownSecond the other item
   * @param preferredFirst the user's recorded answer: whether they preferred {@code shownFirst}
   * @param gain the question's expected information gain when asked, nats
   * @param predicted the predictive probability of the answer the user then gave
   * @param accuracy accuracy on the user's test pairs after the answer
   * @param confidence mean predicted probability of the more likely side over those pairs: the
   *     accuracy the posterior expects of itself
   */
  public record Step(
      int k,
      int shownFirst,
      int shownSecond,
      boolean preferredFirst,
      double gain,
      double predicted,
      double accuracy,
      double confidence) {}

  /**
   * The cold start of unseen user {@code user} of {@code split}: {@code questions} questions from
   * the user's few-shot pairs, by information gain ({@code active}) or in the pool's order, each
   * answered as the user recorded it. The first entry (k = 0) is the prior's accuracy and
   * confidence.
   *
   * @throws IllegalArgumentException for an unknown user, one without test pairs, or fewer few-shot
   *     pairs than questions
   */
  public static List<Step> simulate(
      RewardModel model, Split split, String user, int questions, boolean active, long seed) {
    PreferenceData pool = split.fewShotPool();
    PreferenceData test = split.testUnseen();
    int u = pool.userIndex(user);
    int tu = test.userIndex(user);
    if (u < 0 || tu < 0) {
      throw new IllegalArgumentException(
          "user '" + user + "' is not an unseen user with few-shot and test pairs in this split");
    }
    int m = pool.pairEnd(u) - pool.pairStart(u);
    if (m < questions) {
      throw new IllegalArgumentException(
          "user '"
              + user
              + "' has "
              + m
              + " few-shot pairs, fewer than "
              + questions
              + " questions");
    }
    int d = model.dim();
    int rank = model.rank();
    float[] items = pool.items();
    float[] basis = model.basis();
    int t0 = test.pairStart(tu);
    int tn = test.pairEnd(tu) - t0;
    float[] tz = new float[tn * rank];
    Kernels kernels = KernelProvider.get();
    for (int t = 0; t < tn; t++) {
      for (int b = 0; b < rank; b++) {
        tz[t * rank + b] =
            kernels.dot(basis, b * d, items, test.itemOffset(test.chosen(t0 + t)), d)
                - kernels.dot(basis, b * d, items, test.itemOffset(test.rejected(t0 + t)), d);
      }
    }
    int[] first = new int[m];
    int[] second = new int[m];
    for (int p = 0; p < m; p++) {
      first[p] = pool.chosen(pool.pairStart(u) + p);
      second[p] = pool.rejected(pool.pairStart(u) + p);
    }
    CandidatePool candidates = CandidatePool.ofPairs(model, items, pool.itemCount(), first, second);
    ColdStart session = new ColdStart(model, FitConfig.defaults(), questions);
    SplittableRandom rnd = new SplittableRandom(seed);
    BitSet asked = new BitSet();
    List<Step> steps = new ArrayList<>();
    UserPosterior post = session.posterior();
    steps.add(new Step(0, -1, -1, false, 0, Double.NaN, accuracy(post, tz), confidence(post, tz)));
    for (int k = 1; k <= questions; k++) {
      int c = active ? candidates.mostInformative(post, asked) : k - 1;
      asked.set(c);
      double gain = candidates.informationGain(post, c);
      double p = candidates.preferenceProbability(post, c); // of the recorded answer
      post = session.observe(candidates, c, true);
      boolean swap = rnd.nextBoolean(); // show the chosen item first or second at random
      steps.add(
          new Step(
              k,
              swap ? second[c] : first[c],
              swap ? first[c] : second[c],
              !swap,
              gain,
              p,
              accuracy(post, tz),
              confidence(post, tz)));
    }
    return steps;
  }

  private static double accuracy(UserPosterior post, float[] tz) {
    int rank = post.model().rank();
    float[] w = post.weights().weights();
    int n = tz.length / rank;
    int right = 0;
    for (int t = 0; t < n; t++) {
      double m = 0;
      for (int b = 0; b < rank; b++) {
        m += w[b] * tz[t * rank + b];
      }
      right += m > 0 ? 1 : 0;
    }
    return (double) right / n;
  }

  private static double confidence(UserPosterior post, float[] tz) {
    int rank = post.model().rank();
    int n = tz.length / rank;
    double sum = 0;
    for (int t = 0; t < n; t++) {
      double p = post.preferenceProbabilityProjected(tz, t * rank);
      sum += Math.max(p, 1 - p);
    }
    return sum / n;
  }

  static String describe(RewardModel m) {
    var meta = m.metadata();
    String rho = meta.getOrDefault("newUserPriorStrength", "1");
    String lambda = meta.getOrDefault("priorStrength", "0");
    return "B=" + m.rank() + " lambda=" + lambda + " rho=" + rho;
  }

  /** Sums per-user accuracies into {@code random} and {@code active}; returns the users. */
  static int runSplit(
      RewardModel model,
      Split split,
      int q,
      long seed,
      double[] random,
      double[] active,
      Calibration[] rc,
      Calibration[] ac) {
    PreferenceData pool = split.fewShotPool();
    PreferenceData test = split.testUnseen();
    int d = model.dim();
    int rank = model.rank();
    float[] items = pool.items();
    int n = pool.itemCount();
    // every item projected once: test pairs are differences of these rows
    Kernels kernels = KernelProvider.get();
    float[] proj = new float[Math.multiplyExact(n, rank)];
    kernels.project(items, 0, n, d, model.basis(), rank, proj, 0, kernels.workspace());
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x61637469L);
    int evaluated = 0;
    for (int u = 0; u < pool.userCount(); u++) {
      int m = pool.pairEnd(u) - pool.pairStart(u);
      int tu = test.userIndex(pool.userId(u));
      if (m < q || tu < 0) {
        continue;
      }
      int t0 = test.pairStart(tu);
      int tn = test.pairEnd(tu) - t0;
      float[] tz = new float[tn * rank];
      boolean[] flip = new boolean[tn];
      for (int t = 0; t < tn; t++) {
        int c = test.chosen(t0 + t) * rank;
        int r = test.rejected(t0 + t) * rank;
        for (int b = 0; b < rank; b++) {
          tz[t * rank + b] = proj[c + b] - proj[r + b];
        }
        flip[t] = rnd.nextBoolean();
      }
      // the user's pool: its few-shot pairs, (chosen, rejected), as a compact item table
      float[] table = new float[Math.multiplyExact(2 * m, d)];
      int[] first = new int[m];
      int[] second = new int[m];
      for (int p = 0; p < m; p++) {
        int e = pool.pairStart(u) + p;
        System.arraycopy(items, pool.itemOffset(pool.chosen(e)), table, 2 * p * d, d);
        System.arraycopy(items, pool.itemOffset(pool.rejected(e)), table, (2 * p + 1) * d, d);
        first[p] = 2 * p;
        second[p] = 2 * p + 1;
      }
      CandidatePool candidates = CandidatePool.ofPairs(model, table, 2 * m, first, second);
      ColdStart byOrder = new ColdStart(model, FitConfig.defaults(), q);
      ColdStart byGain = new ColdStart(model, FitConfig.defaults(), q);
      BitSet asked = new BitSet();
      score(byOrder.posterior(), tz, flip, random, rc, 0);
      score(byGain.posterior(), tz, flip, active, ac, 0);
      for (int k = 1; k <= q; k++) {
        // the answers are the user's: the pool's first side is the chosen one, and the gain does
        // not depend on a pair's orientation, so nothing of the answer leaks into the choice
        UserPosterior r = byOrder.observe(candidates, k - 1, true);
        int c = candidates.mostInformative(byGain.posterior(), asked);
        asked.set(c);
        UserPosterior a = byGain.observe(candidates, c, true);
        score(r, tz, flip, random, rc, k);
        score(a, tz, flip, active, ac, k);
      }
      evaluated++;
    }
    return evaluated;
  }

  private static void score(
      UserPosterior post, float[] tz, boolean[] flip, double[] acc, Calibration[] cal, int k) {
    int rank = post.model().rank();
    int n = flip.length;
    float[] w = post.weights().weights();
    float[] row = new float[rank];
    int right = 0;
    for (int t = 0; t < n; t++) {
      double m = 0;
      for (int b = 0; b < rank; b++) {
        m += w[b] * tz[t * rank + b];
      }
      right += m > 0 ? 1 : 0;
      float sign = flip[t] ? -1f : 1f;
      for (int b = 0; b < rank; b++) {
        row[b] = sign * tz[t * rank + b];
      }
      cal[k].add(post.preferenceProbabilityProjected(row, 0), !flip[t]);
    }
    acc[k] += (double) right / n;
  }

  /** Writes {@code active.md}, {@code active.png} and {@code reliability.png} into {@code dir}. */
  public static void write(Results r, Path dir, String command) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    AtomicFiles.write(dir.resolve(TABLE), markdown(r, command).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(dir.resolve(CURVES_PLOT), curvesPng(r));
    AtomicFiles.write(dir.resolve(RELIABILITY_PLOT), reliabilityPng(r, reliabilityK(r)));
  }

  /** The k of the reliability diagram: the paper's 9 few-shot pairs, or fewer questions. */
  static int reliabilityK(Results r) {
    return Math.min(9, r.questions());
  }

  static double[] column(double[][] perSplit, int k) {
    double[] c = new double[perSplit.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = perSplit[i][k];
    }
    return c;
  }

  /**
   * The fewest questions whose mean active accuracy reaches the mean random accuracy at {@code k},
   * or -1.
   */
  static int activeReaches(Results r, int k) {
    double target = Metrics.mean(column(r.random(), k));
    for (int j = 0; j <= r.questions(); j++) {
      if (Metrics.mean(column(r.active(), j)) >= target) {
        return j;
      }
    }
    return -1;
  }

  static String markdown(Results r, String command) {
    StringBuilder b = new StringBuilder();
    b.append("# Active vs random questions for new users\n\n");
    b.append("Dataset: ").append(r.dataset()).append("\n\n");
    if (command != null) {
      b.append("Command: `").append(command).append("`\n\n");
    }
    int splits = r.random().length;
    b.append(
        String.format(
            Locale.ROOT,
            "R = %d splits; unseen users with at least %d few-shot pairs (per split: %s)."
                + " Each user answers k of their own few-shot pairs from a cold start (the"
                + " model's empirical-Bayes prior, one-pair online updates): *random* in the"
                + " pool's order, *active* by the largest expected information gain (D-optimal)."
                + " Accuracy on the user's test pairs in %%, mean ± std over splits of the mean"
                + " over users; ECE of the posterior predictive (probit) on the same pairs in a"
                + " random orientation, %d bins, pooled over splits.%n%n",
            splits,
            r.questions(),
            java.util.Arrays.toString(r.users()),
            BINS));
    b.append("Models: ").append(String.join("; ", distinct(r.models()))).append("\n\n");
    b.append("| k | random | active | active - random | ECE random | ECE active |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (int k = 0; k <= r.questions(); k++) {
      double[] ra = column(r.random(), k);
      double[] ac = column(r.active(), k);
      double[] diff = new double[splits];
      for (int i = 0; i < splits; i++) {
        diff[i] = ac[i] - ra[i];
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s | %s | %.4f | %.4f |%n",
              k,
              ExperimentResults.pct(ExperimentResults.Stat.of(ra)),
              ExperimentResults.pct(ExperimentResults.Stat.of(ac)),
              signed(ExperimentResults.Stat.of(diff)),
              r.randomCalibration()[k].ece(),
              r.activeCalibration()[k].ece()));
    }
    int k9 = Math.min(9, r.questions());
    int reach = activeReaches(r, k9);
    b.append('\n');
    b.append(
        reach >= 0
            ? String.format(
                Locale.ROOT,
                "Active questions reach random's k = %d accuracy (%s) with %d questions.%n",
                k9,
                ExperimentResults.pct(Metrics.mean(column(r.random(), k9))),
                reach)
            : String.format(
                Locale.ROOT,
                "Active questions do not reach random's k = %d accuracy (%s) within %d"
                    + " questions.%n",
                k9,
                ExperimentResults.pct(Metrics.mean(column(r.random(), k9))),
                r.questions()));
    b.append(
        String.format(
            Locale.ROOT,
            "%nReliability diagram at k = %d: `%s` (predicted probability against the observed"
                + " frequency; the diagonal is perfect calibration). Curves: `%s`.%n",
            reliabilityK(r),
            RELIABILITY_PLOT,
            CURVES_PLOT));
    return b.toString();
  }

  private static List<String> distinct(String[] v) {
    java.util.LinkedHashMap<String, Integer> n = new java.util.LinkedHashMap<>();
    for (String s : v) {
      n.merge(s, 1, Integer::sum);
    }
    List<String> out = new ArrayList<>();
    n.forEach((s, c) -> out.add(s + " (" + c + " of " + v.length + ")"));
    return out;
  }

  private static String signed(ExperimentResults.Stat s) {
    String m = String.format(Locale.ROOT, "%+.1f", 100 * s.mean());
    return Double.isNaN(s.std()) ? m : m + " ± " + ExperimentResults.pct(s.std());
  }

  static byte[] curvesPng(Results r) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(520)
            .title("New users: active vs random questions")
            .xAxisTitle("questions answered k")
            .yAxisTitle("accuracy (%), mean ± std over splits")
            .build();
    style(chart);
    for (String name : new String[] {"random", "active"}) {
      double[][] v = name.equals("random") ? r.random() : r.active();
      double[] x = new double[r.questions() + 1];
      double[] y = new double[x.length];
      double[] e = new double[x.length];
      for (int k = 0; k < x.length; k++) {
        double[] c = column(v, k);
        x[k] = k;
        y[k] = 100 * Metrics.mean(c);
        double s = Metrics.std(c);
        e[k] = Double.isNaN(s) ? 0 : 100 * s;
      }
      XYSeries s = chart.addSeries(name, x, y, e);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  static byte[] reliabilityPng(Results r, int k) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(640)
            .height(560)
            .title("Reliability of the predictive at k = " + k)
            .xAxisTitle("predicted probability (bin mean)")
            .yAxisTitle("observed frequency")
            .build();
    style(chart);
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    XYSeries diag = chart.addSeries("perfect", new double[] {0, 1}, new double[] {0, 1});
    diag.setMarker(SeriesMarkers.NONE);
    for (String name : new String[] {"random", "active"}) {
      Calibration c = name.equals("random") ? r.randomCalibration()[k] : r.activeCalibration()[k];
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int b = 0; b < BINS; b++) {
        if (c.count[b] > 0) {
          x.add(c.confidence[b] / c.count[b]);
          y.add(c.hits[b] / c.count[b]);
        }
      }
      if (!x.isEmpty()) {
        XYSeries s =
            chart.addSeries(String.format(Locale.ROOT, "%s (ECE %.3f)", name, c.ece()), x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
      }
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static void style(XYChart chart) {
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    chart
        .getStyler()
        .setSeriesColors(
            new Color[] {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73)});
    chart.getStyler().setDecimalPattern("#0.##");
  }
}
