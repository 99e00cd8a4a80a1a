package lore.experiment;

import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import lore.PreferenceData;

/** Group-disjoint hold-out of pairs, shared by the datasets. */
final class Splits {
  private Splits() {}

  /** Two disjoint parts of a dataset; both null when one of them would be empty. */
  record Parts(PreferenceData rest, PreferenceData heldOut) {}

  /**
   * Holds out a random {@code fraction} of the groups (prompts, or items) that {@code data}'s pairs
   * reference: {@code heldOut} gets the pairs whose two items are both in held-out groups, {@code
   * rest} those with both outside; pairs across the two are dropped. Users of {@code heldOut}
   * without a pair in {@code rest} are dropped too, so every held-out user is known after training
   * on {@code rest}. Returns two nulls when either part would be empty.
   *
   * @param groupOf group of an item (the identity for item-level disjointness)
   */
  static Parts holdOut(
      PreferenceData data, IntUnaryOperator groupOf, double fraction, SplittableRandom rnd) {
    boolean[] held = pickGroups(data, groupOf, fraction, rnd);
    PreferenceData.Builder rest = PreferenceData.builder(data);
    PreferenceData.Builder out = PreferenceData.builder(data);
    boolean[] hasRest = new boolean[data.userCount()];
    for (int u = 0; u < data.userCount(); u++) {
      for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
        boolean c = held[groupOf.applyAsInt(data.chosen(p))];
        boolean r = held[groupOf.applyAsInt(data.rejected(p))];
        if (!c && !r) {
          rest.add(data.userId(u), data.chosen(p), data.rejected(p));
          hasRest[u] = true;
        }
      }
    }
    for (int u = 0; u < data.userCount(); u++) {
      for (int p = data.pairStart(u); hasRest[u] && p < data.pairEnd(u); p++) {
        boolean c = held[groupOf.applyAsInt(data.chosen(p))];
        boolean r = held[groupOf.applyAsInt(data.rejected(p))];
        if (c && r) {
          out.add(data.userId(u), data.chosen(p), data.rejected(p));
        }
      }
    }
    if (rest.size() == 0 || out.size() == 0) {
      return new Parts(null, null);
    }
    return new Parts(rest.build(), out.build());
  }

  /**
   * Marks a random {@code fraction} of the groups referenced by {@code data} (at least one, and at
   * least one left over when two or more are referenced). Indexed by group id.
   */
  static boolean[] pickGroups(
      PreferenceData data, IntUnaryOperator groupOf, double fraction, SplittableRandom rnd) {
    int maxGroup = 0;
    for (int i = 0; i < data.itemCount(); i++) {
      maxGroup = Math.max(maxGroup, groupOf.applyAsInt(i));
    }
    boolean[] used = new boolean[maxGroup + 1];
    for (int p = 0; p < data.pairCount(); p++) {
      used[groupOf.applyAsInt(data.chosen(p))] = true;
      used[groupOf.applyAsInt(data.rejected(p))] = true;
    }
    int n = 0;
    int[] groups = new int[used.length];
    for (int g = 0; g < used.length; g++) {
      if (used[g]) {
        groups[n++] = g;
      }
    }
    shuffle(groups, n, rnd);
    int take = (int) Math.round(fraction * n);
    take = Math.max(1, Math.min(take, n - 1 < 1 ? 1 : n - 1));
    boolean[] held = new boolean[used.length];
    for (int i = 0; i < take; i++) {
      held[groups[i]] = true;
    }
    return held;
  }

  /**
   * Marks {@code round(fraction * users)} random users as unseen (at least one, and at least one
   * seen user left), by a Fisher-Yates shuffle drawn from {@code rnd}.
   */
  static boolean[] unseenUsers(int users, double fraction, SplittableRandom rnd) {
    int[] order = new int[users];
    for (int u = 0; u < users; u++) {
      order[u] = u;
    }
    shuffle(order, users, rnd);
    int count = Math.max(1, Math.min(users - 1, (int) Math.round(fraction * users)));
    boolean[] unseen = new boolean[users];
    for (int i = 0; i < count; i++) {
      unseen[order[i]] = true;
    }
    return unseen;
  }

  /** Fisher-Yates over the first n entries. */
  static void shuffle(int[] a, int n, SplittableRandom rnd) {
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  static void checkFraction(String name, double f) {
    if (!(f > 0 && f < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), got " + f);
    }
  }
}
