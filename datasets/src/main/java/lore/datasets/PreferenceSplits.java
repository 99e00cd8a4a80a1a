package lore.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import lore.PreferenceData;

/**
 * A data set read into engine inputs: one item table and named splits of comparisons over it (for
 * the paper layouts {@code train}, {@code fewshot}, {@code test-seen}, {@code test-unseen}; for a
 * comparisons file its own split names), plus every user id and, where the layout has one, a
 * reference reward per item (PersonalLLM: the mean of the ten reward-model scores).
 *
 * <p>On disk (the canonical layout, {@link #write}): {@code items.npy} (float32) with {@code
 * items.ids.txt}, and one {@link PairsCsv} file {@code <split>.csv} per split.
 *
 * @param items the n x d item table shared by every split
 * @param splits split name to comparisons, in a stable order; every split uses {@code items}
 * @param users all user ids, in order of first appearance
 * @param refRewards n reference rewards (item row order), or null if the layout has none
 */
public record PreferenceSplits(
    ItemTable items, Map<String, PreferenceData> splits, List<String> users, float[] refRewards) {
  /** The canonical split names of the seen/unseen protocol. */
  public static final List<String> PROTOCOL_SPLITS =
      List.of("train", "fewshot", "test-seen", "test-unseen");

  /** Copies the map (keeping its order) and the user list. */
  public PreferenceSplits {
    Objects.requireNonNull(items, "items");
    splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    users = List.copyOf(users);
    if (splits.isEmpty()) {
      throw new IllegalArgumentException("no split with comparisons");
    }
    for (Map.Entry<String, PreferenceData> e : splits.entrySet()) {
      checkSplitName(e.getKey());
      if (e.getValue().itemCount() != items.rows() || e.getValue().dim() != items.cols()) {
        throw new IllegalArgumentException(
            "split "
                + e.getKey()
                + " is over "
                + e.getValue().itemCount()
                + " x "
                + e.getValue().dim()
                + " items, the table is "
                + items.rows()
                + " x "
                + items.cols());
      }
    }
    if (refRewards != null && refRewards.length != items.rows()) {
      throw new IllegalArgumentException(
          refRewards.length + " reference rewards for " + items.rows() + " items");
    }
  }

  /** The four sets of the seen/unseen protocol, under {@link #PROTOCOL_SPLITS}. */
  public static PreferenceSplits of(
      ItemTable items,
      PreferenceData train,
      PreferenceData fewShot,
      PreferenceData testSeen,
      PreferenceData testUnseen,
      float[] refRewards) {
    Map<String, PreferenceData> m = new LinkedHashMap<>();
    m.put("train", train);
    m.put("fewshot", fewShot);
    m.put("test-seen", testSeen);
    m.put("test-unseen", testUnseen);
    return new PreferenceSplits(items, m, usersOf(m.values()), refRewards);
  }

  /** Distinct user ids of {@code data}, in order of first appearance. */
  static List<String> usersOf(Iterable<PreferenceData> data) {
    Set<String> s = new LinkedHashSet<>();
    for (PreferenceData d : data) {
      for (int u = 0; u < d.userCount(); u++) {
        s.add(d.userId(u));
      }
    }
    return new ArrayList<>(s);
  }

  /** Number of comparisons over all splits. */
  public long pairCount() {
    long n = 0;
    for (PreferenceData d : splits.values()) {
      n += d.pairCount();
    }
    return n;
  }

  /** The files {@link #write} writes into {@code dir}, in its order. */
  public List<Path> files(Path dir) {
    List<Path> out = new ArrayList<>();
    Path table = dir.resolve("items.npy");
    out.add(table);
    out.add(ItemTable.idsFileFor(table));
    for (String split : splits.keySet()) {
      out.add(dir.resolve(split + ".csv"));
    }
    if (refRewards != null) {
      out.add(dir.resolve("ref.npy"));
    }
    return out;
  }

  /**
   * Writes the canonical layout into {@code dir} (created if needed): {@code items.npy} float32,
   * {@code items.ids.txt}, {@code <split>.csv} per split, and {@code ref.npy} (n x 1) if there are
   * reference rewards. Each file is replaced atomically; the set is not. Blocking I/O.
   *
   * @param progress told after each file ({@code task "write"})
   * @return the files written
   * @throws IllegalArgumentException if a user id cannot be written to a {@link PairsCsv} file
   */
  public List<Path> write(Path dir, ProgressListener progress) throws IOException {
    for (PreferenceData d : splits.values()) {
      for (int u = 0; u < d.userCount(); u++) {
        PairsCsv.checkUserId(d.userId(u));
      }
    }
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    int total = splits.size() + 1 + (refRewards != null ? 1 : 0);
    progress.onProgress("write", 0, total);
    Path table = dir.resolve("items.npy");
    items.write(table, ItemTable.idsFileFor(table));
    out.add(table);
    out.add(ItemTable.idsFileFor(table));
    progress.onProgress("write", 1, total);
    for (Map.Entry<String, PreferenceData> e : splits.entrySet()) {
      Path f = dir.resolve(e.getKey() + ".csv");
      // by id, so that the pairs stay right whatever the ids file says; by row when an id cannot
      // be written unquoted (the explicit header keeps that unambiguous too)
      PairsCsv.write(f, e.getValue(), PairsCsv.canWrite(items.ids()) ? items.ids() : null);
      out.add(f);
      progress.onProgress("write", out.size() - 1, total);
    }
    if (refRewards != null) {
      Path f = dir.resolve("ref.npy");
      Npy.writeFloat32(f, refRewards, refRewards.length, 1);
      out.add(f);
      progress.onProgress("write", total, total);
    }
    return out;
  }

  private static void checkSplitName(String name) {
    if (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+") || name.startsWith(".")) {
      throw new IllegalArgumentException(
          "split name '" + name + "' must be letters, digits, '_', '-' or '.' (it names a file)");
    }
    if (name.equals("items") || name.equals("ref")) {
      throw new IllegalArgumentException("split name '" + name + "' is reserved");
    }
  }
}
