package lore.datasets;

/**
 * One user's comparisons: {@code chosen[i]} was preferred to {@code rejected[i]} (item rows).
 *
 * @param user the user id
 * @param chosen item rows, same length as {@code rejected}
 * @param rejected item rows
 */
public record UserPairs(String user, int[] chosen, int[] rejected) {
  /** Checks the lengths. */
  public UserPairs {
    if (chosen.length != rejected.length) {
      throw new IllegalArgumentException(
          chosen.length + " chosen for " + rejected.length + " rejected items");
    }
  }

  /** Number of pairs. */
  public int size() {
    return chosen.length;
  }

  /** Pairs {@code [from, to)}. */
  public UserPairs slice(int from, int to) {
    return new UserPairs(
        user,
        java.util.Arrays.copyOfRange(chosen, from, to),
        java.util.Arrays.copyOfRange(rejected, from, to));
  }
}
