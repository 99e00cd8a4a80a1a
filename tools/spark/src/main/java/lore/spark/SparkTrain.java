package lore.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import lore.RewardModel;
import lore.TrainConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The spark-submit main class: trains a LoRe model on Spark from a pairs CSV and an item table at
 * any Hadoop-compatible path and writes an ordinary model file. {@code tools/cli/lore train --spark
 * local[N]} runs it in local mode. Exit codes as the lore command line: 0 ok; 2 usage or bad input;
 * 3 environment; 1 internal error.
 */
@Command(
    name = "lore-spark-train",
    mixinStandardHelpOptions = true,
    description =
        "Train a LoRe model on Spark (the paper's Eq. 10 at the rank given, or with a prior; no"
            + " cross-validation: choose rank and prior strength with `lore train` on a sample that"
            + " fits one machine) and save it.")
public final class SparkTrain implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master, e.g. local[2] (default: what spark-submit sets).")
  String master;

  @Option(
      names = "--items",
      required = true,
      paramLabel = "PATH",
      description =
          "Item embeddings, n x d: .npy (float32/float16) or .safetensors, with an optional"
              + " .ids.txt side file; read by the driver and broadcast.")
  String items;

  @Option(
      names = "--pairs",
      required = true,
      paramLabel = "PATH",
      description = "Training pairs: one CSV file (user,chosen_row,rejected_row or by id).")
  String pairs;

  @Option(names = "--out", required = true, paramLabel = "PATH", description = "Model file.")
  String out;

  @Option(
      names = "--no-selection",
      description =
          "Accepted as in `lore train`: on Spark the configuration given is always what is trained.")
  boolean noSelection;

  @Option(
      names = "--rank",
      paramLabel = "B",
      description = "Basis rewards (default: ${DEFAULT-VALUE}).",
      defaultValue = "10")
  int rank;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description = "Optimizer steps (default: ${DEFAULT-VALUE}).",
      defaultValue = "100")
  int steps;

  @Option(
      names = {"--learning-rate", "--lr"},
      paramLabel = "LR",
      description = "Adam step size of the basis (default: ${DEFAULT-VALUE}, as `lore train`).",
      defaultValue = "0.5")
  double learningRate;

  @Option(
      names = "--prior-strength",
      paramLabel = "LAMBDA",
      description =
          "Strength of the prior that holds the basis rewards around their mean (0: Eq. 10;"
              + " Infinity: Bradley-Terry; default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  double priorStrength;

  @Option(
      names = "--init",
      paramLabel = "NAME",
      description = "random or population (default: ${DEFAULT-VALUE}).",
      defaultValue = "random")
  String init;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of the initial basis and of the per-user samples (default: 42).",
      defaultValue = "42")
  long seed;

  @Option(
      names = "--logit-scale",
      paramLabel = "S",
      description = "Logit scale s (default: 0.01).",
      defaultValue = "0.01")
  double logitScale;

  @Option(
      names = "--layout",
      paramLabel = "NAME",
      description =
          "auto, items or differences, in every partition (default: auto, chosen per partition).",
      defaultValue = "auto")
  String layout;

  @Option(
      names = "--storage",
      paramLabel = "NAME",
      description =
          "float32 or bf16: how each partition stores its rows for the passes (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "float32")
  String storage;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of the users (default: twice Spark's default parallelism).")
  Integer partitions;

  @Option(
      names = "--max-pairs-per-user",
      paramLabel = "N",
      description =
          "Keep at most N pairs of each user, a uniform sample seeded by the user id"
              + " (default: all).")
  Integer maxPairsPerUser;

  @Option(
      names = "--broadcast-limit-mb",
      paramLabel = "MB",
      description = "Largest item table to broadcast (default: ${DEFAULT-VALUE}).",
      defaultValue = "2048")
  long broadcastLimitMb;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "PATH",
      description =
          "Reliable checkpoints of the users' weights every "
              + SparkTrainer.CHECKPOINT_INTERVAL
              + " passes (default: local checkpoints).")
  String checkpointDir;

  // a running context to use (and leave running) instead of starting one: tests share theirs
  private JavaSparkContext given;

  /** Runs the command line; exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, null));
  }

  /**
   * Runs the command line and returns its exit code.
   *
   * @param context a running context to train in (left running), or null to start one
   */
  static int run(String[] args, JavaSparkContext context) {
    SparkTrain command = new SparkTrain();
    command.given = context;
    CommandLine cli = new CommandLine(command);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Throwable root = e;
          while (root.getCause() != null && !(root instanceof IOException)) {
            root = root.getCause();
          }
          commandLine.getErr().println("lore: error: " + root.getMessage());
          return root instanceof IOException
                  || root instanceof IllegalArgumentException
                  || root instanceof java.io.UncheckedIOException
              ? 2
              : 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    TrainConfig config =
        TrainConfig.defaults()
            .withRank(rank)
            .withSteps(steps)
            .withLearningRate(learningRate)
            .withPriorStrength(priorStrength)
            .withInit(TrainConfig.Init.valueOf(init.toUpperCase(Locale.ROOT)))
            .withSeed(seed)
            .withLogitScale(logitScale)
            .withLayout(TrainConfig.Layout.valueOf(layout.toUpperCase(Locale.ROOT)))
            .withStorage(
                switch (storage.toLowerCase(Locale.ROOT)) {
                  case "float32" -> TrainConfig.Storage.FLOAT32;
                  case "bf16" -> TrainConfig.Storage.BFLOAT16;
                  default ->
                      throw new IllegalArgumentException(
                          "--storage must be float32 or bf16, got '" + storage + "'");
                });
    SparkTrainer trainer = new SparkTrainer(config); // bad options fail before Spark starts
    if (out.equals(items) || out.equals(pairs)) {
      throw new IllegalArgumentException("--out " + out + " would replace an input");
    }
    if (isLocal(pairs) && !Files.isRegularFile(localPath(pairs))) {
      throw new IOException(pairs + ": no such file (--pairs)");
    }
    long start = System.nanoTime();
    JavaSparkContext sc = given != null ? given : start();
    try {
      if (checkpointDir != null) {
        sc.setCheckpointDir(checkpointDir);
      }
      Configuration hadoop = sc.hadoopConfiguration();
      SparkPairs.Options options =
          SparkPairs.Options.of(partitions != null ? partitions : 2 * sc.defaultParallelism())
              .withSeed(seed)
              .withLayout(config.layout());
      if (maxPairsPerUser != null) {
        options = options.withMaxPairsPerUser(maxPairsPerUser);
      }
      SparkPairs data = SparkPairs.read(sc, pairs, items, options, broadcastLimitMb * (1L << 20));
      err.printf(
          Locale.ROOT,
          "lore spark: %d pairs of %d users over %d items x %d (%s) in %d partitions%s; kernels"
              + " on the driver: %s%n",
          data.pairs(),
          data.users(),
          data.itemCount(),
          data.dim(),
          data.itemsBroadcast() ? "broadcast" : "joined to the pairs",
          data.partitions(),
          maxPairsPerUser == null
              ? ""
              : " (" + data.cappedUsers() + " users cut to " + maxPairsPerUser + " pairs)",
          lore.Trainer.kernelsName());
      err.flush();
      RewardModel model;
      try {
        model =
            trainer
                .listener(
                    (step, total, loss) -> {
                      if (step == total || step % 10 == 0) {
                        err.printf(
                            Locale.ROOT, "lore spark: step %d/%d loss %.6f%n", step, total, loss);
                        err.flush();
                      }
                    })
                .train(data);
      } finally {
        data.release();
      }
      save(model, out, hadoop);
      o.printf(
          Locale.ROOT,
          "trained rank %d on %d users on Spark (%s, %d partitions) in %.1f s: final loss %s,"
              + " %s passes%n",
          model.rank(),
          model.userCount(),
          sc.master(),
          data.partitions(),
          (System.nanoTime() - start) / 1e9,
          model.metadata().get("finalLoss"),
          model.metadata().get("passes"));
      o.printf("saved %s%n", out);
      o.flush();
    } finally {
      if (sc != given) {
        sc.close();
      }
    }
    return 0;
  }

  private JavaSparkContext start() {
    SparkConf conf = new SparkConf().setAppName("lore-spark-train");
    if (master != null) {
      conf.setMaster(master);
    }
    conf.setIfMissing("spark.ui.enabled", "false");
    JavaSparkContext sc = new JavaSparkContext(conf);
    sc.setLogLevel("WARN");
    // every checkpoint of the users' weights drops the one before it, which Spark announces with a
    // warning per drop ("lineage has been truncated"): expected here, so not shown
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.rdd.ZippedPartitionsRDD2", org.apache.logging.log4j.Level.ERROR);
    return sc;
  }

  /**
   * Saves the model: atomically to a local path, or to a temporary name next to a Hadoop path and
   * then renamed to it (an existing file is not replaced there).
   */
  static void save(RewardModel model, String path, Configuration hadoop) throws IOException {
    if (isLocal(path)) {
      model.save(localPath(path));
      return;
    }
    Path tmp = Files.createTempFile("lore-model", ".lore");
    try {
      model.save(tmp);
      org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(path);
      FileSystem fs = dst.getFileSystem(hadoop);
      org.apache.hadoop.fs.Path part =
          new org.apache.hadoop.fs.Path(dst.getParent(), "." + dst.getName() + ".part");
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(tmp.toUri()), part);
      if (!fs.rename(part, dst)) {
        fs.delete(part, false);
        throw new IOException(path + ": could not move the model into place (does it exist?)");
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean isLocal(String path) {
    String scheme = URI.create(path.replace('\\', '/').replace(" ", "%20")).getScheme();
    return scheme == null || scheme.equals("file") || scheme.length() == 1; // C: on Windows
  }

  private static Path localPath(String path) {
    return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
  }
}
