package lore.tools.experiment.methods;

import java.util.Objects;
import lore.PreferenceData;
import lore.tools.experiment.PreferenceMethod;

/**
 * A fixed, non-personalized reward ("ref" in the paper): either a reward per item (e.g. the
 * synthetic generator's population-average reward) or a linear reward {@code r(e) = v . e} (e.g.
 * the reward model's own scalar head applied to the stored last-token state, the faithful ref of
 * the reference notes, section 1.8). Margins are {@code r(chosen) - r(rejected)}; nothing is
 * trained or adapted; parameter count 0.
 */
public final class RefMethod implements PreferenceMethod {
  private final String name;
  private final float[] rewardOfItem;
  private final float[] direction;

  private RefMethod(String name, float[] rewardOfItem, float[] direction) {
    this.name = Objects.requireNonNull(name, "name");
    this.rewardOfItem = rewardOfItem;
    this.direction = direction;
  }

  /**
   * @param rewardOfItem one reward per row of the item table (not copied, not modified)
   */
  public static RefMethod ofItemRewards(String name, float[] rewardOfItem) {
    return new RefMethod(name, Objects.requireNonNull(rewardOfItem, "rewardOfItem"), null);
  }

  /**
   * @param direction d weights v of the linear reward {@code v . e} (not copied, not modified)
   */
  public static RefMethod linear(String name, float[] direction) {
    return new RefMethod(name, null, Objects.requireNonNull(direction, "direction"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Trained train(PreferenceData train, long seed) {
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
