package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.TrainConfig;
import lore.experiment.Experiment;
import lore.experiment.ExperimentConfig;
import lore.experiment.ExperimentDataset;
import lore.experiment.ExperimentListener;
import lore.experiment.ExperimentResults;
import lore.experiment.MethodCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore experiment}: the paper's protocol (section 5) over R random splits with several
 * methods; see {@link Experiment}. Resumable: rerun with the same {@code --out} to continue.
 */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Run the paper's protocol over R random splits: seen/unseen users, disjoint train and test",
      "prompts (items), few-shot curve, rank selection; write results.jsonl, results.md,",
      "fewshot.png and rank.png to --out. Rerun with the same --out to resume."
    })
final class ExperimentCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created; results of an earlier run there are reused).")
  Path outDir;

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "LoRe,BT",
      paramLabel = "NAME",
      description =
          "Comma list of methods: LoRe (the default: BT nested in LoRe, rank and prior strengths"
              + " chosen by cross-validation), LoRe-Eq10 (the paper's objective, rank by validation"
              + " on --rank-grid, Eq. 11 for new users), BT, LoRe-MLP, PAL-A, PAL-B, VPL, and ref on"
              + " synthetic data (the generator's population-average reward) and personalllm (the"
              + " mean of the ten reward models' scores) (default: ${DEFAULT-VALUE}).")
  List<String> methods;

  @Option(
      names = "--splits",
      defaultValue = "20",
      paramLabel = "R",
      description = "Random splits (default: ${DEFAULT-VALUE}, the paper's).")
  int splits;

  @Option(
      names = "--few-shot-grid",
      split = ",",
      defaultValue = "1,2,5,9,20,50",
      paramLabel = "K",
      description = "k of the few-shot curve (default: ${DEFAULT-VALUE}).")
  List<Integer> fewShotGrid;

  @Option(
      names = "--rank-grid",
      split = ",",
      defaultValue = "2,5,10,15,20,25,30,35,40,45,50",
      paramLabel = "B",
      description =
          "Ranks tried by rank selection for LoRe-Eq10 (default: ${DEFAULT-VALUE}); 'none' uses"
              + " --rank.")
  List<String> rankGrid;

  @Option(
      names = "--validation-fraction",
      defaultValue = "0.2",
      paramLabel = "F",
      description =
          "Fraction of the seen users' training prompts (items; with --split pairs, each seen"
              + " user's training comparisons) held out to pick the rank"
              + " (default: ${DEFAULT-VALUE}).")
  double validationFraction;

  @Option(
      names = "--report-only",
      description =
          "Run nothing: write results.md and the plots from the results already in --out"
              + " (e.g. after an interrupted run).")
  boolean reportOnly;

  @Mixin DatasetOptions data;

  @Mixin TrainOptions train;

  @Mixin FitOptions fit;

  @Mixin SelectionOptions selection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Integer> ranks = parseRankGrid();
    if (methods.stream().anyMatch(m -> m.strip().equalsIgnoreCase("LoRe"))) {
      train.requireSelectable("use --methods LoRe-Eq10 (the paper's objective) instead of LoRe");
    }
    TrainConfig trainConfig = train.config(data.seed);
    double presetLearningRate =
        (train.paperOptimizer ? TrainConfig.paper() : TrainConfig.defaults()).learningRate();
    ExperimentDataset dataset = data.open(data.alpha(), trainConfig.threads(), err);
    long start = System.nanoTime();
    ExperimentConfig base =
        ExperimentConfig.of(dataset, outDir)
            .withSplits(splits)
            .withSeed(data.seed)
            .withFewShot(data.fewShot)
            .withFewShotGrid(fewShotGrid)
            .withRankGrid(ranks)
            .withValidationFraction(validationFraction)
            .withMethodSettings(
                String.format(
                    Locale.ROOT,
                    "steps %d%s, %s/%s%s, fit %s, selection %s",
                    trainConfig.steps(),
                    // named only when not the preset's, so recorded folders still resume
                    trainConfig.learningRate() == presetLearningRate
                        ? ""
                        : ", lr " + trainConfig.learningRate(),
                    trainConfig.optimizer(),
                    trainConfig.simplex(),
                    // named only when not the default, so recorded float32 folders still resume
                    trainConfig.storage() == TrainConfig.Storage.FLOAT32
                        ? ""
                        : ", storage " + trainConfig.storage(),
                    fit.fitConfig(train.paperOptimizer),
                    selection.config()));
    // LoRe and BT train their threads() partitions on this pool (partition 0 on the calling
    // thread); the model is bitwise the same as on one thread with the same partitions
    ExecutorService pool =
        trainConfig.threads() > 1 ? Pools.fixed(trainConfig.threads() - 1, "lore-train") : null;
    try {
      return run(out, err, dataset, ranks, trainConfig, start, base, pool);
    } finally {
      if (pool != null) {
        pool.close(); // waits for running partitions; none are left after run()
      }
    }
  }

  private Integer run(
      PrintWriter out,
      PrintWriter err,
      ExperimentDataset dataset,
      List<Integer> ranks,
      TrainConfig trainConfig,
      long start,
      ExperimentConfig base,
      ExecutorService pool) {
    ExperimentConfig config =
        MethodCatalog.withMethods(
            base,
            methods,
            new MethodCatalog.Settings(
                trainConfig, fit.fitConfig(train.paperOptimizer), selection.config(), pool),
            !ranks.isEmpty());
    err.println("lore experiment: " + dataset.description());
    err.printf(
        Locale.ROOT,
        "  %d splits, methods %s, k %d, k grid %s, LoRe-Eq10 rank grid %s -> %s%n",
        splits,
        config.methodNames(),
        data.fewShot,
        config.fewShotGrid(),
        ranks.isEmpty() ? "none (rank " + trainConfig.rank() + ")" : config.rankGrid(),
        outDir);
    err.flush();
    Experiment experiment = new Experiment(config).listener(new Listener(err));
    ExperimentResults results = reportOnly ? experiment.report() : experiment.run();
    out.print(results.markdown());
    out.printf(
        Locale.ROOT,
        "%nWrote %s (results.md, results.jsonl, fewshot.png, rank.png, peruser.png); total %s, kernels %s%n",
        outDir,
        Progress.seconds((System.nanoTime() - start) / 1e9),
        lore.Trainer.kernelsName());
    out.flush();
    return 0;
  }

  private List<Integer> parseRankGrid() {
    if (rankGrid.size() == 1 && rankGrid.get(0).equalsIgnoreCase("none")) {
      return List.of();
    }
    return rankGrid.stream()
        .map(
            s -> {
              try {
                return Integer.parseInt(s.strip());
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rank-grid: not a rank: '" + s + "'");
              }
            })
        .toList();
  }

  /** One line per task with elapsed time and an ETA from the tasks run so far. */
  static final class Listener implements ExperimentListener {
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private double workSeconds;
    private int worked;
    private String lastSkippedSplit;

    Listener(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void splitStarted(int split, int splits) {
      err.printf(Locale.ROOT, "  split %d/%d: preparing data%n", split + 1, splits);
      err.flush();
    }

    @Override
    public void taskStarted(int task, int total, String what) {
      err.printf(Locale.ROOT, "  [%d/%d] %s ...%n", task, total, what);
      err.flush();
    }

    @Override
    public void taskFinished(
        int task, int total, String what, String outcome, double seconds, boolean skip) {
      if (skip) {
        if (what.matches("split \\d+")) { // a whole split done earlier: one line for it
          if (what.equals(lastSkippedSplit)) {
            return;
          }
          lastSkippedSplit = what;
        }
        err.printf(
            Locale.ROOT, "  [%d/%d] %s: done earlier (%s), skipped%n", task, total, what, outcome);
      } else {
        worked++;
        workSeconds += seconds;
        double elapsed = (System.nanoTime() - start) / 1e9;
        String eta = Progress.seconds(workSeconds / worked * (total - task));
        err.printf(
            Locale.ROOT,
            "  [%d/%d] %s: %s (%s)  elapsed %s  ETA %s%n",
            task,
            total,
            what,
            outcome,
            Progress.seconds(seconds),
            Progress.seconds(elapsed),
            eta);
      }
      err.flush();
    }
  }
}
