package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import lore.Evaluation;
import lore.PersonalReward;
import lore.PreferenceData;
import lore.RewardModel;
import lore.datasets.ItemTable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore score}: one user's best items ({@code --user}), or per-user accuracy on a pairs file
 * ({@code --pairs}).
 */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "With --user: score every item for that user and print the top N.",
      "With --pairs: per-user accuracy (paper Eq. 15) on a test pairs file, mean and std over"
          + " users."
    })
final class ScoreCommand implements Callable<Integer> {
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

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  /** Exactly one of {@code --user} and {@code --pairs}. */
  static final class Target {
    @Option(names = "--user", paramLabel = "ID", description = "Rank all items for this user.")
    String user;

    @Option(
        names = "--pairs",
        paramLabel = "FILE",
        description = "Test pairs, CSV user,chosen,rejected; every user must be in the model.")
    Path pairs;
  }

  @Option(
      names = "--top",
      defaultValue = "10",
      paramLabel = "N",
      description = "How many items to print with --user (default: ${DEFAULT-VALUE}).")
  int top;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Inputs.requireFile(model, "model");
    Inputs.requireFile(items, "items");
    if (target.pairs != null) {
      Inputs.requireFile(target.pairs, "pairs");
    }
    if (top < 1) {
      throw new IllegalArgumentException("--top must be at least 1, got " + top);
    }
    RewardModel m = Inputs.model(model);
    if (target.user != null && !m.hasUser(target.user)) {
      throw new IllegalArgumentException(
          "unknown user "
              + target.user
              + ": the model has "
              + m.userCount()
              + " users (fit new users with 'lore fit-user --out')");
    }
    ItemTable table = Inputs.items(items);
    Inputs.requireSameDim(m, model, table, items);
    if (target.user != null) {
      topItems(o, m.reward(target.user), table);
    } else {
      accuracy(o, m, Inputs.pairs(target.pairs, table));
    }
    o.flush();
    return 0;
  }

  private void topItems(PrintWriter o, PersonalReward reward, ItemTable table) {
    int n = table.rows();
    float[] scores = new float[n];
    int[] order = new int[n];
    reward.rerank(table.matrix().data(), n, scores, order);
    int shown = Math.min(top, n);
    o.printf(
        Locale.ROOT, "top %d of %d items for user %s (reward w^T A e)%n", shown, n, target.user);
    o.printf(Locale.ROOT, "%6s  %10s  %s%n", "rank", "item", "score");
    for (int i = 0; i < shown; i++) { // the item's id (its row number when the table has no ids)
      o.printf(
          Locale.ROOT, "%6d  %10s  %.6f%n", i + 1, table.ids().get(order[i]), scores[order[i]]);
    }
  }

  private void accuracy(PrintWriter o, RewardModel m, PreferenceData test) {
    for (int u = 0; u < test.userCount(); u++) {
      if (!m.hasUser(test.userId(u))) {
        throw new IllegalArgumentException(
            "unknown user "
                + test.userId(u)
                + " in "
                + target.pairs
                + ": the model has "
                + m.userCount()
                + " users (fit new users with 'lore fit-user --out')");
      }
    }
    double[] acc = Evaluation.accuracy(m, test);
    o.printf(
        Locale.ROOT,
        "accuracy %s %% over %d users (%d pairs); std over users%n",
        String.format(
            Locale.ROOT,
            "%.1f %s %.1f",
            100 * Evaluation.mean(acc),
            DemoCommand.plusMinus(),
            100 * Evaluation.std(acc)),
        test.userCount(),
        test.pairCount());
  }
}
