package lore.experiment;

import java.util.Objects;
import lore.PreferenceData;

/**
 * One random split of a dataset into the paper's four sets (section 5), all over one item table,
 * plus a validation split of the training data for rank selection.
 *
 * <p>Guarantees of every {@link ExperimentDataset}: seen and unseen users are disjoint; no test
 * pair shares a prompt (or, without prompts, an item) with any training, validation or few-shot
 * pair; every unseen user of {@code testUnseen} has at least one few-shot pair, and every seen user
 * of {@code testSeen} at least one training pair; {@code validation} shares no prompt or item with
 * {@code validationTrain}, and its users are all in {@code validationTrain}.
 *
 * @param index split number, from 0
 * @param seed the seed the split was drawn with
 * @param description one line: what was drawn (users, pairs)
 * @param train seen users' training pairs (D_train)
 * @param testSeen seen users' test pairs (D_test^seen)
 * @param fewShotPool unseen users' few-shot pairs, in the order they are handed out: the few-shot
 *     set for k is each user's first k pairs (see {@link #fewShot(int)})
 * @param testUnseen unseen users' test pairs (D_test^unseen)
 * @param validationTrain seen users' training pairs minus the held-out prompts or items; null (with
 *     {@code validation}) when holding out left no validation pair
 * @param validation seen users' training pairs on the held-out prompts or items, or null
 */
public record Split(
    int index,
    long seed,
    String description,
    PreferenceData train,
    PreferenceData testSeen,
    PreferenceData fewShotPool,
    PreferenceData testUnseen,
    PreferenceData validationTrain,
    PreferenceData validation) {

  /** Checks that no component is null. */
  public Split {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(testSeen, "testSeen");
    Objects.requireNonNull(fewShotPool, "fewShotPool");
    Objects.requireNonNull(testUnseen, "testUnseen");
    if ((validationTrain == null) != (validation == null)) {
      throw new IllegalArgumentException("validationTrain and validation must both be set or null");
    }
  }

  /**
   * The few-shot set D_fewshot with k pairs per unseen user: each user's first {@code min(k,
   * available)} pairs of {@link #fewShotPool}, so the sets for growing k are nested. Allocates
   * O(users x k).
   */
  public PreferenceData fewShot(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("few-shot k must be at least 1, got " + k);
    }
    PreferenceData pool = fewShotPool;
    PreferenceData.Builder b = PreferenceData.builder(pool);
    for (int u = 0; u < pool.userCount(); u++) {
      int end = Math.min(pool.pairEnd(u), pool.pairStart(u) + k);
      for (int p = pool.pairStart(u); p < end; p++) {
        b.add(pool.userId(u), pool.chosen(p), pool.rejected(p));
      }
    }
    return b.build();
  }

  /** The fewest few-shot pairs any unseen user has: the largest k every user can be given. */
  public int fewShotAvailable() {
    int min = Integer.MAX_VALUE;
    for (int u = 0; u < fewShotPool.userCount(); u++) {
      min = Math.min(min, fewShotPool.pairEnd(u) - fewShotPool.pairStart(u));
    }
    return min;
  }
}
