package lore.experiment.methods;

import java.util.Objects;
import lore.PreferenceData;
import lore.experiment.PreferenceMethod;

/**
 * A fixed, non-personalized reward ("ref" in the paper): either a reward per item (e.g. the
 * synthetic generator's population-average reward) or a linear reward {@code r(e) = v . e} (e.g.
 * the reward model's own scalar head on the stored last-token state: the faithful ref; the LoRe
 * reference code uses column 0 of the last MLP down-projection). Margins are {@code r(chosen) -
 * r(rejected)}; nothing is trained or adapted; parameter count 0.
 */
public final class RefMethod implements PreferenceMethod {
  private final String name;
  private final float[] rewardOfItem;
  private final float[] direction;
  private final java.util.function.Function<float[], float[]> rewardsOfTable;

  private RefMethod(
      String name,
      float[] rewardOfItem,
      float[] direction,
      java.util.function.Function<float[], float[]> rewardsOfTable) {
    this.name = Objects.requireNonNull(name, "name");
    this.rewardOfItem = rewardOfItem;
    this.direction = direction;
    this.rewardsOfTable = rewardsOfTable;
  }

  /**
   * A reward per item that depends on the split's item table (each synthetic split generates its
   * own): {@code rewardsOfTable} maps the training data's item table to one reward per row, looked
   * up once per {@link #train}.
   */
  public static RefMethod ofTableRewards(
      String name, java.util.function.Function<float[], float[]> rewardsOfTable) {
    return new RefMethod(
        name, null, null, Objects.requireNonNull(rewardsOfTable, "rewardsOfTable"));
  }

  /**
   * @param rewardOfItem one reward per row of the item table (not copied, not modified)
   */
  public static RefMethod ofItemRewards(String name, float[] rewardOfItem) {
    return new RefMethod(name, Objects.requireNonNull(rewardOfItem, "rewardOfItem"), null, null);
  }

  /**
   * @param direction d weights v of the linear reward {@code v . e} (not copied, not modified)
   */
  public static RefMethod linear(String name, float[] direction) {
    return new RefMethod(name, null, Objects.requireNonNull(direction, "direction"), null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
    if (rewardsOfTable != null) {
      float[] rewards = rewardsOfTable.apply(train.items());
      if (rewards == null) {
        throw new IllegalArgumentException("no ref rewards for this split's item table");
      }
      return ofItemRewards(name, rewards).train(train, seed);
    }
    check(train);
    return new Trained() {
      @Override
      public void adapt(PreferenceData fewShot, long seed) {
        check(fewShot);
      }

      @Override
      public float[] margins(PreferenceData test) {
        check(test);
        float[] out = new float[test.pairCount()];
        for (int p = 0; p < out.length; p++) {
          out[p] = reward(test, test.chosen(p)) - reward(test, test.rejected(p));
        }
        return out;
      }

      @Override
      public long parameterCount() {
        return 0;
      }
    };
  }

  private void check(PreferenceData data) {
    if (rewardOfItem != null && rewardOfItem.length != data.itemCount()) {
      throw new IllegalArgumentException(
          "ref rewards cover " + rewardOfItem.length + " items, the data has " + data.itemCount());
    }
    if (direction != null && direction.length != data.dim()) {
      throw new IllegalArgumentException(
          "ref direction has dim " + direction.length + " != embedding dim " + data.dim());
    }
  }

  private float reward(PreferenceData data, int item) {
    if (rewardOfItem != null) {
      return rewardOfItem[item];
    }
    double s = 0;
    int off = data.itemOffset(item);
    float[] e = data.items();
    for (int j = 0; j < direction.length; j++) {
      s += (double) direction[j] * e[off + j];
    }
    return (float) s;
  }
}
