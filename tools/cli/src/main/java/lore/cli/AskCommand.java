package lore.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.RewardModel;
import lore.TrainConfig;
import lore.experiment.ActiveLearning;
import lore.experiment.Experiment;
import lore.experiment.ExperimentDataset;
import lore.experiment.Split;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore ask}: the cold start of one held-out user, step by step: each question, the answer
 * the user recorded, and the accuracy and the confidence the posterior predicts after each answer.
 */
@Command(
    name = "ask",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Simulate a new user's cold start on split 0 of --dataset: ask the most informative of the",
      "held-out user's pairs, take the answer they recorded, and print the accuracy on their test",
      "pairs and the confidence the posterior predicts after each answer."
    })
final class AskCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--user",
      paramLabel = "ID",
      description =
          "The held-out user (default: the first unseen user with at least --questions pairs).")
  String user;

  @Option(
      names = "--random",
      description = "Ask the pool's pairs in their random order instead of by information gain.")
  boolean random;

  @Mixin DatasetOptions data;

  @Mixin TrainOptions train;

  @Mixin SelectionOptions selection;

  @Mixin ColdStartOptions coldStart;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    coldStart.check(train);
    TrainConfig config = train.config(data.seed);
    ExperimentDataset dataset = data.open(data.alpha(), config.threads(), err);
    long seed = Experiment.splitSeed(data.seed, 0);
    Split split = dataset.split(0, seed, coldStart.pool, 0.2);
    ActiveLearning.Config c = coldStart.config(dataset, 1, data.seed, config, selection);
    String who = user != null ? user : firstUser(split, coldStart.questions);
    err.println("lore ask: " + dataset.description() + "; training on the seen users");
    err.flush();
    RewardModel model;
    try (ExecutorService pool =
        config.threads() > 1 ? Pools.fixed(config.threads() - 1, "lore-train") : null) {
      model = ActiveLearning.train(c, split, seed, pool);
    }
    List<ActiveLearning.Step> steps =
        ActiveLearning.simulate(model, split, who, coldStart.questions, !random, seed);
    List<String> ids = dataset.itemIds();
    int tests =
        split.testUnseen().pairEnd(split.testUnseen().userIndex(who))
            - split.testUnseen().pairStart(split.testUnseen().userIndex(who));
    out.printf(
        Locale.ROOT,
        "lore ask: user %s of %s; model %s; questions %s from their %d few-shot pairs; accuracy"
            + " on their %d test pairs%n",
        who,
        dataset.description(),
        describe(model),
        random ? "in the pool's random order" : "by expected information gain",
        split.fewShotPool().pairEnd(split.fewShotPool().userIndex(who))
            - split.fewShotPool().pairStart(split.fewShotPool().userIndex(who)),
        tests);
    ActiveLearning.Step prior = steps.getFirst();
    out.printf(
        Locale.ROOT,
        "k=%-3d%-46s accuracy %5.1f%%  predicted confidence %5.1f%%%n",
        0,
        "(no answer yet: the population's prior)",
        100 * prior.accuracy(),
        100 * prior.confidence());
    for (ActiveLearning.Step s : steps.subList(1, steps.size())) {
      String q =
          String.format(
              Locale.ROOT,
              "%s vs %s? %s (gain %.3f nats, P %.2f)",
              name(ids, s.shownFirst()),
              name(ids, s.shownSecond()),
              s.preferredFirst() ? "first" : "second",
              s.gain(),
              s.predicted());
      out.printf(
          Locale.ROOT,
          "k=%-3d%-46s accuracy %5.1f%%  predicted confidence %5.1f%%%n",
          s.k(),
          q,
          100 * s.accuracy(),
          100 * s.confidence());
    }
    out.println(
        "P: the predicted probability of the answer the user gave; predicted confidence: the mean"
            + " probability of the likelier side over the test pairs (what the posterior expects"
            + " its accuracy to be).");
    out.flush();
    return 0;
  }

  private static String describe(RewardModel m) {
    var meta = m.metadata();
    return "B="
        + m.rank()
        + (m.rank() == 1 ? " (BT: every new user gets the population's reward)" : "")
        + ", prior strength rho="
        + meta.getOrDefault("newUserPriorStrength", "1");
  }

  private static String name(List<String> ids, int item) {
    return ids != null && item < ids.size() ? ids.get(item) : "item " + item;
  }

  private static String firstUser(Split split, int questions) {
    var pool = split.fewShotPool();
    var test = split.testUnseen();
    for (int u = 0; u < pool.userCount(); u++) {
      if (pool.pairEnd(u) - pool.pairStart(u) >= questions && test.userIndex(pool.userId(u)) >= 0) {
        return pool.userId(u);
      }
    }
    throw new IllegalArgumentException(
        "no unseen user has " + questions + " few-shot pairs and test pairs: lower --questions");
  }
}
