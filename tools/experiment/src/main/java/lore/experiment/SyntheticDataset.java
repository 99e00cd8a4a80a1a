package lore.experiment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.datasets.SyntheticConfig;
import lore.datasets.SyntheticData;
import lore.datasets.SyntheticPersonalLlm;

/**
 * The synthetic PersonalLLM protocol (paper section 5): each split is a fresh draw of {@link
 * SyntheticPersonalLlm} with the split's seed, so users, their weights, prompts, embeddings and
 * pairs are all sampled anew. Train and few-shot pairs use train prompts, test pairs every test
 * prompt: disjoint by construction. Rank selection holds out a fraction of the train prompts.
 */
public final class SyntheticDataset implements ExperimentDataset {
  private final SyntheticConfig base;

  /**
   * @param base shape of each draw; its seed and few-shot count are replaced per split
   */
  public SyntheticDataset(SyntheticConfig base) {
    this.base = Objects.requireNonNull(base, "base");
  }

  /** The configuration each split is drawn with (seed and few-shot count replaced). */
  public SyntheticConfig base() {
    return base;
  }

  @Override
  public String description() {
    SyntheticConfig c = base;
    return String.format(
        Locale.ROOT,
        "synthetic PersonalLLM: d=%d, %d train + %d test prompts x %d responses, %d reward"
            + " functions, alpha %s, %d seen users x %d train pairs, %d unseen users",
        c.dim(),
        c.trainPrompts(),
        c.testPrompts(),
        c.responsesPerPrompt(),
        c.rewardFunctions(),
        c.alpha(),
        c.seenUsers(),
        c.trainPairsPerUser(),
        c.unseenUsers());
  }

  /**
   * Generates the split: allocates the item table ({@code itemCount x dim} floats), a few seconds
   * at the paper's scale.
   */
  private float[] lastItems;

  private float[] lastReward;

  @Override
  public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
    Splits.checkFraction("validation fraction", validationFraction);
    int k = Math.min(Math.max(1, fewShotPairs), base.trainPrompts());
    SyntheticData d = SyntheticPersonalLlm.generate(base.withSeed(seed).withFewShotPairs(k));
    remember(d);
    int r = base.responsesPerPrompt();
    Splits.Parts v =
        Splits.holdOut(
            d.train(), item -> item / r, validationFraction, new SplittableRandom(seed ^ 0x5eedL));
    String what =
        String.format(
            Locale.ROOT,
            "seed %d: train %s, test seen %s, few-shot pool %s, test unseen %s",
            seed,
            count(d.train()),
            count(d.testSeen()),
            count(d.fewShot()),
            count(d.testUnseen()));
    return new Split(
        index,
        seed,
        what,
        d.train(),
        d.testSeen(),
        d.fewShot(),
        d.testUnseen(),
        v.rest(),
        v.heldOut());
  }

  /**
   * The generator's population-average reward of every item of the split whose item table is {@code
   * items}: the mean of the hidden reward functions, which is {@code E[w]} for the symmetric
   * Dirichlet users (the synthetic stand-in for the paper's "ref" reward model). Only the latest
   * split is kept; null for any other table.
   */
  public synchronized float[] populationReward(float[] items) {
    return items == lastItems ? lastReward : null;
  }

  /** The population-average reward ({@link #populationReward}). */
  @Override
  public float[] referenceReward(float[] items) {
    return populationReward(items);
  }

  @Override
  public boolean hasReferenceReward() {
    return true;
  }

  private synchronized void remember(SyntheticData d) {
    int m = d.config().rewardFunctions();
    int n = d.config().itemCount();
    float[] hidden = d.hiddenRewards();
    float[] reward = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int f = 0; f < m; f++) {
        s += hidden[i * m + f];
      }
      reward[i] = (float) (s / m);
    }
    lastItems = d.items();
    lastReward = reward;
  }

  /** The prompt of every response: folds hold out whole prompts, as the test split does. */
  @Override
  public int[] foldGroups(PreferenceData d) {
    int r = base.responsesPerPrompt();
    int[] g = new int[d.itemCount()];
    for (int i = 0; i < g.length; i++) {
      g[i] = i / r;
    }
    return g;
  }

  static String count(PreferenceData p) {
    return p.pairCount() + " pairs/" + p.userCount() + " users";
  }
}
