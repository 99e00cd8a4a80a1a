package lore.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.PreferenceData;
import lore.TrainConfig;
import lore.datasets.ItemTable;
import lore.datasets.Jester5k;
import lore.datasets.PersonalLlm;
import lore.datasets.Ratings;
import lore.datasets.RatingsToPairs;
import lore.datasets.SyntheticConfig;
import lore.tools.experiment.Experiment;
import lore.tools.experiment.ExperimentConfig;
import lore.tools.experiment.ExperimentDataset;
import lore.tools.experiment.ExperimentListener;
import lore.tools.experiment.ExperimentResults;
import lore.tools.experiment.ItemSplitDataset;
import lore.tools.experiment.MethodCatalog;
import lore.tools.experiment.PairSplitDataset;
import lore.tools.experiment.PersonalLlmDataset;
import lore.tools.experiment.SyntheticDataset;
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
      names = "--dataset",
      defaultValue = "synthetic",
      paramLabel = "NAME",
      description =
          "synthetic (a new generator seed per split), personalllm (--data-dir: the real"
              + " benchmark, a new Dirichlet user population per split), jester5k (the bundled"
              + " Jester5k ratings as within-user pairs over MiniLM joke embeddings), zappos5 (the"
              + " bundled Zappos5 comparisons of 5 one-hot shoes; split by pair, see --split) or"
              + " pairs (--items/--pairs); jester5k and pairs get item-disjoint random splits"
              + " unless --split pairs (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(
      names = "--split",
      paramLabel = "KIND",
      description =
          "pairs, zappos5: items (item-disjoint: test items are never seen in training; default"
              + " for pairs) or pairs (each user's comparisons split at random into train and"
              + " test; test items were seen in training; the only choice for zappos5).")
  String split;

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "LoRe,BT",
      paramLabel = "NAME",
      description =
          "Comma list of methods: LoRe, BT, LoRe-MLP, PAL-A, PAL-B, VPL, and ref on synthetic"
              + " data (the generator's population-average reward) and personalllm (the mean of"
              + " the ten reward models' scores) (default: ${DEFAULT-VALUE}).")
  List<String> methods;

  @Option(
      names = "--splits",
      defaultValue = "20",
      paramLabel = "R",
      description = "Random splits (default: ${DEFAULT-VALUE}, the paper's).")
  int splits;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "SEED",
      description = "Seed of the splits and the methods (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--few-shot",
      defaultValue = "9",
      paramLabel = "K",
      description = "Few-shot pairs per unseen user in the table (default: ${DEFAULT-VALUE}).")
  int fewShot;

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
          "Ranks tried by rank selection for LoRe (default: ${DEFAULT-VALUE}); 'none' uses --rank.")
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
      names = "--alpha",
      defaultValue = "0.01",
      paramLabel = "ALPHA",
      description = "synthetic, personalllm: Dirichlet concentration (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(
      names = "--dim",
      defaultValue = "4096",
      paramLabel = "D",
      description = "synthetic: embedding dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(
      names = "--seen",
      defaultValue = "1000",
      paramLabel = "N",
      description = "synthetic, personalllm: seen users (default: ${DEFAULT-VALUE}).")
  int seen;

  @Option(
      names = "--unseen",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "synthetic, personalllm: unseen users (default: ${DEFAULT-VALUE}; the PersonalLLM"
              + " reference code uses 500).")
  int unseen;

  @Option(
      names = "--train-pairs",
      defaultValue = "47",
      paramLabel = "N",
      description =
          "synthetic: train pairs per seen user; personalllm: train prompts per seen user (when"
              + " not given: the reference's int(0.005 M), M train prompts); jester5k, pairs,"
              + " zappos5: cap per seen user, 0 = all (default: ${DEFAULT-VALUE}).")
  int trainPairs;

  @Option(
      names = "--train-prompts",
      defaultValue = "9402",
      paramLabel = "N",
      description = "synthetic: train prompts (default: ${DEFAULT-VALUE}).")
  int trainPrompts;

  @Option(
      names = "--test-prompts",
      defaultValue = "1000",
      paramLabel = "N",
      description = "synthetic: test prompts (default: ${DEFAULT-VALUE}).")
  int testPrompts;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "personalllm: directory with {train,test}.safetensors (tensor 'embeddings', [prompts x"
              + " 8, d]) and {train,test}.{parquet,csv,tsv} (the 80 response_{j}_{model} score"
              + " columns).")
  Path dataDir;

  @Option(
      names = "--items",
      paramLabel = "FILE",
      description = "pairs: item embeddings (.npy, n x d float32).")
  Path items;

  @Option(
      names = "--pairs",
      paramLabel = "FILE",
      description = "pairs: user,chosen,rejected CSV over the items.")
  Path pairs;

  @Option(
      names = "--test-fraction",
      defaultValue = "0.2",
      paramLabel = "F",
      description =
          "jester5k, pairs: fraction of items that are test-only; with --split pairs (and"
              + " zappos5), fraction of each user's comparisons that are test-only"
              + " (default: ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(
      names = "--unseen-fraction",
      defaultValue = "0.5",
      paramLabel = "F",
      description =
          "jester5k, pairs, zappos5: fraction of users that are unseen"
              + " (default: ${DEFAULT-VALUE}).")
  double unseenFraction;

  @Option(
      names = "--min-gap",
      defaultValue = "0",
      paramLabel = "G",
      description =
          "jester5k: smallest rating difference that makes a pair (default: ${DEFAULT-VALUE}).")
  double minGap;

  @Option(
      names = "--user-pairs",
      defaultValue = "500",
      paramLabel = "N",
      description =
          "jester5k: pairs drawn per user from the ratings, before splitting"
              + " (default: ${DEFAULT-VALUE}).")
  int userPairs;

  @Option(
      names = "--report-only",
      description =
          "Run nothing: write results.md and the plots from the results already in --out"
              + " (e.g. after an interrupted run).")
  boolean reportOnly;

  @Mixin TrainOptions train;

  @Mixin FitOptions fit;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Integer> ranks = parseRankGrid();
    ExperimentDataset data = dataset();
    TrainConfig trainConfig = train.config(seed);
    long start = System.nanoTime();
    ExperimentConfig.Builder b =
        ExperimentConfig.builder(data, outDir)
            .splits(splits)
            .seed(seed)
            .fewShot(fewShot)
            .fewShotGrid(fewShotGrid)
            .rankGrid(ranks)
            .validationFraction(validationFraction)
            .methodSettings(
                String.format(
                    Locale.ROOT,
                    "steps %d, %s/%s, fit %s",
                    trainConfig.steps(),
                    trainConfig.optimizer(),
                    trainConfig.simplex(),
                    fit.fitConfig(train.paperOptimizer)));
    // LoRe and BT train their threads() partitions on this pool (partition 0 on the calling
    // thread); the model is bitwise the same as on one thread with the same partitions
    ExecutorService pool =
        trainConfig.threads() > 1 ? Pools.fixed(trainConfig.threads() - 1, "lore-train") : null;
    try {
      return run(out, err, data, ranks, trainConfig, start, b, pool);
    } finally {
      if (pool != null) {
        pool.close(); // waits for running partitions; none are left after run()
      }
    }
  }

  private Integer run(
      PrintWriter out,
      PrintWriter err,
      ExperimentDataset data,
      List<Integer> ranks,
      TrainConfig trainConfig,
      long start,
      ExperimentConfig.Builder b,
      ExecutorService pool) {
    MethodCatalog.addTo(
        b,
        methods,
        new MethodCatalog.Settings(trainConfig, fit.fitConfig(train.paperOptimizer), pool),
        !ranks.isEmpty(),
        data);
    ExperimentConfig config = b.build();
    err.println("lore experiment: " + data.description());
    err.printf(
        Locale.ROOT,
        "  %d splits, methods %s, k %d, k grid %s, rank grid %s -> %s%n",
        splits,
        config.methodNames(),
        fewShot,
        config.fewShotGrid(),
        ranks.isEmpty() ? "none (rank " + train.rank + ")" : config.rankGrid(),
        outDir);
    err.flush();
    Experiment experiment = new Experiment(config).listener(new Listener(err));
    ExperimentResults results = reportOnly ? experiment.report() : experiment.run();
    out.print(results.markdown());
    out.printf(
        Locale.ROOT,
        "%nWrote %s (results.md, results.jsonl, fewshot.png, rank.png); total %s, kernels %s%n",
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

  /** {@code --split}: true for pairs, false for items; {@code null} when not given. */
  private Boolean splitByPair() {
    if (split == null) {
      return null;
    }
    return switch (split.strip().toLowerCase(Locale.ROOT)) {
      case "pairs" -> true;
      case "items" -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown --split '" + split + "'; available: items, pairs");
    };
  }

  private ExperimentDataset dataset() throws java.io.IOException {
    String ds = dataset.toLowerCase(Locale.ROOT);
    Boolean byPair = splitByPair();
    if (byPair != null && !ds.equals("pairs") && !ds.equals("zappos5")) {
      throw new IllegalArgumentException(
          "--split applies to --dataset pairs (and zappos5), not '" + dataset + "'");
    }
    if ((items != null || pairs != null) && !ds.equals("pairs")) {
      throw new IllegalArgumentException("--items/--pairs need --dataset pairs");
    }
    if (dataDir != null && !ds.equals("personalllm")) {
      throw new IllegalArgumentException("--data-dir needs --dataset personalllm");
    }
    switch (ds) {
      case "synthetic" -> {
        SyntheticConfig base = SyntheticConfig.paperScale(alpha);
        return new SyntheticDataset(
            new SyntheticConfig(
                dim,
                trainPrompts,
                testPrompts,
                base.responsesPerPrompt(),
                base.rewardFunctions(),
                alpha,
                seen,
                unseen,
                trainPairs,
                Math.min(fewShot, trainPrompts),
                base.seed()));
      }
      case "personalllm" -> {
        if (dataDir == null) {
          throw new IllegalArgumentException(
              "--dataset personalllm needs --data-dir DIR ({train,test}.safetensors and"
                  + " {train,test}.{parquet,csv,tsv})");
        }
        boolean pairsGiven = spec.commandLine().getParseResult().hasMatchedOption("--train-pairs");
        return new PersonalLlmDataset(
            PersonalLlm.readTable(dataDir), alpha, seen, unseen, pairsGiven ? trainPairs : 0);
      }
      case "jester5k" -> {
        ItemTable table = Jester5k.embeddings();
        Ratings ratings = Jester5k.ratings(table.index());
        PreferenceData all =
            ItemSplitDataset.pairsFromRatings(
                table, ratings, new RatingsToPairs(minGap, userPairs, seed));
        String name =
            String.format(
                Locale.ROOT,
                "jester5k (%s embeddings, pairs with rating gap >= %s, <= %d per user)",
                Jester5k.EMBEDDING_MODEL,
                minGap,
                userPairs);
        return new ItemSplitDataset(all, name, null, unseenFraction, testFraction, trainPairs);
      }
      case "pairs" -> {
        if (items == null || pairs == null) {
          throw new IllegalArgumentException("--dataset pairs needs --items and --pairs");
        }
        ItemTable m = Inputs.items(items);
        PreferenceData all = Inputs.pairs(pairs, m);
        String name = pairs.getFileName().toString();
        return Boolean.TRUE.equals(byPair)
            ? new PairSplitDataset(all, name, unseenFraction, testFraction, trainPairs)
            : new ItemSplitDataset(all, name, null, unseenFraction, testFraction, trainPairs);
      }
      case "zappos5" -> {
        if (Boolean.FALSE.equals(byPair)) {
          throw new IllegalArgumentException(
              "--dataset zappos5 has only 5 items, too few for item-disjoint splits: use"
                  + " --split pairs (the default for zappos5)");
        }
        PairSplitDataset z =
            new PairSplitDataset(
                PairSplitDataset.zappos5(),
                "zappos5 (bundled, one-hot shoes)",
                unseenFraction,
                testFraction,
                trainPairs);
        int avail = z.fewShotGuaranteed();
        if (fewShot > avail) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "--few-shot %d: each zappos5 user has only %d non-test comparisons at"
                      + " --test-fraction %s; use --few-shot %d or less (or a smaller"
                      + " --test-fraction)",
                  fewShot,
                  avail,
                  testFraction,
                  avail));
        }
        return z;
      }
      default ->
          throw new IllegalArgumentException(
              "unknown --dataset '" + dataset + "'; available: synthetic, personalllm,"
                  + " jester5k, zappos5, pairs");
    }
  }

  /** One line per task with elapsed time and an ETA from the tasks run so far. */
  private static final class Listener implements ExperimentListener {
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
        String eta =
            Progress.seconds(workSeconds / worked * (total - task));
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
