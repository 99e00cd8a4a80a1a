package lore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * A preference dataset: an item-embedding table (n x d floats, row-major) and pairwise comparisons
 * {@code (user, chosen item, rejected item)} that reference items by row index, grouped per user
 * (CSR offsets). Users have external string ids mapped to dense indices in order of first
 * appearance.
 *
 * <p>Immutable and thread-safe once built. The item table is <b>not copied</b> (it can be hundreds
 * of MB): the caller hands it over and must not modify it afterwards.
 */
public final class PreferenceData {
  private final float[] items;
  private final int itemCount;
  private final int dim;
  private final String[] userIds;
  private final HashMap<String, Integer> userIndex;
  private final int[] offsets; // userCount + 1
  private final int[] chosen;
  private final int[] rejected;

  private PreferenceData(
      float[] items,
      int itemCount,
      int dim,
      String[] userIds,
      int[] offsets,
      int[] chosen,
      int[] rejected) {
    this.items = items;
    this.itemCount = itemCount;
    this.dim = dim;
    this.userIds = userIds;
    this.offsets = offsets;
    this.chosen = chosen;
    this.rejected = rejected;
    this.userIndex = HashMap.newHashMap(userIds.length);
    for (int u = 0; u < userIds.length; u++) {
      userIndex.put(userIds[u], u);
    }
  }

  /**
   * Starts a dataset over an item table.
   *
   * @param items n x d row-major embeddings, handed over (not copied); every value must be finite
   * @param itemCount n, at least 1
   * @param dim d, at least 1
   * @throws IllegalArgumentException on a non-positive size, a length other than n*d, or a NaN or
   *     infinite value (the message names its item and column)
   */
  public static Builder builder(float[] items, int itemCount, int dim) {
    return new Builder(items, itemCount, dim, true);
  }

  /**
   * Starts a dataset over the same item table as {@code other} (not copied, not validated again):
   * for train, few-shot and test splits of one table. Allocates nothing large.
   */
  public static Builder builder(PreferenceData other) {
    return new Builder(other.items, other.itemCount, other.dim, false);
  }

  /** Embedding dimension d. */
  public int dim() {
    return dim;
  }

  /** Number of rows n of the item table. */
  public int itemCount() {
    return itemCount;
  }

  /** Number of users with at least one comparison. */
  public int userCount() {
    return userIds.length;
  }

  /** Number of comparisons over all users. */
  public int pairCount() {
    return chosen.length;
  }

  /** External id of dense user index u. */
  public String userId(int u) {
    return userIds[u];
  }

  /** Dense index of a user id, or -1 if the user has no comparisons here. */
  public int userIndex(String userId) {
    return userIndex.getOrDefault(userId, -1);
  }

  /** First pair index of user u; the user's pairs are {@code [pairStart(u), pairEnd(u))}. */
  public int pairStart(int u) {
    return offsets[u];
  }

  /** One past the last pair index of user u. */
  public int pairEnd(int u) {
    return offsets[u + 1];
  }

  /** Item index of the chosen item of pair p. */
  public int chosen(int p) {
    return chosen[p];
  }

  /** Item index of the rejected item of pair p. */
  public int rejected(int p) {
    return rejected[p];
  }

  /**
   * The item table itself (not a copy), n x d row-major. Callers must not modify it. Allocates
   * nothing.
   */
  public float[] items() {
    return items;
  }

  /** Row offset of item i in {@link #items()}: {@code i * dim}. */
  public int itemOffset(int i) {
    return i * dim;
  }

  /**
   * A dataset with the same item table and only the given users (by dense index), in that order.
   * Allocates O(pairs of those users).
   */
  public PreferenceData selectUsers(int[] users) {
    String[] ids = new String[users.length];
    int[] off = new int[users.length + 1];
    int total = 0;
    for (int i = 0; i < users.length; i++) {
      total += pairEnd(users[i]) - pairStart(users[i]);
    }
    int[] c = new int[total];
    int[] r = new int[total];
    int at = 0;
    for (int i = 0; i < users.length; i++) {
      int u = users[i];
      ids[i] = userIds[u];
      int n = pairEnd(u) - pairStart(u);
      System.arraycopy(chosen, pairStart(u), c, at, n);
      System.arraycopy(rejected, pairStart(u), r, at, n);
      at += n;
      off[i + 1] = at;
    }
    return new PreferenceData(items, itemCount, dim, ids, off, c, r);
  }

  @Override
  public String toString() {
    return "PreferenceData[items="
        + itemCount
        + " x "
        + dim
        + ", users="
        + userIds.length
        + ", pairs="
        + chosen.length
        + "]";
  }

  /**
   * Collects comparisons; not thread-safe. {@link #build()} groups them per user, keeping each
   * user's pairs in insertion order.
   */
  public static final class Builder {
    private final float[] items;
    private final int itemCount;
    private final int dim;
    private final HashMap<String, Integer> userIndex = new HashMap<>();
    private final List<String> userIds = new ArrayList<>();
    private int[] pairs = new int[3 * 64]; // user, chosen, rejected per comparison
    private int size;

    private Builder(float[] items, int itemCount, int dim, boolean validate) {
      Objects.requireNonNull(items, "items");
      if (itemCount < 1) {
        throw new IllegalArgumentException("item count must be at least 1, got " + itemCount);
      }
      if (dim < 1) {
        throw new IllegalArgumentException("embedding dim must be at least 1, got " + dim);
      }
      if ((long) itemCount * dim != items.length) {
        throw new IllegalArgumentException(
            "item table has "
                + items.length
                + " floats, expected "
                + itemCount
                + " x "
                + dim
                + " = "
                + ((long) itemCount * dim));
      }
      for (int i = 0; validate && i < items.length; i++) {
        if (!Float.isFinite(items[i])) {
          throw new IllegalArgumentException(
              "item "
                  + (i / dim)
                  + " has a non-finite value "
                  + items[i]
                  + " at column "
                  + (i % dim));
        }
      }
      this.items = items;
      this.itemCount = itemCount;
      this.dim = dim;
    }

    /**
     * Adds one comparison: {@code user} preferred item {@code chosen} over item {@code rejected}.
     *
     * @throws IllegalArgumentException on a null or empty user id, an item index outside [0, n), or
     *     chosen == rejected
     */
    public Builder add(String user, int chosen, int rejected) {
      if (user == null || user.isEmpty()) {
        throw new IllegalArgumentException("user id must be non-empty (pair " + size + ")");
      }
      checkItem(chosen, "chosen", user);
      checkItem(rejected, "rejected", user);
      if (chosen == rejected) {
        throw new IllegalArgumentException(
            "user " + user + ": chosen and rejected are the same item " + chosen);
      }
      Integer known = userIndex.get(user);
      int u = known != null ? known : userIds.size();
      if (known == null) {
        userIds.add(user);
        userIndex.put(user, u);
      }
      if (3 * size == pairs.length) {
        pairs = Arrays.copyOf(pairs, Math.multiplyExact(2, pairs.length));
      }
      pairs[3 * size] = u;
      pairs[3 * size + 1] = chosen;
      pairs[3 * size + 2] = rejected;
      size++;
      return this;
    }

    private void checkItem(int item, String role, String user) {
      if (item < 0 || item >= itemCount) {
        throw new IllegalArgumentException(
            "user " + user + ": " + role + " item " + item + " is outside [0, " + itemCount + ")");
      }
    }

    /** Number of comparisons added so far. */
    public int size() {
      return size;
    }

    /**
     * Groups the comparisons per user (a stable counting sort).
     *
     * @throws IllegalArgumentException if no comparison was added
     */
    public PreferenceData build() {
      int users = userIds.size();
      if (size == 0) {
        throw new IllegalArgumentException("a preference dataset needs at least one comparison");
      }
      int[] off = new int[users + 1];
      for (int p = 0; p < size; p++) {
        off[pairs[3 * p] + 1]++;
      }
      for (int u = 0; u < users; u++) {
        off[u + 1] += off[u];
      }
      int[] next = off.clone();
      int[] c = new int[size];
      int[] r = new int[size];
      for (int p = 0; p < size; p++) {
        int at = next[pairs[3 * p]]++;
        c[at] = pairs[3 * p + 1];
        r[at] = pairs[3 * p + 2];
      }
      return new PreferenceData(items, itemCount, dim, userIds.toArray(new String[0]), off, c, r);
    }
  }
}
