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
 * {@code lore demo}: the paper's semi-synthetic protocol (Table 1) end to end. For each alpha it
 * generates the data, trains BT (rank 1) and LoRe (rank B) on the seen users, fits the unseen users
 * from their few-shot pairs with the basis frozen, and prints seen, unseen and overall accuracy.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Reproduce the shape of the paper's Table 1 on synthetic PersonalLLM-style data:",
      "train BT and LoRe on seen users, fit unseen users from few-shot pairs, report accuracy."
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

  @Mixin DataOptions data;

  @Mixin TrainOptions train;

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
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (double a : alphas) {
      if (!(a > 0) || !Double.isFinite(a)) {
        throw new IllegalArgumentException("--alpha must be positive and finite, got " + a);
      }
    }
    TrainConfig loreConfig = train.builder(data.seed).build();
    TrainConfig btConfig = loreConfig.toBuilder().rank(1).build();
    FitConfig fitConfig = train.fitConfig();
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

        t = System.nanoTime();
        RewardModel bt =
            new Trainer(btConfig)
                .executor(pool)
                .listener(new Progress(err, "BT   train", live))
                .train(d.train());
        double trainBt = since(t);
        t = System.nanoTime();
        RewardModel lore =
            new Trainer(loreConfig)
                .executor(pool)
                .listener(new Progress(err, "LoRe train", live))
                .train(d.train());
        double trainLore = since(t);

        t = System.nanoTime();
        bt = bt.withFittedUsers(d.fewShot(), fitConfig);
        lore = lore.withFittedUsers(d.fewShot(), fitConfig);
        double fit = since(t);
        err.printf(
            Locale.ROOT,
            "  fitted %d unseen users in %s%n",
            d.fewShot().userCount(),
            Progress.seconds(fit));
        err.flush();

        t = System.nanoTime();
        double[] btSeen = Evaluation.accuracy(bt, d.testSeen());
        double[] btUnseen = Evaluation.accuracy(bt, d.testUnseen());
        double[] loreSeen = Evaluation.accuracy(lore, d.testSeen());
        double[] loreUnseen = Evaluation.accuracy(lore, d.testUnseen());
        double evaluate = since(t);
        err.printf(Locale.ROOT, "  evaluated in %s%n", Progress.seconds(evaluate));
        err.flush();
        results.add(
            new Result(
                alpha,
                btSeen,
                btUnseen,
                loreSeen,
                loreUnseen,
                generate,
                trainBt,
                trainLore,
                fit,
                evaluate));
      }
    }
    printReport(out, first, loreConfig, trainPairs, results, since(start));
    return 0;
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
    out.printf(
        Locale.ROOT,
        "Total %s; kernels %s, %d threads, java %s%n",
        Progress.seconds(totalSeconds),
        Trainer.kernelsName(),
        config.threads(),
        Runtime.version());
    out.flush();
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
