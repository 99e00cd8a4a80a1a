package lore.datasets;

import it.unimi.dsi.fastutil.floats.FloatArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Per-user ratings {@code (user, item, score)} over a fixed item set, grouped by user in order of
 * first appearance. Items are rows of an item table.
 */
public final class Ratings {
  /** A decimal number, optionally signed, with an optional exponent: -7.82, 4, .5, 1e-3. */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  /** Spelled-out non-finite values, reported as such rather than as not a number. */
  private static final Pattern NON_FINITE = Pattern.compile("[+-]?(?:NaN|Infinity)");

  /** Header names of the user column, in order of preference. */
  static final String[] USER_COLUMNS = {
    "user", "user_id", "userId", "worker_id", "annotator", "annotator_id", "rater", "rater_id"
  };

  /** Header names of the item column. */
  static final String[] ITEM_COLUMNS = {
    "item", "item_id", "itemId", "joke_id", "movieId", "text_id"
  };

  /** Header names of the score column. */
  static final String[] SCORE_COLUMNS = {"score", "rating"};

  private final List<String> users;
  private final int[] offsets;
  private final int[] items;
  private final float[] scores;

  private Ratings(List<String> users, int[] offsets, int[] items, float[] scores) {
    this.users = users;
    this.offsets = offsets;
    this.items = items;
    this.scores = scores;
  }

  /** Number of users. */
  public int userCount() {
    return users.size();
  }

  /** Number of ratings. */
  public int size() {
    return items.length;
  }

  /** Id of user {@code u}. */
  public String userId(int u) {
    return users.get(u);
  }

  /** First rating of user {@code u}. */
  public int start(int u) {
    return offsets[u];
  }

  /** One past the last rating of user {@code u}. */
  public int end(int u) {
    return offsets[u + 1];
  }

  /** Item row of rating {@code r}. */
  public int item(int r) {
    return items[r];
  }

  /** Score of rating {@code r}. */
  public float score(int r) {
    return scores[r];
  }

  /**
   * Reads a ratings CSV/TSV with a header. Columns: user ({@code user}, {@code user_id}, {@code
   * userId}, {@code worker_id}, {@code annotator}, {@code annotator_id}, {@code rater}, {@code
   * rater_id}), item ({@code item}, {@code item_id}, {@code itemId}, {@code joke_id}, {@code
   * movieId}, {@code text_id}) and score ({@code score}, {@code rating}); others are ignored.
   * Tab-separated when the file name ends in {@code .tsv}, else comma-separated; strict UTF-8.
   *
   * @param itemIndex item id to item row
   * @throws IOException naming {@code source:line} for a short row, an unknown item id, a score
   *     that is not a finite decimal number, bytes that are not UTF-8, or a second rating of the
   *     same item by the same user
   */
  public static Ratings read(Path file, Map<String, Integer> itemIndex) throws IOException {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r, name.endsWith(".tsv") ? '\t' : ',', file.toString(), itemIndex);
    }
  }

  /**
   * Reads a ratings CSV/TSV as {@link #read(Path, Map)} does, from {@code in} with separator {@code
   * sep}; messages name {@code source}.
   */
  public static Ratings read(Reader in, char sep, String source, Map<String, Integer> itemIndex)
      throws IOException {
    Map<String, Integer> userIndex = new HashMap<>();
    List<String> users = new ArrayList<>();
    IntArrayList user = new IntArrayList();
    IntArrayList item = new IntArrayList();
    FloatArrayList score = new FloatArrayList();
    Long2IntOpenHashMap seen = new Long2IntOpenHashMap();
    seen.defaultReturnValue(-1);
    try (Csv csv = new Csv(in, sep, source)) {
      Map<String, Integer> h = csv.header();
      int cu = Csv.column(h, source, "user", USER_COLUMNS);
      int ci = Csv.column(h, source, "item", ITEM_COLUMNS);
      int cs = Csv.column(h, source, "score", SCORE_COLUMNS);
      for (List<String> r = csv.next(); r != null; r = csv.next()) {
        String uid = csv.field(r, cu);
        if (uid.isEmpty()) {
          throw new IOException(csv.where() + ": empty user id");
        }
        String iid = csv.field(r, ci);
        Integer row = itemIndex.get(iid);
        if (row == null) {
          throw new IOException(
              csv.where()
                  + ": unknown item id '"
                  + Csv.abbreviate(iid)
                  + "' (not in the item table of "
                  + itemIndex.size()
                  + " items)");
        }
        String sv = csv.field(r, cs);
        // a decimal only: Float.parseFloat would also take 3.5f, 0x1p3 and other Java syntax
        if (!DECIMAL.matcher(sv).matches() && !NON_FINITE.matcher(sv).matches()) {
          throw new IOException(
              csv.where()
                  + ": score '"
                  + Csv.abbreviate(sv)
                  + "' is not a number (expected a decimal such as 4.5 or -7.82)");
        }
        float s = Float.parseFloat(sv);
        if (!Float.isFinite(s)) {
          throw new IOException(csv.where() + ": score " + sv + " is not finite");
        }
        int u =
            userIndex.computeIfAbsent(
                uid,
                k -> {
                  users.add(k);
                  return users.size() - 1;
                });
        int prev = seen.putIfAbsent(((long) u << 32) | row, csv.line());
        if (prev >= 0) {
          throw new IOException(
              csv.where()
                  + ": user '"
                  + uid
                  + "' rates item '"
                  + iid
                  + "' again (first on line "
                  + prev
                  + ")");
        }
        user.add(u);
        item.add(row.intValue());
        score.add(s);
      }
    }
    if (user.isEmpty()) {
      throw new IOException(source + ": no ratings after the header");
    }
    return group(users, user, item, score);
  }

  private static Ratings group(
      List<String> users, IntArrayList user, IntArrayList item, FloatArrayList score) {
    int[] off = new int[users.size() + 1];
    for (int i = 0; i < user.size(); i++) {
      off[user.getInt(i) + 1]++;
    }
    for (int u = 0; u < users.size(); u++) {
      off[u + 1] += off[u];
    }
    int[] next = off.clone();
    int[] it = new int[user.size()];
    float[] sc = new float[user.size()];
    for (int i = 0; i < user.size(); i++) {
      int at = next[user.getInt(i)]++;
      it[at] = item.getInt(i);
      sc[at] = score.getFloat(i);
    }
    return new Ratings(List.copyOf(users), off, it, sc);
  }
}
