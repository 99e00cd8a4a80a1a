package lore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import lore.FitConfig;
import lore.TrainConfig;
import lore.Trainer;
import lore.experiment.Experiment;
import lore.experiment.ExperimentConfig;
import lore.experiment.ExperimentDataset;
import lore.experiment.ExperimentResults;
import lore.experiment.MethodCatalog;
import lore.experiment.MethodResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore demo}: LoRe against BT end to end. It is {@code lore experiment} with one split and
 * the methods BT and LoRe, on the same datasets and options (default: the bundled Jester5k),
 * printed as one table of seen, unseen and overall accuracy with the spread over users. {@code
 * --dataset synthetic --alpha 0.1,0.01,0.001} runs the paper's Table 1 protocol at each alpha.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "LoRe vs BT: lore experiment with one split and the methods BT and LoRe (default: the",
      "bundled Jester5k jokes, MiniLM embeddings); seen, unseen and overall accuracy.",
      "--dataset synthetic --alpha 0.1,0.01,0.001: the paper's Table 1 protocol."
    })
final class DemoCommand implements Callable<Integer> {
  static final List<String> METHODS = List.of("BT", "LoRe");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Keep the experiment's files (results.md, results.jsonl, plots) in DIR; by default they"
              + " go to a temporary directory that is removed.")
  Path out;

  @Mixin DatasetOptions data;

  @Mixin TrainOptions train;

  @Mixin FitOptions fit;

  @Mixin SelectionOptions selection;

  /** The demo's outcome at one alpha (or on a real dataset). */
  record Run(
      String dataset,
      double alpha,
      MethodResult bt,
      MethodResult lore,
      ExperimentResults.PerUserDifference perUser,
      double seconds) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    train.requireNoFixedRank("list candidate ranks with --cv-ranks");
    train.requireSelectable(
        "compare it with lore experiment --methods LoRe-Eq10,BT --paper-optimizer");
    TrainConfig config = train.config(data.seed);
    FitConfig fitConfig = fit.fitConfig(train.paperOptimizer);
    boolean perAlpha = List.of("synthetic", "personalllm").contains(data.name());
    List<Double> alphas = perAlpha ? data.alphas : List.of(Double.NaN);
    long start = System.nanoTime();
    List<Run> runs = new ArrayList<>();
    Path dir = out != null ? out : Files.createTempDirectory("lore-demo");
    try (ExecutorService pool =
        config.threads() > 1 ? Pools.fixed(config.threads() - 1, "lore-train") : null) {
      for (double alpha : alphas) {
        Path at = alphas.size() > 1 ? dir.resolve("alpha-" + alpha) : dir;
        runs.add(run(alpha, at, config, fitConfig, pool, err));
      }
    } finally {
      if (out == null) {
        delete(dir);
      }
    }
    print(o, runs, config, fitConfig, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private Run run(
      double alpha,
      Path dir,
      TrainConfig config,
      FitConfig fitConfig,
      ExecutorService pool,
      PrintWriter err)
      throws IOException {
    long t = System.nanoTime();
    ExperimentDataset dataset = data.open(alpha, config.threads(), err);
    ExperimentConfig experiment =
        MethodCatalog.withMethods(
            ExperimentConfig.of(dataset, dir)
                .withSplits(1)
                .withSeed(data.seed)
                .withFewShot(data.fewShot)
                .withFewShotGrid(List.of(data.fewShot))
                .withRankGrid(List.of())
                .withMethodSettings(
                    String.format(
                        Locale.ROOT,
                        "steps %d, %s/%s, fit %s, selection %s",
                        config.steps(),
                        config.optimizer(),
                        config.simplex(),
                        fitConfig,
                        selection.config())),
            METHODS,
            new MethodCatalog.Settings(config, fitConfig, selection.config(), pool),
            false);
    err.println("lore demo: " + dataset.description());
    err.flush();
    ExperimentResults r =
        new Experiment(experiment).listener(new ExperimentCommand.Listener(err)).run();
    return new Run(
        dataset.description(),
        alpha,
        result(r, "BT"),
        result(r, "LoRe"),
        r.perUserDifference("LoRe", "BT").orElseThrow(),
        (System.nanoTime() - t) / 1e9);
  }

  private static MethodResult result(ExperimentResults r, String method) {
    return r.methodResults().stream()
        .filter(m -> m.method().equals(method))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no result for " + method));
  }

  private void print(
      PrintWriter o, List<Run> runs, TrainConfig config, FitConfig fitConfig, double seconds) {
    String pm = plusMinus();
    o.println("LoRe demo: " + runs.getFirst().dataset());
    o.printf(
        Locale.ROOT,
        "one split (seed %d), %d few-shot pairs per unseen user; %d steps, %s/%s, logit scale %s;"
            + " LoRe's rank and prior strengths chosen by %d-fold cross-validation on the seen"
            + " users' training pairs; new users fitted %s%n",
        data.seed,
        data.fewShot,
        config.steps(),
        config.optimizer(),
        config.simplex(),
        config.logitScale(),
        selection.config().folds(),
        switch (fitConfig.prior()) {
          case MODEL -> "under the model's empirical-Bayes prior";
          case NONE -> "by Eq. 11 (no prior)";
          case MEAN ->
              "under a prior of strength " + fitConfig.priorStrength() + " to the mean user";
        });
    o.println();
    String head = "%-8s%-16s%-16s%-16s";
    for (Run r : runs) {
      if (!Double.isNaN(r.alpha())) {
        o.printf(Locale.ROOT, "alpha = %s%n", r.alpha());
      }
      o.println(String.format(Locale.ROOT, head, "Method", "Seen", "Unseen", "Overall").strip());
      for (MethodResult m : new MethodResult[] {r.bt(), r.lore()}) {
        o.println(
            String.format(
                    Locale.ROOT,
                    head,
                    m.method(),
                    cell(m.seen(), pm),
                    cell(m.unseen(), pm),
                    cell(m.overall(), pm))
                .strip());
      }
      o.println("LoRe chose " + r.lore().selection());
      ExperimentResults.PerUserDifference d = r.perUser();
      o.printf(
          Locale.ROOT,
          "Per user against BT: helped %.1f%%, unchanged %.1f%%, hurt %.1f%% of %d users (mean"
              + " change %+.2f points)%n",
          100.0 * d.helped() / d.users(),
          100.0 * d.unchanged() / d.users(),
          100.0 * d.hurt() / d.users(),
          d.users(),
          100 * d.mean());
      o.println();
    }
    o.println(
        "Accuracy in %, mean "
            + pm
            + " std over users (per-user test accuracy, one split);"
            + " Overall = all seen and unseen users. lore experiment runs more splits.");
    o.printf(
        Locale.ROOT,
        "Total %s; kernels %s, %d threads, java %s%n",
        Progress.seconds(seconds),
        Trainer.kernelsName(),
        config.threads(),
        Runtime.version());
    if (runs.getFirst().dataset().startsWith("jester5k")) {
      o.println(
          "Data: Jester (Goldberg et al. 2001, Information Retrieval 4(2)) via recommenderlab;"
              + " see NOTICE.");
    }
    o.flush();
  }

  private static String cell(lore.experiment.Accuracy a, String pm) {
    return String.format(Locale.ROOT, "%.1f %s %.1f", 100 * a.mean(), pm, 100 * a.std());
  }

  /** "±" where standard output can encode it, "+-" otherwise. */
  static String plusMinus() {
    String enc = System.getProperty("stdout.encoding");
    try {
      java.nio.charset.Charset cs =
          enc != null
              ? java.nio.charset.Charset.forName(enc)
              : java.nio.charset.Charset.defaultCharset();
      return cs.newEncoder().canEncode('\u00b1') ? "\u00b1" : "+-";
    } catch (IllegalArgumentException e) {
      return "+-";
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
