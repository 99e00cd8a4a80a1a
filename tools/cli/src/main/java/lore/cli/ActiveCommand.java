package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.TrainConfig;
import lore.experiment.ActiveLearning;
import lore.experiment.ExperimentDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore active}: active against random questions for new users over R splits ({@link
 * ActiveLearning}); writes {@code active.md}, {@code active.png} and {@code reliability.png}.
 */
@Command(
    name = "active",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Active vs random questions for new users over R splits: accuracy after each answer, mean",
      "± std over splits, the predictive's calibration (ECE); writes active.md, active.png and",
      "reliability.png to --out."
    })
final class ActiveCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created; its active.* files are replaced).")
  Path outDir;

  @Option(
      names = "--splits",
      defaultValue = "5",
      paramLabel = "R",
      description = "Random splits (default: ${DEFAULT-VALUE}).")
  int splits;

  @Mixin DatasetOptions data;

  @Mixin TrainOptions train;

  @Mixin SelectionOptions selection;

  @Mixin ColdStartOptions coldStart;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    coldStart.check(train);
    if (splits < 1) {
      throw new IllegalArgumentException("--splits must be at least 1, got " + splits);
    }
    TrainConfig config = train.config(data.seed);
    ExperimentDataset dataset = data.open(data.alpha(), config.threads(), err);
    java.nio.file.Files.createDirectories(outDir);
    for (String f : new String[] {"active.md", "active.png", "reliability.png"}) {
      Inputs.requireOutput(outDir.resolve(f), "--out", data.items, data.ratings, data.pairs);
    }
    ActiveLearning.Config c = coldStart.config(dataset, splits, data.seed, config, selection);
    err.println("lore active: " + dataset.description());
    err.flush();
    long start = System.nanoTime();
    ActiveLearning.Results r;
    try (ExecutorService pool =
        config.threads() > 1 ? Pools.fixed(config.threads() - 1, "lore-train") : null) {
      r =
          ActiveLearning.run(
              c,
              pool,
              line -> {
                err.println("lore active: " + line);
                err.flush();
              });
    }
    ActiveLearning.write(
        r, outDir, "lore " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    out.printf(
        Locale.ROOT,
        "wrote %s (%.1f s)%n",
        outDir.resolve("active.md"),
        (System.nanoTime() - start) / 1e9);
    out.flush();
    return 0;
  }
}
