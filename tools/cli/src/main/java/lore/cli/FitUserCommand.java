package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import lore.FitConfig;
import lore.PreferenceData;
import lore.RewardModel;
import lore.UserWeights;
import lore.datasets.ItemTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore fit-user}: fits every user of a pairs file with the model's basis frozen (paper Eq.
 * 11) and prints their weights; optionally saves the model extended with them.
 */
@Command(
    name = "fit-user",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Fit the weights of every user in a pairs file with the basis frozen (few-shot, Eq. 11);",
      "print them and optionally save the model with these users added."
    })
final class FitUserCommand implements Callable<Integer> {
  /** Users whose weights are printed in full; the rest are counted. */
  static final int SHOWN_USERS = 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file.")
  Path model;

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
      description = "Few-shot pairs, CSV user,chosen,rejected.")
  Path pairs;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Save the model with the fitted users added (or replaced).")
  Path out;

  @Option(
      names = "--paper-optimizer",
      description = "Fit with the reference code's Adam on softmax logits (FitConfig.paper()).")
  boolean paperOptimizer;

  @Option(
      names = "--replace",
      description =
          "Refit users the model already has (their trained weights are replaced by a fit from"
              + " these pairs only); without it such users are an error.")
  boolean replace;

  @picocli.CommandLine.Mixin FitOptions fit;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Inputs.requireFile(model, "model");
    Inputs.requireFile(items, "items");
    Inputs.requireFile(pairs, "pairs");
    if (out != null) {
      Inputs.requireOutput(out, "--out", model, items, pairs, ItemTable.idsFileFor(items));
    }
    RewardModel m = Inputs.model(model);
    ItemTable table = Inputs.items(items);
    Inputs.requireSameDim(m, model, table, items);
    PreferenceData fewShot = Inputs.pairs(pairs, table);

    int replaced = 0;
    String firstKnown = null;
    for (int u = 0; u < fewShot.userCount(); u++) {
      if (m.hasUser(fewShot.userId(u))) {
        replaced++;
        firstKnown = firstKnown == null ? fewShot.userId(u) : firstKnown;
      }
    }
    if (replaced > 0 && !replace) {
      throw new IllegalArgumentException(
          replaced
              + " user(s) of "
              + pairs
              + " are already in the model (first: "
              + firstKnown
              + "); fitting them would replace their trained weights: pass --replace to do so, or"
              + " give new user ids");
    }
    FitConfig config = fit.fitConfig(paperOptimizer);
    long t = System.nanoTime();
    RewardModel fitted = m.withFittedUsers(fewShot, config);
    double fit = (System.nanoTime() - t) / 1e9;

    o.printf(
        Locale.ROOT,
        "fitted %d users from %d pairs in %s (%d new, %d replaced; rank %d)%n",
        fewShot.userCount(),
        fewShot.pairCount(),
        Progress.seconds(fit),
        fewShot.userCount() - replaced,
        replaced,
        m.rank());
    int shown = Math.min(SHOWN_USERS, fewShot.userCount());
    int idWidth = 4;
    for (int u = 0; u < shown; u++) {
      idWidth = Math.max(idWidth, fewShot.userId(u).length());
    }
    for (int u = 0; u < shown; u++) {
      String id = fewShot.userId(u);
      o.printf(Locale.ROOT, "  %-" + idWidth + "s  %s%n", id, format(fitted.weights(id)));
    }
    if (fewShot.userCount() > shown) {
      o.printf(Locale.ROOT, "  ... and %d more users%n", fewShot.userCount() - shown);
    }
    if (out != null) {
      fitted.save(out);
      o.printf(Locale.ROOT, "saved %s (%d users)%n", out, fitted.userCount());
    }
    o.flush();
    return 0;
  }

  /** Weights as {@code [0.000, 0.981, ...]}. */
  static String format(UserWeights w) {
    StringBuilder s = new StringBuilder("[");
    for (int b = 0; b < w.rank(); b++) {
      if (b > 0) {
        s.append(", ");
      }
      s.append(String.format(Locale.ROOT, "%.3f", w.get(b)));
    }
    return s.append(']').toString();
  }
}
