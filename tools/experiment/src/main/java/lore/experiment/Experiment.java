package lore.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import lore.PreferenceData;

/**
 * The paper's protocol (section 5) over R random splits: for each split, every method is trained on
 * the seen users' training pairs, scored on the seen users' test pairs, adapted to the unseen users
 * from k few-shot pairs each and scored on their test pairs; then re-adapted for each k of the
 * few-shot curve. {@link RankedMethod}s first get their rank chosen on a validation split of the
 * seen users' training data.
 *
 * <p>Accuracy is Eq. 15 with a strict {@code > 0} (ties count as wrong), per user, averaged over
 * users without weights. The table reports, per method, the mean over splits of these per-split
 * means, ± the sample std over splits, and separately the mean over splits of the std over users;
 * no std is rescaled.
 *
 * <p>Each finished (split, method) result and rank selection is added to {@code results.jsonl} in
 * the output directory (atomically) before the next starts; {@link #run()} skips those already
 * there, so an interrupted run resumes where it stopped, and a run with a larger R adds splits.
 * After each split and at the end it writes {@code results.md} and the plots {@code fewshot.png}
 * and {@code rank.png} from every result so far.
 *
 * <p>Not thread-safe; runs the methods on the calling thread (methods may use their own pools).
 */
public final class Experiment {
  private final ExperimentConfig config;
  private ExperimentListener listener = new ExperimentListener() {};

  /**
   * An experiment for {@code config}.
   *
   * @throws IllegalArgumentException if {@code config} has no method
   */
  public Experiment(ExperimentConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.methods().isEmpty() && config.rankedMethods().isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one method");
    }
  }

  /** Receives progress. */
  public Experiment listener(ExperimentListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** The seed split {@code index} is drawn with. */
  public static long splitSeed(long seed, int index) {
    return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (index + 1L)).nextLong();
  }

  /** The seed handed to every method on split {@code index}. */
  static long methodSeed(long splitSeed) {
    return new SplittableRandom(splitSeed ^ 0x6d657468L).nextLong();
  }

  /**
   * Runs the missing (split, method) results, then writes the report files. Blocking; does I/O.
   *
   * @throws IllegalArgumentException if the output directory holds another experiment's results
   * @throws UncheckedIOException on a write failure
   */
  public ExperimentResults run() {
    ResultsFile file = ResultsFile.open(config.outputDir(), config.fingerprint());
    int perSplit = 2 * config.rankedMethods().size() + config.methods().size();
    int total = perSplit * config.splits();
    int task = 0;
    for (int i = 0; i < config.splits(); i++) {
      boolean missing = false;
      for (RankedMethod r : config.rankedMethods()) {
        missing |= file.rank(i, r.name()).isEmpty() || file.method(i, r.name()).isEmpty();
      }
      for (PreferenceMethod m : config.methods()) {
        missing |= file.method(i, m.name()).isEmpty();
      }
      if (!missing) {
        for (int t = 0; t < perSplit; t++) {
          task++;
          listener.taskFinished(task, total, "split " + i, "all methods", 0, true);
        }
        continue;
      }
      listener.splitStarted(i, config.splits());
      long seed = splitSeed(config.seed(), i);
      Split split =
          config.dataset().split(i, seed, config.maxFewShot(), config.validationFraction());
      long methodSeed = methodSeed(seed);
      for (RankedMethod r : config.rankedMethods()) {
        String what = String.format(Locale.ROOT, "split %d %s rank selection", i, r.name());
        RankResult rank = file.rank(i, r.name()).orElse(null);
        if (rank != null) {
          listener.taskFinished(++task, total, what, "B=" + rank.chosen(), 0, true);
        } else {
          listener.taskStarted(++task, total, what);
          long t0 = System.nanoTime();
          rank = selectRank(r, split, methodSeed);
          file.add(rank);
          listener.taskFinished(
              task, total, what, "B=" + rank.chosen() + " " + curve(rank), since(t0), false);
        }
        PreferenceMethod chosen = r.withRank(rank.chosen());
        task = evaluate(file, chosen, r.name(), rank.chosen(), split, methodSeed, task, total);
      }
      for (PreferenceMethod m : config.methods()) {
        task = evaluate(file, m, m.name(), 0, split, methodSeed, task, total);
      }
      if (i + 1 < config.splits()) {
        report(file); // a long run shows its results so far
      }
    }
    return report(file);
  }

  /**
   * Writes the report files from the results already in the output directory, running nothing (e.g.
   * after an interrupted run). Blocking; does I/O.
   *
   * @throws IllegalArgumentException if the output directory holds another experiment's results
   */
  public ExperimentResults report() {
    return report(ResultsFile.open(config.outputDir(), config.fingerprint()));
  }

  private ExperimentResults report(ResultsFile file) {
    ExperimentResults results = new ExperimentResults(config, file.methods(), file.ranks());
    try {
      Report.write(results, config.outputDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return results;
  }

  private int evaluate(
      ResultsFile file,
      PreferenceMethod method,
      String name,
      int rank,
      Split split,
      long seed,
      int task,
      int total) {
    String what = "split " + split.index() + " " + name + (rank > 0 ? " (B=" + rank + ")" : "");
    MethodResult done = file.method(split.index(), name).orElse(null);
    if (done != null) {
      listener.taskFinished(++task, total, what, summary(done), 0, true);
      return task;
    }
    listener.taskStarted(++task, total, what);
    long t0 = System.nanoTime();
    MethodResult r = evaluate(method, name, rank, split, seed, config);
    file.add(r);
    listener.taskFinished(task, total, what, summary(r), since(t0), false);
    return task;
  }

  /**
   * Trains {@code method} on {@code split} and measures it: the protocol for one (split, method).
   * Package-private for tests.
   */
  static MethodResult evaluate(
      PreferenceMethod method,
      String name,
      int rank,
      Split split,
      long seed,
      ExperimentConfig config) {
    long t0 = System.nanoTime();
    PreferenceMethod.Trained trained =
        method.train(split.train(), seed, config.dataset().foldGroups(split.train()));
    double trainSeconds = since(t0);
    double[] seen = accuracy(trained, split.testSeen(), name);

    int available = split.fewShotAvailable();
    int k = config.fewShot();
    t0 = System.nanoTime();
    trained.adapt(split.fewShot(k), seed);
    double adaptSeconds = since(t0);
    double[] unseen = accuracy(trained, split.testUnseen(), name);
    long params = trained.parameterCount();

    TreeMap<Integer, Double> curve = new TreeMap<>();
    for (int g : config.fewShotGrid()) {
      if (g > available) {
        continue; // not every unseen user has g pairs in this split
      }
      if (g == k) {
        curve.put(g, Metrics.mean(unseen));
        continue;
      }
      trained.adapt(split.fewShot(g), seed);
      curve.put(g, Metrics.mean(accuracy(trained, split.testUnseen(), name)));
    }
    double[] all = Metrics.concat(seen, unseen);
    return new MethodResult(
        split.index(),
        name,
        rank > 0 ? rank : trained.chosenRank(),
        params,
        k,
        Accuracy.of(seen),
        Accuracy.of(unseen),
        Accuracy.of(all),
        curve,
        trainSeconds,
        adaptSeconds,
        trained.selection(),
        java.util.Arrays.stream(all).boxed().toList(),
        trained.selectionScores());
  }

  /** Trains the family at every rank of the grid on the validation-train part; picks the best. */
  RankResult selectRank(RankedMethod family, Split split, long seed) {
    if (split.validation() == null) {
      throw new IllegalArgumentException(
          "split "
              + split.index()
              + ": holding out "
              + config.validationFraction()
              + " of the training prompts (items) left no validation pair for rank selection;"
              + " change the validation fraction or give a fixed rank");
    }
    List<Double> acc = new ArrayList<>();
    int best = -1;
    double bestAcc = Double.NEGATIVE_INFINITY;
    for (int b : config.rankGrid()) {
      PreferenceMethod.Trained t = family.withRank(b).train(split.validationTrain(), seed);
      double a = Metrics.mean(accuracy(t, split.validation(), family.name() + " B=" + b));
      acc.add(a);
      if (a > bestAcc) { // strict: the smallest rank wins ties
        bestAcc = a;
        best = b;
      }
    }
    if (best < 0) {
      best = config.rankGrid().get(0);
    }
    return new RankResult(
        split.index(), family.name(), config.rankGrid(), acc, best, split.validation().userCount());
  }

  private static double[] accuracy(PreferenceMethod.Trained t, PreferenceData test, String name) {
    float[] margins = t.margins(test);
    if (margins == null || margins.length != test.pairCount()) {
      throw new IllegalStateException(
          name
              + " returned "
              + (margins == null ? "no" : margins.length)
              + " margins for "
              + test.pairCount()
              + " pairs");
    }
    return Metrics.perUserAccuracy(test, margins);
  }

  private static String summary(MethodResult r) {
    return String.format(
        Locale.ROOT,
        "seen %.1f  unseen %.1f  overall %.1f",
        100 * r.seen().mean(),
        100 * r.unseen().mean(),
        100 * r.overall().mean());
  }

  private static String curve(RankResult r) {
    StringBuilder b = new StringBuilder("(validation");
    for (int i = 0; i < r.ranks().size(); i++) {
      b.append(
          String.format(
              Locale.ROOT, " %d:%.1f", r.ranks().get(i), 100 * r.validationAccuracy().get(i)));
    }
    return b.append(')').toString();
  }

  private static double since(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
