package lore.experiment;

import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.datasets.PersonalLlm;
import lore.datasets.PreferenceSplits;

/**
 * The real PersonalLLM benchmark (embeddings and the ten reward-model scores of every response,
 * read once with {@link PersonalLlm#readTable}) under the paper's protocol: each split draws a
 * fresh population of Dirichlet users with the split's seed ({@link PersonalLlm#simulate}); seen
 * users get their training pairs and unseen users their few-shot pairs on train prompts, and both
 * are tested on every test prompt, so test and training prompts are disjoint by construction. Rank
 * selection holds out a fraction of the seen users' train prompts.
 *
 * <p>{@code ref} is the dataset's reference reward: the mean of the ten reward models' scores of a
 * response (the reward of the mean user {@code E[w] = 1/10}), the same in every split.
 */
public final class PersonalLlmDataset implements ExperimentDataset {
  private final PersonalLlm.Table table;
  private final double alpha;
  private final int seenUsers;
  private final int unseenUsers;
  private final int trainPairsPerUser;
  private final float[] reference;

  /**
   * @param table the benchmark, shared (not copied)
   * @param alpha Dirichlet concentration of the simulated users (reference: 0.1)
   * @param seenUsers seen users per split (reference: 1000)
   * @param unseenUsers unseen users per split (reference: 500)
   * @param trainPairsPerUser train prompts per seen user; 0 for the reference's {@code int(0.005
   *     M)}
   */
  public PersonalLlmDataset(
      PersonalLlm.Table table,
      double alpha,
      int seenUsers,
      int unseenUsers,
      int trainPairsPerUser) {
    this.table = Objects.requireNonNull(table, "table");
    if (unseenUsers < 1) {
      throw new IllegalArgumentException(
          "the experiment needs at least one unseen user, got " + unseenUsers);
    }
    // Validates alpha, the user counts and the pair count.
    new PersonalLlm.Users(alpha, seenUsers, unseenUsers, trainPairsPerUser, 1, 0);
    this.alpha = alpha;
    this.seenUsers = seenUsers;
    this.unseenUsers = unseenUsers;
    this.trainPairsPerUser = trainPairsPerUser;
    this.reference = table.referenceRewards();
  }

  @Override
  public String description() {
    int prompts = table.items().rows() / PersonalLlm.RESPONSES;
    return String.format(
        Locale.ROOT,
        "PersonalLLM: d=%d, %d train + %d test prompts x %d responses, %d reward models, alpha"
            + " %s, %d seen users x %s train pairs, %d unseen users",
        table.items().cols(),
        table.trainPrompts(),
        prompts - table.trainPrompts(),
        PersonalLlm.RESPONSES,
        PersonalLlm.MODELS.size(),
        alpha,
        seenUsers,
        trainPairsPerUser > 0 ? Integer.toString(trainPairsPerUser) : "int(0.005 M)",
        unseenUsers);
  }

  @Override
  public Split split(int index, long seed, int fewShotPairs, double validationFraction) {
    Splits.checkFraction("validation fraction", validationFraction);
    int k = Math.min(Math.max(1, fewShotPairs), table.trainPrompts());
    PreferenceSplits s =
        PersonalLlm.simulate(
            table,
            new PersonalLlm.Users(alpha, seenUsers, unseenUsers, trainPairsPerUser, k, seed));
    PreferenceData train = s.splits().get("train");
    PreferenceData testSeen = s.splits().get("test-seen");
    PreferenceData fewShot = s.splits().get("fewshot");
    PreferenceData testUnseen = s.splits().get("test-unseen");
    int r = PersonalLlm.RESPONSES;
    Splits.Parts v =
        Splits.holdOut(
            train, item -> item / r, validationFraction, new SplittableRandom(seed ^ 0x5eedL));
    String what =
        String.format(
            Locale.ROOT,
            "seed %d: train %s, test seen %s, few-shot pool %s, test unseen %s",
            seed,
            SyntheticDataset.count(train),
            SyntheticDataset.count(testSeen),
            SyntheticDataset.count(fewShot),
            SyntheticDataset.count(testUnseen));
    return new Split(
        index, seed, what, train, testSeen, fewShot, testUnseen, v.rest(), v.heldOut());
  }

  @Override
  public boolean hasReferenceReward() {
    return true;
  }

  @Override
  public float[] referenceReward(float[] items) {
    return items == table.items().matrix().data() ? reference : null;
  }

  /** The prompt of every response: folds hold out whole prompts, as the test split does. */
  @Override
  public int[] foldGroups(PreferenceData d) {
    int r = PersonalLlm.RESPONSES;
    int[] g = new int[d.itemCount()];
    for (int i = 0; i < g.length; i++) {
      g[i] = i / r;
    }
    return g;
  }
}
