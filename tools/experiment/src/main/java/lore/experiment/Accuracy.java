package lore.experiment;

/**
 * Accuracy of one method on one split over a group of users: the unweighted mean over users of
 * their per-user accuracy, and the sample std over users (no shrink factor).
 *
 * @param users number of users
 * @param mean mean over users of per-user accuracy, in [0, 1]
 * @param std sample std over users (n - 1), NaN for fewer than two users
 */
public record Accuracy(int users, double mean, double std) {

  /** From per-user accuracies. */
  public static Accuracy of(double[] perUser) {
    return new Accuracy(perUser.length, Metrics.mean(perUser), Metrics.std(perUser));
  }
}
