package lore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * Chooses LoRe's rank B, prior strength lambda (see {@link Trainer}) and new users' prior factor
 * rho ({@link FitConfig.Prior#MODEL}), and when candidates are given the basis learning rate
 * ({@link SelectionConfig#learningRates()}), by K-fold cross-validation over the training pairs,
 * and trains the chosen model on all of them: the engine's default LoRe.
 *
 * <p><b>Candidates.</b> The population limit (lambda = infinity: the Bradley-Terry model, rank 1)
 * and every (B, lambda) of the {@link SelectionConfig}. For each fold the Bradley-Terry model is
 * trained on the fold's training pairs with the base configuration ({@link TrainConfig#steps()}
 * steps); then, for each rank, a <em>strength path</em> starts every basis row at its vector plus a
 * little noise ({@link TrainConfig.Init#POPULATION}) and runs {@code 3 pathSteps} steps at the
 * weakest strength, then {@link SelectionConfig#pathSteps()} steps at each stronger one in turn,
 * continuing from the previous strength with the optimizer's state (from the weak end: a path from
 * the strong end keeps the arrangement the rows found while they were held together, which fits
 * worse); after each strength the users are solved exactly and the candidate is scored.
 *
 * <p><b>Folds.</b> Every pair gets a fold: drawn per user over that user's pairs ({@link
 * #select(PreferenceData)}), or over item groups ({@link #select(PreferenceData, int[])}), where a
 * pair is held out in fold f when both its items' groups are in f and trains the fold when neither
 * is, for data whose new pairs come with new items. Every user also gets a fold: in its own fold
 * the user is left out of training altogether and plays a new user.
 *
 * <p><b>Scores.</b> A held-out pair counts as right when its margin is {@code > 0} (paper Eq. 15).
 * <em>Seen</em>: the held-out pairs of the fold's training users, scored with their fitted weights.
 * <em>New</em>: every left-out user is fitted from {@link SelectionConfig#fewShotPairs()} of its
 * training pairs (drawn at random, the same for every candidate) with the basis frozen, under the
 * empirical-Bayes prior of each candidate factor rho (infinity: the population's weights; 0: Eq.
 * 11), and scored on its held-out pairs. Accuracies are pooled per user over the folds; for each
 * candidate, rho is chosen first (the largest within one standard error of the best); a candidate's
 * score is the mean over users of the average of their seen and new accuracies, and its standard
 * error is the standard deviation over users over the square root of their number. With the
 * one-standard-error rule the chosen candidate is the simplest whose score is within one standard
 * error of the best: larger strength first (infinity first), then smaller rank. The chosen model is
 * trained on all pairs by the same procedure (the Bradley-Terry model, then the chosen rank's path
 * up to the chosen strength), with its rho, and the cross-validation tables go into its metadata
 * ({@code selection*}, {@code newUser*} keys).
 *
 * <p><b>Cost.</b> {@code K (steps + |ranks| (|strengths| + 2) pathSteps)} training steps on folds
 * of about {@code ((K-1)/K)^2} of the pairs (fewer with item folds), once per candidate learning
 * rate ({@link SelectionConfig#learningRates()}), plus {@code steps} and the path prefix for the
 * final model; the new users' fits are microseconds each. Deterministic for a given seed, kernel
 * and thread count. Not thread-safe; creates no threads (the trainers run their partitions on the
 * {@link #executor(Executor)}).
 */
public final class ModelSelection {
  private final TrainConfig base;
  private final SelectionConfig selection;
  private Executor executor;
  private TrainListener listener;

  /**
   * @param base the training settings of every candidate (optimizer, logit scale, steps of the
   *     Bradley-Terry model, threads, seed); its rank, prior strength and init are replaced
   * @param selection candidates, folds and rule
   */
  public ModelSelection(TrainConfig base, SelectionConfig selection) {
    this.base = Objects.requireNonNull(base, "base");
    this.selection = Objects.requireNonNull(selection, "selection");
    if (base.simplex() != TrainConfig.Simplex.PROJECTION) {
      throw new IllegalArgumentException("model selection needs Simplex.PROJECTION");
    }
  }

  /** Runs the trainers' partitions on this executor. */
  public ModelSelection executor(Executor executor) {
    this.executor = executor;
    return this;
  }

  /**
   * Receives progress: {@code onStep(step, steps, loss)} over all training steps of the selection
   * and the final fit together.
   */
  public ModelSelection listener(TrainListener listener) {
    this.listener = listener;
    return this;
  }

  /**
   * One candidate's cross-validated score.
   *
   * @param rank B (1 for the population limit; 0 in a table of new users' prior factors)
   * @param strength lambda (infinity for the population limit), or rho in a table of factors
   * @param accuracy the selection criterion: mean over users of the average of their seen and new
   *     accuracies (either alone when a user has only one), in [0, 1]
   * @param standardError standard deviation over users of that per-user value, over sqrt(users)
   * @param users users scored
   * @param seen mean over users of the seen held-out accuracy
   * @param newUsers mean over users of the new-user accuracy at rho
   * @param rho the new users' prior factor chosen for this candidate
   */
  public record Score(
      int rank,
      double strength,
      double accuracy,
      double standardError,
      int users,
      double seen,
      double newUsers,
      double rho) {}

  /**
   * The outcome.
   *
   * @param model the chosen model trained on all pairs, with its rho and the tables in its metadata
   * @param rank chosen B (1: the population limit)
   * @param strength chosen lambda (infinity: the population limit)
   * @param newUserStrength chosen rho (infinity: every new user gets the population's weights; 0:
   *     Eq. 11)
   * @param learningRate the basis learning rate the model was trained with: the chosen one of
   *     {@link SelectionConfig#learningRates()}, or the base configuration's
   * @param table every candidate's score, in the order tried (the population limit first)
   * @param best the candidate with the highest score
   * @param newUserTable the chosen candidate's new-user accuracy for every rho (rank field 0,
   *     accuracy = new-user accuracy), infinity first, 0 last
   * @param seconds wall time of the whole selection and the final fit
   */
  public record Result(
      RewardModel model,
      int rank,
      double strength,
      double newUserStrength,
      double learningRate,
      List<Score> table,
      Score best,
      List<Score> newUserTable,
      double seconds) {

    /** The tables as text, one line per candidate. */
    public String describe() {
      StringBuilder b = new StringBuilder();
      for (Score s : table) {
        b.append(
            String.format(
                Locale.ROOT,
                "B=%d lambda=%s: %.2f%% +- %.2f%% (seen %.2f%%, new %.2f%% at rho=%s)%s%n",
                s.rank(),
                s.strength(),
                100 * s.accuracy(),
                100 * s.standardError(),
                100 * s.seen(),
                100 * s.newUsers(),
                s.rho(),
                s.rank() == rank && s.strength() == strength ? " (chosen)" : ""));
      }
      for (Score s : newUserTable) {
        b.append(
            String.format(
                Locale.ROOT,
                "  new users rho=%s: %.2f%% +- %.2f%%%s%n",
                s.strength(),
                100 * s.accuracy(),
                100 * s.standardError(),
                s.strength() == newUserStrength ? " (chosen)" : ""));
      }
      return b.toString();
    }
  }

  /** How the cross-validation folds split the pairs. */
  public enum Folds {
    /** Every user's pairs are dealt into the folds at random: held-out pairs share items. */
    PAIRS,
    /**
     * Every user's items are dealt into the folds at random: a user's held-out pairs join two of
     * that user's held-out items, the user trains on pairs of two other items, and pairs across the
     * two are left out of that fold. For new pairs of new items per user (other users may have seen
     * them).
     */
    USER_ITEMS,
    /**
     * Item groups (e.g. items, or prompts) are dealt into the folds: as {@link #USER_ITEMS} with
     * the same held-out items for everybody. For new pairs of items nobody has seen.
     */
    ITEMS
  }

  /**
   * Selects with {@link Folds#PAIRS}. Candidate ranks above the embedding dimension d are left out
   * (the smallest is lowered to d when all are above it).
   */
  public Result select(PreferenceData data) {
    return select(data, Folds.PAIRS, null);
  }

  /**
   * Selects with {@link Folds#ITEMS} over {@code itemGroups}, or {@link Folds#PAIRS} when it is
   * null.
   *
   * @param itemGroups group of every item (length {@code data.itemCount()}, values >= 0), e.g. the
   *     item itself or its prompt
   */
  public Result select(PreferenceData data, int[] itemGroups) {
    return select(data, itemGroups == null ? Folds.PAIRS : Folds.ITEMS, itemGroups);
  }

  /**
   * Selects with the given folds.
   *
   * @param itemGroups {@link Folds#ITEMS}: group of every item (length {@code data.itemCount()},
   *     values >= 0), or null for the items themselves; ignored otherwise
   */
  public Result select(PreferenceData data, Folds folds, int[] itemGroups) {
    Objects.requireNonNull(folds, "folds");
    long start = System.nanoTime();
    int k = selection.folds();
    List<Integer> ranks = new ArrayList<>();
    for (int b : selection.ranks()) {
      if (b <= data.dim()) {
        ranks.add(b); // a rank above d adds nothing a rank of d cannot do
      }
    }
    if (ranks.isEmpty()) {
      ranks.add(Math.min(selection.ranks().get(0), data.dim()));
    }
    if (ranks.get(0) < 2) {
      throw new IllegalArgumentException(
          "embedding dim " + data.dim() + " leaves no candidate rank of at least 2");
    }
    List<Double> strengths = selection.strengths();
    int[][] foldOf = pairEnds(data, folds, itemGroups);
    int[] userFold = userFolds(data.userCount());
    List<Double> factors = new ArrayList<>();
    factors.add(Double.POSITIVE_INFINITY);
    factors.addAll(selection.newUserStrengths());
    factors.add(0.0);
    List<Double> rates =
        selection.learningRates().isEmpty()
            ? List.of(base.learningRate())
            : selection.learningRates();
    Progress progress = new Progress(totalSteps(ranks.size(), strengths.size(), rates.size()));
    List<CrossValidation> cvs = new ArrayList<>(rates.size());
    long selectionPasses = 0; // every read of the pair data by the candidates' training
    List<Double> diverged = new ArrayList<>();
    ArithmeticException divergence = null;
    for (double rate : rates) {
      try {
        CrossValidation cv =
            crossValidate(
                data, base.withLearningRate(rate), ranks, foldOf, userFold, factors, progress);
        selectionPasses += cv.passes;
        cvs.add(cv);
      } catch (ArithmeticException e) {
        // a candidate step too large for the data is a bad candidate, not a failed selection
        diverged.add(rate);
        divergence = e;
      }
    }
    if (cvs.isEmpty()) {
      throw new ArithmeticException(
          "training diverged at every candidate learning rate "
              + rates
              + ": "
              + divergence.getMessage());
    }
    CrossValidation cv = cvs.get(chooseRate(cvs));
    Score chosen = cv.chosen;
    TrainConfig config = base.withLearningRate(cv.rate);

    // the chosen model on all pairs, by the same procedure
    RewardModel population =
        new Trainer(Trainer.populationConfig(config))
            .executor(executor)
            .listener(progress.part())
            .train(data);
    RewardModel model;
    if (chosen.rank() == 1) {
      model = population;
    } else {
      Trainer.Path path =
          pathTrainer(config, chosen.rank())
              .path(data, initFrom(population, chosen.rank()), population.basisInternal());
      for (int s = strengths.size() - 1; s >= 0; s--) {
        path.run(strengths.get(s), segmentSteps(s), progress.part());
        if (strengths.get(s) == chosen.strength()) {
          break;
        }
      }
      model = path.model(null);
      // the population model the path started from is part of this model's cost
      model =
          model.withMetadataEntry(
              "passes", Integer.toString(Trainer.passes(population) + Trainer.passes(model)));
    }
    selectionPasses += Trainer.passes(model);
    progress.finish();
    double seconds = (System.nanoTime() - start) / 1e9;
    model = withSelection(model, folds, cv, cvs, diverged, seconds, selectionPasses);
    return new Result(
        model,
        chosen.rank(),
        chosen.strength(),
        chosen.rho(),
        cv.rate,
        List.copyOf(cv.table),
        cv.best,
        List.copyOf(cv.newUserTable),
        seconds);
  }

  /** One learning rate's cross-validation: every candidate's score and the rule's choice. */
  private record CrossValidation(
      double rate,
      List<Score> table,
      Score best,
      Score chosen,
      List<Score> newUserTable,
      long passes) {}

  /** Scores every candidate trained with {@code config} on the folds. */
  private CrossValidation crossValidate(
      PreferenceData data,
      TrainConfig config,
      List<Integer> ranks,
      int[][] foldOf,
      int[] userFold,
      List<Double> factors,
      Progress progress) {
    int k = selection.folds();
    List<Double> strengths = selection.strengths();
    int candidates = 1 + ranks.size() * strengths.size();
    Counts counts = new Counts(candidates, factors.size(), data.userCount());
    TrainConfig bt = Trainer.populationConfig(config);
    long passes = 0;
    int used = 0;
    for (int f = 0; f < k; f++) {
      Fold fold = fold(data, foldOf, userFold, f);
      if (fold == null) {
        continue; // no training or no held-out pair in this fold
      }
      used++;
      RewardModel population =
          new Trainer(bt).executor(executor).listener(progress.part()).train(fold.train);
      passes += Trainer.passes(population);
      score(population, fold, data, factors, counts, 0);
      for (int r = 0; r < ranks.size(); r++) {
        int rank = ranks.get(r);
        Trainer.Path path =
            pathTrainer(config, rank)
                .path(fold.train, initFrom(population, rank), population.basisInternal());
        RewardModel last = null;
        for (int s = strengths.size() - 1; s >= 0; s--) { // from the weakest prior up
          path.run(strengths.get(s), segmentSteps(s), progress.part());
          last = path.model(null);
          score(last, fold, data, factors, counts, 1 + r * strengths.size() + s);
        }
        // a path's count is cumulative: its last model's is the whole path's
        passes += last == null ? 0 : Trainer.passes(last);
      }
    }
    if (used == 0) {
      throw new IllegalArgumentException(
          "no fold has both training and held-out pairs: too few pairs or items for "
              + k
              + " folds");
    }
    List<Score> table = new ArrayList<>(candidates);
    List<List<Score>> rhoTables = new ArrayList<>(candidates);
    for (int c = 0; c < candidates; c++) {
      int rank = c == 0 ? 1 : ranks.get((c - 1) / strengths.size());
      double strength =
          c == 0 ? Double.POSITIVE_INFINITY : strengths.get((c - 1) % strengths.size());
      List<Score> rhoTable = new ArrayList<>();
      for (int g = 0; g < factors.size(); g++) {
        double[] acc = counts.newAccuracy(c, g);
        double[] st = meanAndError(acc);
        rhoTable.add(
            new Score(
                0, factors.get(g), st[0], st[1], (int) st[2], Double.NaN, st[0], factors.get(g)));
      }
      int g = c == 0 ? 0 : chooseFactor(rhoTable);
      double[] seen = counts.seenAccuracy(c);
      double[] fresh = counts.newAccuracy(c, g);
      double[] both = new double[seen.length];
      for (int u = 0; u < both.length; u++) {
        both[u] =
            Double.isNaN(seen[u])
                ? fresh[u]
                : Double.isNaN(fresh[u]) ? seen[u] : (seen[u] + fresh[u]) / 2;
      }
      double[] st = meanAndError(both);
      table.add(
          new Score(
              rank,
              strength,
              st[0],
              st[1],
              (int) st[2],
              meanAndError(seen)[0],
              meanAndError(fresh)[0],
              factors.get(g)));
      rhoTables.add(rhoTable);
    }
    Score best = table.get(0);
    for (Score s : table) {
      if (s.accuracy() > best.accuracy()) {
        best = s;
      }
    }
    Score chosen = choose(table, best);
    return new CrossValidation(
        config.learningRate(), table, best, chosen, rhoTables.get(table.indexOf(chosen)), passes);
  }

  /**
   * Index of the learning rate kept: the one whose chosen candidate scores best, or with the
   * one-standard-error rule the first listed within one standard error of it.
   */
  private int chooseRate(List<CrossValidation> cvs) {
    int best = 0;
    for (int i = 1; i < cvs.size(); i++) {
      if (cvs.get(i).chosen.accuracy() > cvs.get(best).chosen.accuracy()) {
        best = i;
      }
    }
    if (!selection.oneStandardError()) {
      return best;
    }
    Score b = cvs.get(best).chosen;
    for (int i = 0; i < cvs.size(); i++) {
      if (cvs.get(i).chosen.accuracy() >= b.accuracy() - b.standardError()) {
        return i;
      }
    }
    return best;
  }

  /** Per-user counts of right and scored held-out pairs, for every candidate (and factor). */
  private static final class Counts {
    final int[][] seenRight;
    final int[][] seenTotal;
    final int[][][] newRight;
    final int[][][] newTotal;

    Counts(int candidates, int factors, int users) {
      seenRight = new int[candidates][users];
      seenTotal = new int[candidates][users];
      newRight = new int[candidates][factors][users];
      newTotal = new int[candidates][factors][users];
    }

    double[] seenAccuracy(int c) {
      return ratio(seenRight[c], seenTotal[c]);
    }

    double[] newAccuracy(int c, int g) {
      return ratio(newRight[c][g], newTotal[c][g]);
    }

    private static double[] ratio(int[] right, int[] total) {
      double[] out = new double[right.length];
      for (int u = 0; u < out.length; u++) {
        out[u] = total[u] == 0 ? Double.NaN : (double) right[u] / total[u];
      }
      return out;
    }
  }

  /** Mean, standard error and count of the non-NaN values. */
  private static double[] meanAndError(double[] values) {
    int n = 0;
    double sum = 0;
    double sumSq = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        n++;
        sum += v;
        sumSq += v * v;
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    double var = n < 2 ? 0 : Math.max(0, (sumSq - n * mean * mean) / (n - 1));
    return new double[] {mean, n == 0 ? 0 : Math.sqrt(var / n), n};
  }

  /** The one-standard-error rule (or the best) over the table, simplest first. */
  private Score choose(List<Score> table, Score best) {
    if (!selection.oneStandardError()) {
      return best;
    }
    double threshold = best.accuracy() - best.standardError();
    if (table.get(0).accuracy() >= threshold) {
      return table.get(0);
    }
    for (double strength : selection.strengths()) { // larger strength first, then smaller rank
      for (Score s : table) {
        if (s.strength() == strength && s.accuracy() >= threshold) {
          return s;
        }
      }
    }
    return best;
  }

  /** Index of the factor chosen from a table ordered infinity first: the rule, or the best. */
  private int chooseFactor(List<Score> table) {
    int best = 0;
    for (int g = 1; g < table.size(); g++) {
      if (table.get(g).accuracy() > table.get(best).accuracy()) {
        best = g;
      }
    }
    if (!selection.oneStandardError()) {
      return best;
    }
    double threshold = table.get(best).accuracy() - table.get(best).standardError();
    for (int g = 0; g < table.size(); g++) {
      if (table.get(g).accuracy() >= threshold) {
        return g;
      }
    }
    return best;
  }

  /** One fold's parts: the training pairs, the held-out pairs, the left-out users' own pairs. */
  private record Fold(PreferenceData train, PreferenceData held, PreferenceData newUsers) {}

  /**
   * The parts of fold f, or null when the training or held-out part is empty: a pair is held out
   * when both its ends ({@code foldOf[0]} for the chosen item, {@code foldOf[1]} for the rejected)
   * are in f, and trains when neither is. Users of fold f train nothing: their non-held-out pairs
   * go to {@code newUsers}.
   */
  private static Fold fold(PreferenceData data, int[][] foldOf, int[] userFold, int f) {
    PreferenceData.Builder train = PreferenceData.builder(data);
    PreferenceData.Builder held = PreferenceData.builder(data);
    PreferenceData.Builder fresh = PreferenceData.builder(data);
    for (int u = 0; u < data.userCount(); u++) {
      String id = data.userId(u);
      boolean left = userFold[u] == f;
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        int c = data.chosen(p);
        int r = data.rejected(p);
        boolean inHeld = foldOf[0][p] == f && foldOf[1][p] == f;
        boolean inTrain = foldOf[0][p] != f && foldOf[1][p] != f;
        if (inHeld) {
          held.add(id, c, r);
        } else if (inTrain) {
          (left ? fresh : train).add(id, c, r);
        }
      }
    }
    if (train.size() == 0 || held.size() == 0) {
      return null;
    }
    return new Fold(train.build(), held.build(), fresh.size() == 0 ? null : fresh.build());
  }

  /**
   * Adds candidate c's verdicts on fold {@code fold}: the training users' held-out pairs with their
   * fitted weights, and the left-out users' held-out pairs after a few-shot fit under every factor.
   */
  private void score(
      RewardModel model,
      Fold fold,
      PreferenceData all,
      List<Double> factors,
      Counts counts,
      int c) {
    int k = model.rank();
    PreferenceData held = fold.held;
    float[] z = Evaluation.projectReferenced(model, held);
    float[] weights = model.userWeightsInternal();
    for (int u = 0; u < held.userCount(); u++) {
      int m = model.userIndexOf(held.userId(u));
      if (m < 0) {
        continue; // a left-out user, or no training pair in this fold
      }
      int slot = all.userIndex(held.userId(u));
      for (int p = held.pairStart(u); p < held.pairEnd(u); p++) {
        counts.seenTotal[c][slot]++;
        if (margin(weights, m * k, k, z, held.chosen(p), held.rejected(p)) > 0) {
          counts.seenRight[c][slot]++;
        }
      }
    }
    PreferenceData fresh = fold.newUsers;
    if (fresh == null) {
      return;
    }
    PopulationPrior prior =
        PopulationPrior.of(model.withMetadataEntry("newUserPriorStrength", "1"));
    float[] zFit = Evaluation.projectReferenced(model, fresh);
    int pairs = selection.fewShotPairs();
    lore.internal.train.SimplexNewton solver = new lore.internal.train.SimplexNewton(k, pairs);
    float[] dz = new float[pairs * k];
    double[] w = new double[k];
    double[] precision = prior.precision() == null ? null : new double[k * k];
    int[] order = new int[0];
    for (int u = 0; u < held.userCount(); u++) {
      String id = held.userId(u);
      int t = fresh.userIndex(id);
      if (t < 0) {
        continue;
      }
      int slot = all.userIndex(id);
      int lo = fresh.pairStart(t);
      int n = fresh.pairEnd(t) - lo;
      if (order.length < n) {
        order = new int[n];
      }
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      // the same random subset for every candidate: a stream per user
      SplittableRandom rnd = new SplittableRandom(base.seed() ^ (0x6e657775736572L + 31L * slot));
      int take = Math.min(pairs, n);
      for (int i = 0; i < take; i++) { // partial Fisher-Yates
        int j = i + rnd.nextInt(n - i);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      for (int q = 0; q < take; q++) {
        int p = lo + order[q];
        int zc = fresh.chosen(p) * k;
        int zr = fresh.rejected(p) * k;
        for (int b = 0; b < k; b++) {
          dz[q * k + b] = zFit[zc + b] - zFit[zr + b];
        }
      }
      for (int g = 0; g < factors.size(); g++) {
        double rho = factors.get(g);
        System.arraycopy(prior.center(), 0, w, 0, k);
        if (Double.isFinite(rho) && !prior.limit()) {
          if (rho > 0 && precision != null) {
            for (int i = 0; i < precision.length; i++) {
              precision[i] = rho * prior.precision()[i];
            }
            solver.solve(
                dz,
                0,
                take,
                model.logitScale(),
                w,
                1e-10,
                50,
                1.0 / take,
                precision,
                prior.center());
          } else {
            java.util.Arrays.fill(w, 1.0 / k);
            solver.solve(dz, 0, take, model.logitScale(), w, 1e-10, 50);
          }
        }
        for (int p = held.pairStart(u); p < held.pairEnd(u); p++) {
          counts.newTotal[c][g][slot]++;
          if (margin(w, k, z, held.chosen(p), held.rejected(p)) > 0) {
            counts.newRight[c][g][slot]++;
          }
        }
      }
    }
  }

  private static double margin(float[] w, int off, int k, float[] z, int chosen, int rejected) {
    double m = 0;
    for (int b = 0; b < k; b++) {
      m += (double) w[off + b] * (z[chosen * k + b] - z[rejected * k + b]);
    }
    return m;
  }

  private static double margin(double[] w, int k, float[] z, int chosen, int rejected) {
    double m = 0;
    for (int b = 0; b < k; b++) {
      m += Math.max(w[b], 0) * (z[chosen * k + b] - z[rejected * k + b]);
    }
    return m;
  }

  /** Fold of every user, balanced: users in random order dealt round-robin. */
  private int[] userFolds(int users) {
    int[] order = new int[users];
    for (int i = 0; i < users; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(base.seed() ^ 0x7573657266L);
    for (int i = users - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] fold = new int[users];
    for (int i = 0; i < users; i++) {
      fold[order[i]] = i % selection.folds();
    }
    return fold;
  }

  /** The chosen model with the selection recorded in its metadata. */
  private RewardModel withSelection(
      RewardModel model,
      Folds folds,
      CrossValidation cv,
      List<CrossValidation> cvs,
      List<Double> diverged,
      double seconds,
      long selectionPasses) {
    List<Score> table = cv.table;
    Score chosen = cv.chosen;
    List<Score> newUserTable = cv.newUserTable;
    Map<String, String> meta = new LinkedHashMap<>(model.metadata());
    meta.put("selection", "cross-validation");
    meta.put("selectionFolds", Integer.toString(selection.folds()));
    meta.put("selectionFoldScheme", folds.name());
    meta.put("selectionRule", selection.oneStandardError() ? "one-standard-error" : "best");
    meta.put("selectionPathSteps", Integer.toString(selection.pathSteps()));
    meta.put("selectedRank", Integer.toString(chosen.rank()));
    meta.put("selectedStrength", Double.toString(chosen.strength()));
    meta.put("selectionTable", encode(table));
    meta.put("newUserPriorStrength", Double.toString(chosen.rho()));
    meta.put("newUserSelectionTable", encode(newUserTable));
    meta.put("newUserSelectionPairs", Integer.toString(selection.fewShotPairs()));
    meta.put("selectionSeconds", String.format(Locale.ROOT, "%.3f", seconds));
    meta.put("selectionPasses", Long.toString(selectionPasses));
    if (cvs.size() + diverged.size() > 1) {
      // rate:rank:strength:accuracy:standardError, or rate:diverged, the diverged ones first
      StringBuilder rates = new StringBuilder();
      for (double rate : diverged) {
        rates.append(rates.isEmpty() ? "" : ";").append(rate).append(":diverged");
      }
      for (CrossValidation c : cvs) {
        rates.append(rates.isEmpty() ? "" : ";");
        rates.append(
            String.format(
                Locale.ROOT,
                "%s:%d:%s:%.5f:%.5f",
                c.rate,
                c.chosen.rank(),
                c.chosen.strength(),
                c.chosen.accuracy(),
                c.chosen.standardError()));
      }
      meta.put("selectionLearningRates", rates.toString());
    }
    return model.withMetadata(meta);
  }

  /**
   * Steps of the path at strength index s (of the descending list): {@code 3 pathSteps} at the
   * weakest strength, where the path starts from the population, {@code pathSteps} at the others.
   */
  private int segmentSteps(int s) {
    return s == selection.strengths().size() - 1
        ? 3 * selection.pathSteps()
        : selection.pathSteps();
  }

  private Trainer pathTrainer(TrainConfig config, int rank) {
    return new Trainer(
            config
                .withRank(rank)
                .withPriorStrength(selection.strengths().get(0))
                .withInit(TrainConfig.Init.POPULATION))
        .executor(executor);
  }

  private float[] initFrom(RewardModel population, int rank) {
    // the rows start at the Bradley-Terry vector (plus noise)
    return Trainer.populationInit(population.basisInternal(), rank, base.seed());
  }

  /** The folds of both ends of every pair (chosen, rejected) under the scheme. */
  private int[][] pairEnds(PreferenceData data, Folds folds, int[] itemGroups) {
    int pairs = data.pairCount();
    int[][] ends = new int[2][];
    switch (folds) {
      case PAIRS -> {
        ends[0] = pairFolds(data);
        ends[1] = ends[0];
      }
      case ITEMS -> {
        int[] groups = itemGroups;
        if (groups == null) {
          groups = new int[data.itemCount()];
          for (int i = 0; i < groups.length; i++) {
            groups[i] = i;
          }
        }
        int[] itemFold = itemFolds(data, groups);
        ends[0] = new int[pairs];
        ends[1] = new int[pairs];
        for (int p = 0; p < pairs; p++) {
          ends[0][p] = itemFold[data.chosen(p)];
          ends[1][p] = itemFold[data.rejected(p)];
        }
      }
      case USER_ITEMS -> {
        ends[0] = new int[pairs];
        ends[1] = new int[pairs];
        SplittableRandom rnd = new SplittableRandom(base.seed() ^ 0x75736974656dL);
        int[] fold = new int[data.itemCount()];
        java.util.Arrays.fill(fold, -1);
        int[] items = new int[16];
        for (int u = 0; u < data.userCount(); u++) {
          int n = 0;
          for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
            for (int item : new int[] {data.chosen(p), data.rejected(p)}) {
              if (fold[item] == -1) {
                fold[item] = -2;
                if (n == items.length) {
                  items = java.util.Arrays.copyOf(items, 2 * n);
                }
                items[n++] = item;
              }
            }
          }
          for (int i = n - 1; i > 0; i--) { // the user's items in random order, dealt round-robin
            int j = rnd.nextInt(i + 1);
            int t = items[i];
            items[i] = items[j];
            items[j] = t;
          }
          int offset = rnd.nextInt(selection.folds());
          for (int i = 0; i < n; i++) {
            fold[items[i]] = (offset + i) % selection.folds();
          }
          for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
            ends[0][p] = fold[data.chosen(p)];
            ends[1][p] = fold[data.rejected(p)];
          }
          for (int i = 0; i < n; i++) {
            fold[items[i]] = -1;
          }
        }
      }
      default -> throw new IllegalStateException(folds.toString());
    }
    return ends;
  }

  /**
   * Fold of every pair, drawn per user: the user's pairs in random order take folds {@code (o + j)
   * mod K} from a random offset o, so every user's pairs spread evenly over the folds.
   */
  private int[] pairFolds(PreferenceData data) {
    int k = selection.folds();
    SplittableRandom rnd = new SplittableRandom(base.seed() ^ 0x666f6c6473L);
    int[] fold = new int[data.pairCount()];
    for (int u = 0; u < data.userCount(); u++) {
      int lo = data.pairStart(u);
      int n = data.pairEnd(u) - lo;
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      int offset = rnd.nextInt(k);
      for (int i = 0; i < n; i++) {
        fold[lo + order[i]] = (offset + i) % k;
      }
    }
    return fold;
  }

  /** Fold of every item, drawn over the item groups (shuffled, then dealt round-robin). */
  private int[] itemFolds(PreferenceData data, int[] itemGroups) {
    if (itemGroups.length != data.itemCount()) {
      throw new IllegalArgumentException(
          "item groups for " + itemGroups.length + " items, data has " + data.itemCount());
    }
    int maxGroup = -1;
    for (int g : itemGroups) {
      if (g < 0) {
        throw new IllegalArgumentException("item groups must be >= 0, got " + g);
      }
      maxGroup = Math.max(maxGroup, g);
    }
    boolean[] used = new boolean[maxGroup + 1];
    for (int p = 0; p < data.pairCount(); p++) {
      used[itemGroups[data.chosen(p)]] = true;
      used[itemGroups[data.rejected(p)]] = true;
    }
    int n = 0;
    for (boolean b : used) {
      n += b ? 1 : 0;
    }
    int[] groups = new int[n];
    for (int g = 0, at = 0; g < used.length; g++) {
      if (used[g]) {
        groups[at++] = g;
      }
    }
    SplittableRandom rnd = new SplittableRandom(base.seed() ^ 0x666f6c6473L);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = groups[i];
      groups[i] = groups[j];
      groups[j] = t;
    }
    int[] groupFold = new int[maxGroup + 1];
    for (int i = 0; i < n; i++) {
      groupFold[groups[i]] = i % selection.folds();
    }
    int[] itemFold = new int[data.itemCount()];
    for (int i = 0; i < itemFold.length; i++) {
      itemFold[i] = groupFold[itemGroups[i]];
    }
    return itemFold;
  }

  private long totalSteps(int ranks, int strengths, int rates) {
    long path = (long) (strengths + 2) * selection.pathSteps();
    return rates * selection.folds() * (base.steps() + ranks * path) + base.steps() + path;
  }

  /**
   * {@code rank:strength:accuracy:standardError:users:seen:new:rho} per score, separated by ';'.
   */
  private static String encode(List<Score> table) {
    StringBuilder b = new StringBuilder();
    for (Score s : table) {
      if (b.length() > 0) {
        b.append(';');
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%d:%s:%.5f:%.5f:%d:%.5f:%.5f:%s",
              s.rank(),
              s.strength(),
              s.accuracy(),
              s.standardError(),
              s.users(),
              s.seen(),
              s.newUsers(),
              s.rho()));
    }
    return b.toString();
  }

  /**
   * Maps every trainer's steps onto one count over the whole selection; {@link #finish} reports the
   * last step (the final path may stop before the strongest strength).
   */
  private final class Progress {
    private final long total;
    private long done;
    private double lastLoss = Double.NaN;

    Progress(long total) {
      this.total = total;
    }

    TrainListener part() {
      if (listener == null) {
        return null;
      }
      return (step, steps, loss) -> {
        done++;
        lastLoss = loss;
        if (done < total) {
          listener.onStep((int) Math.min(done, Integer.MAX_VALUE), (int) total, loss);
        }
      };
    }

    void finish() {
      if (listener != null) {
        listener.onStep((int) total, (int) total, lastLoss);
      }
    }
  }
}
