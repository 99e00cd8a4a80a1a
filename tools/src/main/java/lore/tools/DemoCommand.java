package lore.tools;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.Evaluation;
import lore.FitConfig;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.datasets.SyntheticConfig;
import lore.datasets.SyntheticData;
import lore.datasets.SyntheticPersonalLlm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore demo}: LoRe against BT end to end. By default on real data, Jester5k (bundled): within-
 * user pairs from rating gaps, seen users trained, unseen users fitted from a few pairs with the
 * basis frozen, seen/unseen/overall accuracy printed. {@code --dataset movielens|zappos} take the
 * other real sets; {@code --synthetic} runs the paper's semi-synthetic protocol (Table 1): for each
 * alpha it generates the data, trains BT (rank 1) and LoRe (rank B) and reports the same table.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "LoRe vs BT on real per-user data (default: bundled Jester5k jokes, MiniLM embeddings):",
      "train on seen users, fit unseen users from few-shot pairs, report accuracy.",
      "--synthetic: the paper's Table 1 protocol on synthetic PersonalLLM-style data instead."
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--alpha",
      split = ",",
      defaultValue = "0.01",
      paramLabel = "ALPHA",
      description =
          "Dirichlet concentration of the user preferences; a comma list runs several, e.g."
              + " 0.001,0.01,0.1 (default: ${DEFAULT-VALUE}).")
  List<Double> alphas;

  @Option(
      names = "--synthetic",
      description = "Synthetic PersonalLLM-style data (paper Table 1); same as --dataset synthetic.")
  boolean synthetic;

  @Option(
      names = "--dataset",
      defaultValue = "jester",
      paramLabel = "NAME",
      description =
          "jester (bundled), movielens (needs --data-dir), zappos (bundled) or synthetic"
              + " (default: ${DEFAULT-VALUE}).")
  RealData.Dataset dataset;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Read the data set from DIR instead of the bundled copy: jester5k_ratings.csv,"
              + " zappos_6000.csv, or MovieLens' movies.csv + ratings.csv.")
  java.nio.file.Path dataDir;

  @Option(
      names = "--unseen-fraction",
      defaultValue = "0.2",
      paramLabel = "F",
      description = "Real data: share of users held out as unseen (default: ${DEFAULT-VALUE}).")
  double unseenFraction;

  @Option(
      names = "--test-fraction",
      defaultValue = "0.5",
      paramLabel = "F",
      description =
          "Real data: share of each user's items (ratings) or pairs (comparisons) kept for test"
              + " (default: ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(
      names = "--min-gap",
      defaultValue = "1.0",
      paramLabel = "G",
      description =
          "Ratings: minimum score gap for a pair; ties are always dropped (default:"
              + " ${DEFAULT-VALUE}).")
  double minGap;

  @Option(
      names = "--max-pairs",
      defaultValue = "100",
      paramLabel = "N",
      description =
          "Ratings: cap on pairs per user in each of train and test, sampled with the seed"
              + " (default: ${DEFAULT-VALUE}).")
  int maxPairs;

  @Option(
      names = "--logit-scale",
      paramLabel = "S",
      description =
          "Logit scale s of the margin s * w.A(e_c - e_r) (default: 0.01 synthetic, 1 real data:"
              + " MiniLM and one-hot vectors have unit norm).")
  Double logitScale;

  @Mixin DataOptions data;

  @Mixin TrainOptions train;

  @Mixin FitOptions fit;

  /** One alpha's outcome. */
  record Result(
      double alpha,
      double[] btSeen,
      double[] btUnseen,
      double[] loreSeen,
      double[] loreUnseen,
      double generateSeconds,
      double trainBtSeconds,
      double trainLoreSeconds,
      double fitSeconds,
      double evaluateSeconds) {}

  @Override
  public Integer call() throws java.io.IOException {
    if (synthetic || dataset == RealData.Dataset.SYNTHETIC) {
      return callSynthetic();
    }
    return callReal();
  }

  private Integer callReal() throws java.io.IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long seed = data.seed != null ? data.seed : 42L;
    lore.datasets.Protocol protocol =
        new lore.datasets.Protocol(unseenFraction, data.fewShot, testFraction, seed);
    lore.datasets.RatingsToPairs rules = new lore.datasets.RatingsToPairs(minGap, maxPairs, seed);
    TrainConfig loreConfig =
        train.config(seed).withLogitScale(logitScale != null ? logitScale : REAL_LOGIT_SCALE);
    TrainConfig btConfig = loreConfig.withRank(1);
    FitConfig fitConfig = fit.fitConfig(train.paperOptimizer);
    boolean live = Progress.interactive();
    long start = System.nanoTime();
    err.printf(Locale.ROOT, "lore demo: loading %s%n", dataset.name().toLowerCase(Locale.ROOT));
    err.flush();
    long t = System.nanoTime();
    RealData.Loaded d = RealData.load(dataset, dataDir, protocol, rules, loreConfig.threads(), err);
    lore.datasets.Protocol.Splits s = d.splits();
    double load = since(t);
    err.printf(
        Locale.ROOT,
        "  loaded in %s: train %s; few-shot %s; test %s + %s; %d users dropped%n",
        Progress.seconds(load),
        describe(s.train()),
        describe(s.fewShot()),
        describe(s.testSeen()),
        describe(s.testUnseen()),
        s.droppedUsers());
    err.flush();
    Result r;
    try (ExecutorService pool = Pools.fixed(loreConfig.threads(), "lore-train")) {
      r =
          compare(
              Double.NaN, s.train(), s.fewShot(), s.testSeen(), s.testUnseen(), load, btConfig,
              loreConfig, fitConfig, pool, err, live);
    }
    printRealReport(out, d, s, loreConfig, r, since(start));
    return 0;
  }

  /** Margins of unit-norm embeddings need a larger scale than the paper's 4096-d ones. */
  static final double REAL_LOGIT_SCALE = 1.0;

  private void printRealReport(
      PrintWriter out,
      RealData.Loaded d,
      lore.datasets.Protocol.Splits s,
      TrainConfig config,
      Result r,
      double totalSeconds) {
    String pm = plusMinus();
    out.println("LoRe demo: " + d.title());
    out.println("items: " + d.items());
    out.printf(
        Locale.ROOT,
        "%d seen users (%.1f train pairs each), %d unseen users (%d few-shot pairs each);"
            + " test %d + %d pairs%n",
        s.train().userCount(),
        (double) s.train().pairCount() / s.train().userCount(),
        s.fewShot().userCount(),
        data.fewShot,
        s.testSeen().pairCount(),
        s.testUnseen().pairCount());
    if (dataset != RealData.Dataset.ZAPPOS) {
      out.printf(
          Locale.ROOT,
          "pairs: within-user rating gaps >= %s, ties dropped, <= %d per user and part; each"
              + " user's items split %.0f/%.0f train/test%n",
          minGap,
          maxPairs,
          100 * (1 - testFraction),
          100 * testFraction);
    } else {
      out.printf(
          Locale.ROOT,
          "pairs: each worker's comparisons split %.0f/%.0f train/test%n",
          100 * (1 - testFraction),
          100 * testFraction);
    }
    out.printf(
        Locale.ROOT,
        "rank %d, %d steps, %s/%s, logit scale %s, seed %d%n",
        config.rank(),
        config.steps(),
        config.optimizer(),
        config.simplex(),
        config.logitScale(),
        config.seed());
    out.println();
    int cell = 14;
    out.println(
        (pad("Method", 8) + pad("Seen", cell) + pad("Unseen", cell) + pad("Overall", cell))
            .stripTrailing());
    out.println((pad("BT", 8) + cells(r.btSeen, r.btUnseen, pm, cell)).stripTrailing());
    out.println((pad("LoRe", 8) + cells(r.loreSeen, r.loreUnseen, pm, cell)).stripTrailing());
    out.println();
    out.println(
        "Accuracy in %, mean " + pm + " std over users (per-user test accuracy); Overall = all"
            + " seen and unseen users.");
    out.printf(
        Locale.ROOT,
        "Time: load %s, train BT %s + LoRe %s, fit %s, evaluate %s%n",
        Progress.seconds(r.generateSeconds),
        Progress.seconds(r.trainBtSeconds),
        Progress.seconds(r.trainLoreSeconds),
        Progress.seconds(r.fitSeconds),
        Progress.seconds(r.evaluateSeconds));
    printFooter(out, config, totalSeconds);
    if (dataset == RealData.Dataset.JESTER) {
      out.println(
          "Data: Jester (Goldberg et al. 2001, Information Retrieval 4(2)) via recommenderlab;"
              + " see NOTICE.");
    }
    out.flush();
  }

  private Integer callSynthetic() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (double a : alphas) {
      if (!(a > 0) || !Double.isFinite(a)) {
        throw new IllegalArgumentException("--alpha must be positive and finite, got " + a);
      }
    }
    TrainConfig loreConfig = train.config(data.seed);
    TrainConfig btConfig = loreConfig.withRank(1);
    FitConfig fitConfig = fit.fitConfig(train.paperOptimizer);
    boolean live = Progress.interactive();
    long start = System.nanoTime();
    List<Result> results = new ArrayList<>();
    SyntheticConfig first = null;
    double[] trainPairs = new double[alphas.size()];
    try (ExecutorService pool = Pools.fixed(loreConfig.threads(), "lore-train")) {
      for (double alpha : alphas) {
        SyntheticConfig cfg = data.config(alpha);
        if (first == null) {
          first = cfg;
        }
        err.printf(
            Locale.ROOT,
            "lore demo: alpha %s: generating d=%d, %d seen + %d unseen users%n",
            alpha,
            cfg.dim(),
            cfg.seenUsers(),
            cfg.unseenUsers());
        err.flush();
        long t = System.nanoTime();
        SyntheticData d = SyntheticPersonalLlm.generate(cfg);
        double generate = since(t);
        err.printf(
            Locale.ROOT,
            "  generated in %s: %s items x %d; train %s; few-shot %s; test %s + %s%n",
            Progress.seconds(generate),
            d.train().itemCount(),
            d.train().dim(),
            describe(d.train()),
            describe(d.fewShot()),
            describe(d.testSeen()),
            describe(d.testUnseen()));
        trainPairs[results.size()] = (double) d.train().pairCount() / d.train().userCount();

        results.add(
            compare(
                alpha, d.train(), d.fewShot(), d.testSeen(), d.testUnseen(), generate, btConfig,
                loreConfig, fitConfig, pool, err, live));
      }
    }
    printReport(out, first, loreConfig, trainPairs, results, since(start));
    return 0;
  }

  /**
   * Trains BT and LoRe on {@code train}, fits the unseen users from {@code fewShot}, and evaluates
   * both on the two test sets; progress and phase times go to {@code err}.
   */
  private static Result compare(
      double alpha,
      PreferenceData train,
      PreferenceData fewShot,
      PreferenceData testSeen,
      PreferenceData testUnseen,
      double dataSeconds,
      TrainConfig btConfig,
      TrainConfig loreConfig,
      FitConfig fitConfig,
      ExecutorService pool,
      PrintWriter err,
      boolean live) {
    long t = System.nanoTime();
    RewardModel bt =
        new Trainer(btConfig)
            .executor(pool)
            .listener(new Progress(err, "BT   train", live))
            .train(train);
    double trainBt = since(t);
    t = System.nanoTime();
    RewardModel lore =
        new Trainer(loreConfig)
            .executor(pool)
            .listener(new Progress(err, "LoRe train", live))
            .train(train);
    double trainLore = since(t);
    t = System.nanoTime();
    bt = bt.withFittedUsers(fewShot, fitConfig);
    lore = lore.withFittedUsers(fewShot, fitConfig);
    double fit = since(t);
    err.printf(
        Locale.ROOT,
        "  fitted %d unseen users in %s%n",
        fewShot.userCount(),
        Progress.seconds(fit));
    err.flush();
    t = System.nanoTime();
    double[] btSeen = Evaluation.accuracy(bt, testSeen);
    double[] btUnseen = Evaluation.accuracy(bt, testUnseen);
    double[] loreSeen = Evaluation.accuracy(lore, testSeen);
    double[] loreUnseen = Evaluation.accuracy(lore, testUnseen);
    double evaluate = since(t);
    err.printf(Locale.ROOT, "  evaluated in %s%n", Progress.seconds(evaluate));
    err.flush();
    return new Result(
        alpha, btSeen, btUnseen, loreSeen, loreUnseen, dataSeconds, trainBt, trainLore, fit,
        evaluate);
  }

  private static String describe(PreferenceData p) {
    return p.pairCount() + " pairs / " + p.userCount() + " users";
  }

  private void printReport(
      PrintWriter out,
      SyntheticConfig cfg,
      TrainConfig config,
      double[] trainPairs,
      List<Result> results,
      double totalSeconds) {
    String pm = plusMinus();
    out.println("LoRe demo: synthetic PersonalLLM protocol (paper Table 1)");
    out.printf(
        Locale.ROOT,
        "d=%d, %d seen users (%.0f train pairs each), %d unseen users (%d few-shot pairs each),"
            + " rank %d, %d steps, %s/%s%n",
        cfg.dim(),
        cfg.seenUsers(),
        trainPairs[0],
        cfg.unseenUsers(),
        cfg.fewShotPairsPerUser(),
        config.rank(),
        config.steps(),
        config.optimizer(),
        config.simplex());
    out.println();
    int cell = 14;
    int methodWidth = 8;
    int group = 3 * cell;
    StringBuilder groups = new StringBuilder(" ".repeat(methodWidth));
    StringBuilder header = new StringBuilder(pad("Method", methodWidth));
    for (Result r : results) {
      groups.append(center(setting(r.alpha), group));
      header.append(pad("Seen", cell)).append(pad("Unseen", cell)).append(pad("Overall", cell));
    }
    out.println(groups.toString().stripTrailing());
    out.println(header.toString().stripTrailing());
    StringBuilder bt = new StringBuilder(pad("BT", methodWidth));
    StringBuilder lore = new StringBuilder(pad("LoRe", methodWidth));
    for (Result r : results) {
      bt.append(cells(r.btSeen, r.btUnseen, pm, cell));
      lore.append(cells(r.loreSeen, r.loreUnseen, pm, cell));
    }
    out.println(bt.toString().stripTrailing());
    out.println(lore.toString().stripTrailing());
    out.println();
    out.println(
        "Accuracy in %, mean " + pm + " std; the std is over users (per-user test accuracy),");
    out.println(
        "not over 20 repeated runs as in the paper. Overall = over all seen and unseen users.");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "Time (alpha %s): generate %s, train BT %s + LoRe %s, fit %s, evaluate %s%n",
          r.alpha,
          Progress.seconds(r.generateSeconds),
          Progress.seconds(r.trainBtSeconds),
          Progress.seconds(r.trainLoreSeconds),
          Progress.seconds(r.fitSeconds),
          Progress.seconds(r.evaluateSeconds));
    }
    printFooter(out, config, totalSeconds);
    out.flush();
  }

  /** The last line of both reports: total time, kernels, threads, JVM. */
  private static void printFooter(PrintWriter out, TrainConfig config, double totalSeconds) {
    out.printf(
        Locale.ROOT,
        "Total %s; kernels %s, %d threads, java %s%n",
        Progress.seconds(totalSeconds),
        Trainer.kernelsName(),
        config.threads(),
        Runtime.version());
  }

  private static String cells(double[] seen, double[] unseen, String pm, int cell) {
    double[] all = new double[seen.length + unseen.length];
    System.arraycopy(seen, 0, all, 0, seen.length);
    System.arraycopy(unseen, 0, all, seen.length, unseen.length);
    return pad(stat(seen, pm), cell) + pad(stat(unseen, pm), cell) + pad(stat(all, pm), cell);
  }

  /** Mean and sample std over users, in percent. */
  static String stat(double[] perUser, String pm) {
    return String.format(
        Locale.ROOT,
        "%.1f %s %.1f",
        100 * Evaluation.mean(perUser),
        pm,
        100 * Evaluation.std(perUser));
  }

  /** The paper's name of a setting, with alpha. */
  static String setting(double alpha) {
    String name =
        alpha == 0.001
            ? "Very diverse "
            : alpha == 0.01 ? "Moderately diverse " : alpha == 0.1 ? "Near uniform " : "";
    return name + "(alpha = " + alpha + ")";
  }

  /** "±", or "+-" when stdout's charset cannot encode it. */
  static String plusMinus() {
    String enc = System.getProperty("stdout.encoding");
    try {
      Charset cs = enc != null ? Charset.forName(enc) : Charset.defaultCharset();
      return cs.newEncoder().canEncode('±') ? "±" : "+-";
    } catch (IllegalArgumentException e) {
      return "+-";
    }
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  private static String center(String s, int width) {
    if (s.length() >= width) {
      return s + " ";
    }
    int left = (width - s.length()) / 2;
    return " ".repeat(left) + s + " ".repeat(width - s.length() - left);
  }

  private static double since(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
