package lore.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import lore.FitConfig;
import lore.SelectionConfig;
import lore.TrainConfig;
import lore.experiment.methods.BtMethod;
import lore.experiment.methods.LoReMethod;
import lore.experiment.methods.LoReMlpMethod;
import lore.experiment.methods.PalAMethod;
import lore.experiment.methods.PalBMethod;
import lore.experiment.methods.PalMethod;
import lore.experiment.methods.RefMethod;
import lore.experiment.methods.VplMethod;

/**
 * Methods of the comparison by name, for the command line: {@code LoRe} (the engine's default: the
 * Bradley-Terry model nested in LoRe, rank, prior strength and new users' prior chosen per split by
 * {@link lore.ModelSelection}), {@code LoRe-Eq10} (the paper's objective: rank chosen per split
 * from the rank grid on a validation split, or the fixed rank of the training configuration when
 * the grid is empty; new users by Eq. 11), {@code BT}, {@code LoRe-MLP}, {@code PAL-A}, {@code
 * PAL-B} and {@code VPL} with their published (or default) settings, and {@code ref} where the
 * dataset has a reference reward (synthetic: the generator's population-average reward;
 * PersonalLLM: the mean of the ten reward models' scores).
 */
public final class MethodCatalog {
  private MethodCatalog() {}

  /** Names this catalog knows, in table order. */
  public static List<String> names() {
    return List.of("LoRe", "LoRe-Eq10", "BT", "LoRe-MLP", "PAL-A", "PAL-B", "VPL");
  }

  /**
   * Settings of the engine-based methods (LoRe, LoRe-Eq10, BT).
   *
   * @param train the trainer's configuration (its rank is LoRe-Eq10's when no rank is selected; its
   *     {@code threads} is the number of work partitions)
   * @param fit few-shot fitting of new users ({@link FitConfig.Prior#MODEL} by default; LoRe-Eq10
   *     takes Eq. 11 instead of that default, as the paper)
   * @param selection LoRe's model selection
   * @param executor runs the trainer's partitions in parallel (owned by the caller, who shuts it
   *     down); null runs them one after another on the calling thread. Either way the model is
   *     bitwise identical for a given seed, kernel and {@code train.threads()}.
   */
  public record Settings(
      TrainConfig train, FitConfig fit, SelectionConfig selection, Executor executor) {
    public Settings {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(fit, "fit");
      Objects.requireNonNull(selection, "selection");
    }

    /** The default selection, on the calling thread. */
    public Settings(TrainConfig train, FitConfig fit) {
      this(train, fit, SelectionConfig.defaults(), null);
    }

    /** The few-shot fit of LoRe-Eq10: Eq. 11 unless a hand-set prior was asked for. */
    FitConfig paperFit() {
      return fit.prior() == FitConfig.Prior.MODEL ? fit.withPrior(FitConfig.Prior.NONE) : fit;
    }
  }

  /**
   * {@code config} with the named methods added after its own, in the order named; {@code ref} is
   * offered when {@code config}'s dataset has a reference reward.
   *
   * @param names method names, case-insensitive
   * @param selectRank whether {@code LoRe-Eq10}'s rank is chosen per split (needs a rank grid)
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
   */
  public static ExperimentConfig withMethods(
      ExperimentConfig config, List<String> names, Settings s, boolean selectRank) {
    List<PreferenceMethod> methods = new ArrayList<>(config.methods());
    List<RankedMethod> ranked = new ArrayList<>(config.rankedMethods());
    ExperimentDataset dataset = config.dataset();
    for (String raw : names) {
      if (raw.strip().equalsIgnoreCase("ref") && dataset.hasReferenceReward()) {
        methods.add(RefMethod.ofTableRewards("ref", dataset::referenceReward));
        continue;
      }
      switch (canonical(raw)) {
        case "LoRe" ->
            methods.add(
                LoReMethod.selected("LoRe", s.train(), s.selection(), s.fit(), s.executor()));
        case "LoRe-Eq10" -> {
          if (selectRank) {
            ranked.add(loreFamily(s));
          } else {
            methods.add(LoReMethod.create("LoRe-Eq10", s.train(), s.paperFit(), s.executor()));
          }
        }
        case "BT" -> methods.add(BtMethod.create(s.train(), s.executor()));
        case "LoRe-MLP" -> methods.add(LoReMlpMethod.create(LoReMlpMethod.Config.defaults()));
        case "PAL-A" -> methods.add(PalAMethod.create(PalMethod.Config.paperA()));
        case "PAL-B" -> methods.add(PalBMethod.create(PalMethod.Config.paperB(), null, 0));
        case "VPL" -> methods.add(VplMethod.create(VplMethod.Config.paper()));
        default -> throw new IllegalStateException(raw);
      }
    }
    return config.withRankedMethods(ranked).withMethods(methods);
  }

  private static RankedMethod loreFamily(Settings s) {
    return new RankedMethod() {
      @Override
      public String name() {
        return "LoRe-Eq10";
      }

      @Override
      public PreferenceMethod withRank(int rank) {
        return LoReMethod.create("LoRe-Eq10", s.train().withRank(rank), s.paperFit(), s.executor());
      }
    };
  }

  private static String canonical(String raw) {
    for (String k : names()) {
      if (k.toLowerCase(Locale.ROOT).equals(raw.strip().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    if (raw.strip().equalsIgnoreCase("ref")) {
      throw new IllegalArgumentException(
          "method 'ref' needs a reference reward: only the synthetic (population-average reward)"
              + " and personalllm (mean of the ten reward models' scores) datasets provide one");
    }
    throw new IllegalArgumentException(
        "unknown method '" + raw + "'; available: " + String.join(", ", names()));
  }
}
