package lore.experiment;

import java.util.List;
import java.util.Objects;

/**
 * Rank selection of one {@link RankedMethod} on one split: the family is trained at each rank of
 * the grid on the seen users' training pairs minus held-out prompts (items), scored on the held-out
 * pairs, and the best rank is kept (the smallest one on ties).
 *
 * @param split split number
 * @param method family name
 * @param ranks the grid, ascending
 * @param validationAccuracy mean over validation users of per-user accuracy, per rank
 * @param chosen the selected rank
 * @param validationUsers users in the validation set
 */
public record RankResult(
    int split,
    String method,
    List<Integer> ranks,
    List<Double> validationAccuracy,
    int chosen,
    int validationUsers) {

  /** Copies the lists; checks they have the same length. */
  public RankResult {
    Objects.requireNonNull(method, "method");
    ranks = List.copyOf(ranks);
    validationAccuracy = List.copyOf(validationAccuracy);
    if (ranks.size() != validationAccuracy.size()) {
      throw new IllegalArgumentException(
          ranks.size() + " ranks but " + validationAccuracy.size() + " accuracies");
    }
  }
}
