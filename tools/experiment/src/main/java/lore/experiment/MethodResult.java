package lore.experiment;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One method's outcome on one split: one line of the results file.
 *
 * @param split split number, from 0
 * @param method method name
 * @param rank the rank chosen by validation for a {@link RankedMethod}, 0 for other methods
 * @param parameterCount learned parameters after training and adaptation ({@link
 *     PreferenceMethod.Trained#parameterCount()})
 * @param fewShot k of the main table (pairs per unseen user, fewer for users with fewer)
 * @param seen seen users on their test pairs
 * @param unseen unseen users on their test pairs, adapted from {@code fewShot} pairs each
 * @param overall every seen and unseen user (one pool of users, unweighted)
 * @param fewShotCurve unseen users' mean accuracy after re-adapting with k pairs each, by k
 * @param trainSeconds wall time of {@link PreferenceMethod#train}
 * @param adaptSeconds wall time of the adaptation with {@code fewShot} pairs
 * @param selection what the method chose for itself ({@link PreferenceMethod.Trained#selection()}),
 *     or empty
 * @param perUser each user's accuracy, the seen users then the unseen ones in the split's order
 *     (the same users in the same order for every method of a split), for per-user comparisons;
 *     empty in results files written before it was recorded
 * @param selectionScores the candidates of the method's own selection with their cross-validation
 *     accuracy ({@link PreferenceMethod.Trained#selectionScores()}), or empty
 */
public record MethodResult(
    int split,
    String method,
    int rank,
    long parameterCount,
    int fewShot,
    Accuracy seen,
    Accuracy unseen,
    Accuracy overall,
    SortedMap<Integer, Double> fewShotCurve,
    double trainSeconds,
    double adaptSeconds,
    String selection,
    List<Double> perUser,
    List<CvScore> selectionScores) {

  /** Copies the curve into an unmodifiable map. */
  public MethodResult {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(seen, "seen");
    Objects.requireNonNull(unseen, "unseen");
    Objects.requireNonNull(overall, "overall");
    selection = selection == null ? "" : selection;
    perUser = perUser == null ? List.of() : List.copyOf(perUser);
    selectionScores = selectionScores == null ? List.of() : List.copyOf(selectionScores);
    fewShotCurve = Collections.unmodifiableSortedMap(new TreeMap<>(fewShotCurve));
  }
}
