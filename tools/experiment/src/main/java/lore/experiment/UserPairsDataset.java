package lore.experiment;

import java.util.List;
import java.util.Objects;
import lore.PreferenceData;

/**
 * What the two splitters of one user-pairs dataset share: the pairs, the name, the fractions of
 * unseen users and of test data, the cap on training pairs, and the ids of the item table's rows.
 */
abstract sealed class UserPairsDataset implements ExperimentDataset
    permits ItemSplitDataset, PairSplitDataset {
  final PreferenceData data;
  final String name;
  final double unseenFraction;
  final double testFraction;
  final int maxTrainPairs;
  final List<String> itemIds;

  UserPairsDataset(
      PreferenceData data,
      String name,
      double unseenFraction,
      double testFraction,
      int maxTrainPairs,
      List<String> itemIds) {
    this.data = Objects.requireNonNull(data, "data");
    this.name = Objects.requireNonNull(name, "name");
    Splits.checkFraction("unseen fraction", unseenFraction);
    Splits.checkFraction("test fraction", testFraction);
    if (maxTrainPairs < 0) {
      throw new IllegalArgumentException("max train pairs must be >= 0, got " + maxTrainPairs);
    }
    if (data.userCount() < 2) {
      throw new IllegalArgumentException("need at least 2 users, got " + data.userCount());
    }
    if (itemIds != null && itemIds.size() != data.itemCount()) {
      throw new IllegalArgumentException(
          itemIds.size() + " item ids for an item table of " + data.itemCount() + " rows");
    }
    this.unseenFraction = unseenFraction;
    this.testFraction = testFraction;
    this.maxTrainPairs = maxTrainPairs;
    this.itemIds = itemIds == null ? null : List.copyOf(itemIds);
  }

  @Override
  public List<String> itemIds() {
    return itemIds;
  }

  /** "all", or the cap on training pairs, for descriptions. */
  String trainPairsCap() {
    return maxTrainPairs == 0 ? "all" : Integer.toString(maxTrainPairs);
  }
}
