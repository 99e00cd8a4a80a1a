package lore.experiment.methods;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import lore.Evaluation;
import lore.FitConfig;
import lore.ModelSelection;
import lore.PreferenceData;
import lore.RewardModel;
import lore.SelectionConfig;
import lore.TrainConfig;
import lore.Trainer;
import lore.experiment.CvScore;
import lore.experiment.PreferenceMethod;

/**
 * LoRe with a linear basis (paper Example 1, Eq. 8), in two forms. The engine's default ({@link
 * #selected}): the Bradley-Terry model nested in LoRe, its rank B, prior strength and new users'
 * prior chosen by {@link ModelSelection} (cross-validation over the seen users' training pairs),
 * new users fitted by the model's empirical-Bayes MAP ({@link FitConfig.Prior#MODEL}). Or a fixed
 * configuration ({@link #create}): the engine's {@link Trainer} at rank B (the paper's objective,
 * Eq. 10, when the configuration has no prior strength), new users fitted with the basis frozen by
 * {@link RewardModel#withFittedUsers} under the given {@link FitConfig} (Eq. 11 with {@link
 * FitConfig.Prior#NONE}). Margins are {@code w_u . A (e_c - e_r)}, without the logit scale (the
 * sign is what the protocol reads, as in the reference evaluation).
 *
 * <p>Parameter count: {@code B d + N B} for N seen users (paper Table 6), {@code d} at rank 1;
 * adapted users are not counted.
 */
public final class LoReMethod implements PreferenceMethod {
  private final String name;
  private final TrainConfig config;
  private final FitConfig fit;
  private final Executor executor;
  private final SelectionConfig selection; // null: train config as given

  private LoReMethod(
      String name,
      TrainConfig config,
      FitConfig fit,
      Executor executor,
      SelectionConfig selection) {
    this.name = Objects.requireNonNull(name, "name");
    this.config = Objects.requireNonNull(config, "config");
    this.fit = Objects.requireNonNull(fit, "fit");
    this.executor = executor;
    this.selection = selection;
  }

  /**
   * The engine's default LoRe: {@link ModelSelection} with {@code selection} over the seen users'
   * training pairs (item-disjoint folds when the dataset gives item groups), then new users by
   * {@code fit} (normally {@link FitConfig#defaults()}: the model's empirical-Bayes prior).
   *
   * @param name name in tables, e.g. {@code "LoRe"}
   * @param config base training settings (logit scale, steps, threads); rank, prior strength and
   *     init are chosen; the seed is replaced by the seed of {@link #train}
   * @param executor runs the trainers' partitions (not shut down here), or null
   */
  public static LoReMethod selected(
      String name,
      TrainConfig config,
      SelectionConfig selection,
      FitConfig fit,
      Executor executor) {
    return new LoReMethod(
        name, config, fit, executor, Objects.requireNonNull(selection, "selection"));
  }

  /**
   * A fixed configuration under {@code name}, training the {@code config.threads()} partitions on
   * {@code executor} (not shut down here; null for the calling thread). The model is bitwise
   * identical to the one trained without an executor at the same thread count.
   *
   * @param config training configuration, including the rank B; its seed is replaced by the seed of
   *     {@link #train}
   * @param fit few-shot fitting configuration (e.g. {@link FitConfig#defaults()} or {@link
   *     FitConfig#paper()})
   */
  public static LoReMethod create(
      String name, TrainConfig config, FitConfig fit, Executor executor) {
    return new LoReMethod(name, config, fit, executor, null);
  }

  /** {@link #create(String, TrainConfig, FitConfig, Executor)} as "LoRe" on the calling thread. */
  public static LoReMethod create(TrainConfig config, FitConfig fit) {
    return create("LoRe", config, fit, null);
  }

  /** The paper's objective at rank B with Eq. 11 for new users, on the calling thread. */
  public static LoReMethod withRank(int rank) {
    return create(
        TrainConfig.defaults().withRank(rank),
        FitConfig.defaults().withPrior(FitConfig.Prior.NONE));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    return train(train, seed, null);
  }

  @Override
  public Trained train(PreferenceData train, long seed, int[] foldGroups) {
    TrainConfig seeded = config.withSeed(seed);
    if (selection == null) {
      return new LinearTrained(new Trainer(seeded).executor(executor).train(train), fit, false);
    }
    ModelSelection.Result r =
        new ModelSelection(seeded, selection).executor(executor).select(train, foldGroups);
    List<CvScore> scores =
        r.table().stream().map(c -> new CvScore(c.rank(), c.strength(), c.accuracy())).toList();
    return new LinearTrained(r.model(), fit, false, r.rank(), describe(r), scores);
  }

  /**
   * {@code B=5 lambda=0.3 rho=0.1}, or {@code B=1 lambda=inf (BT)} at the population limit; with
   * candidate learning rates also the one kept, e.g. {@code lr=8.0}.
   */
  String describe(ModelSelection.Result r) {
    String lr = selection.learningRates().size() > 1 ? " lr=" + r.learningRate() : "";
    if (r.rank() == 1) {
      return "B=1 lambda=inf (BT)" + lr;
    }
    return "B=" + r.rank() + " lambda=" + r.strength() + " rho=" + r.newUserStrength() + lr;
  }

  /** A trained linear model; shared with {@link BtMethod}. */
  static final class LinearTrained implements Trained {
    private final RewardModel seenModel;
    private final FitConfig fit;
    private final boolean fixedUnitWeight;
    private final long parameterCount;
    private final int chosenRank;
    private final String selection;
    private final List<CvScore> scores;
    private RewardModel model;

    LinearTrained(RewardModel model, FitConfig fit, boolean fixedUnitWeight) {
      this(model, fit, fixedUnitWeight, 0, "", List.of());
    }

    LinearTrained(
        RewardModel model,
        FitConfig fit,
        boolean fixedUnitWeight,
        int chosenRank,
        String selection,
        List<CvScore> scores) {
      this.seenModel = model;
      this.model = model;
      this.fit = fit;
      this.fixedUnitWeight = fixedUnitWeight;
      this.chosenRank = chosenRank;
      this.selection = selection;
      this.scores = scores;
      long bd = (long) model.rank() * model.dim();
      // at rank 1 every user's weight is [1]: nothing per user is learned
      this.parameterCount =
          fixedUnitWeight || model.rank() == 1 ? bd : bd + (long) model.userCount() * model.rank();
    }

    @Override
    public int chosenRank() {
      return chosenRank;
    }

    @Override
    public String selection() {
      return selection;
    }

    @Override
    public List<CvScore> selectionScores() {
      return scores;
    }

    /** The current model (seen users plus adapted ones). */
    RewardModel model() {
      return model;
    }

    @Override
    public void adapt(PreferenceData fewShot, long seed) {
      // from the seen users' model each time: a new adaptation replaces the last one, and the
      // population prior never includes earlier new users (at rank 1 every weight is [1])
      model = seenModel.withFittedUsers(fewShot, fit.withSeed(seed));
    }

    @Override
    public float[] margins(PreferenceData test) {
      return margins(model, test);
    }

    @Override
    public long parameterCount() {
      return parameterCount;
    }

    @Override
    public String toString() {
      return "LoRe[" + seenModel + "]";
    }

    static float[] margins(RewardModel model, PreferenceData test) {
      double[] m = Evaluation.margins(model, test);
      float[] out = new float[m.length];
      for (int p = 0; p < m.length; p++) {
        out[p] = (float) m[p];
      }
      return out;
    }
  }
}
