package lore.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import lore.PreferenceData;
import lore.datasets.DatasetFiles;
import lore.datasets.SyntheticConfig;
import lore.datasets.SyntheticData;
import lore.datasets.SyntheticPersonalLlm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore generate}: writes synthetic paper-protocol data as files: {@code items.npy}, {@code
 * train.csv}, {@code fewshot.csv}, {@code test-seen.csv}, {@code test-unseen.csv}.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Write synthetic PersonalLLM-style data to a directory:",
      "items.npy, train.csv, fewshot.csv, test-seen.csv, test-unseen.csv."
    })
final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created if missing).")
  Path out;

  @Option(
      names = "--alpha",
      defaultValue = "0.01",
      paramLabel = "ALPHA",
      description = "Dirichlet concentration of the user preferences (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Mixin DataOptions data;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out is not a directory: " + out);
    }
    SyntheticConfig cfg = data.config(alpha);
    err.printf(
        Locale.ROOT,
        "lore generate: alpha %s, d=%d, %d seen + %d unseen users%n",
        alpha,
        cfg.dim(),
        cfg.seenUsers(),
        cfg.unseenUsers());
    err.flush();
    long t = System.nanoTime();
    SyntheticData d = SyntheticPersonalLlm.generate(cfg);
    double generate = (System.nanoTime() - t) / 1e9;
    Files.createDirectories(out);
    t = System.nanoTime();
    DatasetFiles.write(out, d);
    double write = (System.nanoTime() - t) / 1e9;
    o.printf(Locale.ROOT, "wrote %s%n", out);
    o.printf(
        Locale.ROOT,
        "  items.npy        %d x %d float32%n",
        d.train().itemCount(),
        d.train().dim());
    line(o, "train.csv", d.train());
    line(o, "fewshot.csv", d.fewShot());
    line(o, "test-seen.csv", d.testSeen());
    line(o, "test-unseen.csv", d.testUnseen());
    o.printf(
        Locale.ROOT,
        "generate %s, write %s%n",
        Progress.seconds(generate),
        Progress.seconds(write));
    o.flush();
    return 0;
  }

  private static void line(PrintWriter o, String file, PreferenceData p) {
    o.printf(Locale.ROOT, "  %-16s %d pairs, %d users%n", file, p.pairCount(), p.userCount());
  }
}
