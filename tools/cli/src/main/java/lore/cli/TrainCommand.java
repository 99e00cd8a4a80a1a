package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.ModelSelection;
import lore.PreferenceData;
import lore.RewardModel;
import lore.SelectionConfig;
import lore.TrainConfig;
import lore.Trainer;
import lore.datasets.ItemTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lore train}: trains a LoRe model on a pairs file and saves it. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = "Train a LoRe model (basis + seen users' weights) and save it.")
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--items",
      required = true,
      paramLabel = "FILE",
      description =
          "Item embeddings, n x d: .npy (float32/float16) or .safetensors (F32/F16/BF16).")
  Path items;

  @Option(
      names = "--pairs",
      required = true,
      paramLabel = "FILE",
      description = "Training pairs, CSV user,chosen,rejected (item row indices).")
  Path pairs;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Model file.")
  Path out;

  @Mixin TrainOptions train;

  @Option(
      names = "--spark",
      paramLabel = "MASTER",
      description =
          "Train on Spark instead, e.g. --spark local[2]: the launcher runs the Spark trainer"
              + " (lore.spark.SparkTrain, the spark-submit main class) with the options that follow;"
              + " see its --help and the README's Spark section.")
  String spark;

  @Mixin SelectionOptions selection;

  @Option(
      names = "--no-selection",
      description =
          "Train the configuration as given (--rank, the paper's Eq. 10 unless a prior is set)"
              + " instead of the default: BT nested in LoRe, rank and prior strengths chosen by"
              + " cross-validation over the training pairs.")
  boolean noSelection;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of the initial basis and weights.")
  Long seed;

  @Option(
      names = "--logit-scale",
      paramLabel = "S",
      description = "Logit scale s in the margin s * w.A(e_c - e_r) (default: 0.01).")
  Double logitScale;

  @Option(
      names = "--optimizer",
      paramLabel = "NAME",
      description = "adam or alternating (default: alternating; adam with --paper-optimizer).")
  TrainConfig.Optimizer optimizer;

  @Option(
      names = "--simplex",
      paramLabel = "NAME",
      description =
          "projection or softmax (default: projection; softmax with --paper-optimizer;"
              + " alternating needs projection).")
  TrainConfig.Simplex simplex;

  @Option(
      names = "--layout",
      paramLabel = "NAME",
      description = "auto, items or differences: training data layout (default: auto).")
  TrainConfig.Layout layout;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (spark != null) {
      throw new IllegalArgumentException(
          "--spark is run by the launcher tools/cli/lore, which adds Spark's jars; without it use"
              + " spark-submit --class lore.spark.SparkTrain tools/spark/target/lore-spark-job.jar");
    }
    Inputs.requireFile(items, "items");
    Inputs.requireFile(pairs, "pairs");
    Inputs.requireOutput(out, "--out", items, pairs, ItemTable.idsFileFor(items));
    if (noSelection) {
      selection.requireNone("drop it, or give the setting itself (--rank, --lr)");
    } else {
      train.requireNoFixedRank(
          "add --no-selection to train that rank as given, or list candidates with --cv-ranks");
      train.requireSelectable("add --no-selection");
    }
    TrainConfig config = config();
    Trainer trainer = new Trainer(config); // a bad combination of options fails before loading
    SelectionConfig selectionConfig = selection.config();

    long t = System.nanoTime();
    ItemTable m = Inputs.items(items);
    PreferenceData data = Inputs.pairs(pairs, m);
    double load = (System.nanoTime() - t) / 1e9;
    err.printf(
        Locale.ROOT,
        "lore train: %d pairs of %d users over %d items x %d (loaded in %s)%n",
        data.pairCount(),
        data.userCount(),
        data.itemCount(),
        data.dim(),
        Progress.seconds(load));
    err.flush();

    t = System.nanoTime();
    RewardModel model;
    try (ExecutorService pool = Pools.fixed(config.threads(), "lore-train")) {
      Progress progress = new Progress(err, "train", Progress.interactive());
      if (noSelection) {
        model = trainer.executor(pool).listener(progress).train(data);
      } else {
        ModelSelection.Result r =
            new ModelSelection(config, selectionConfig)
                .executor(pool)
                .listener(progress)
                .select(data);
        model = r.model();
        err.println(
            "lore train: cross-validation over the training pairs (mean of held-in users' and"
                + " left-out new users' accuracy, +- one standard error):");
        err.print(r.describe());
        err.printf(
            Locale.ROOT,
            "lore train: cross-validation chose rank %d, prior strength %s, new users' prior"
                + " factor %s%s%s%n",
            r.rank(),
            r.strength(),
            r.newUserStrength(),
            selectionConfig.learningRates().size() > 1
                ? ", basis learning rate " + r.learningRate()
                : "",
            r.rank() == 1 ? " (the BT limit: one shared reward, personalization did not pay)" : "");
      }
    }
    double train = (System.nanoTime() - t) / 1e9;
    model.save(out);
    o.printf(
        Locale.ROOT,
        "trained rank %d on %d users in %s: final loss %s (%d steps per model, %s/%s, layout %s,"
            + " storage %s, kernels %s, %d threads)%n",
        model.rank(),
        model.userCount(),
        Progress.seconds(train),
        finalLoss(model),
        config.steps(),
        config.optimizer(),
        config.simplex(),
        model.metadata().getOrDefault("layout", "?"),
        model.metadata().getOrDefault("storage", "?"),
        Trainer.kernelsName(),
        config.threads());
    o.printf(Locale.ROOT, "saved %s%n", out);
    o.flush();
    return 0;
  }

  /** The final mean per-user loss from the model metadata, to 6 decimals. */
  private static String finalLoss(RewardModel model) {
    String v = model.metadata().get("finalLoss");
    try {
      return String.format(Locale.ROOT, "%.6f", Double.parseDouble(v));
    } catch (NullPointerException | NumberFormatException e) {
      return String.valueOf(v);
    }
  }

  /** The preset with the options applied; alternating alone implies projection. */
  TrainConfig config() {
    TrainConfig c = train.config(seed);
    if (logitScale != null) {
      c = c.withLogitScale(logitScale);
    }
    if (optimizer != null) {
      c = c.withOptimizer(optimizer);
      if (optimizer == TrainConfig.Optimizer.ALTERNATING && simplex == null) {
        c = c.withSimplex(TrainConfig.Simplex.PROJECTION);
      }
    }
    if (simplex != null) {
      c = c.withSimplex(simplex);
    }
    return layout != null ? c.withLayout(layout) : c;
  }
}
