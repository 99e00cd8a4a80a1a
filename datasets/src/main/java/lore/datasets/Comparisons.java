package lore.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import lore.PreferenceData;

/**
 * Pairwise comparisons as read from a file, before they meet an item table: each has a user, a
 * chosen and a rejected item, a split name and optionally a prompt. Items are either <em>ids</em>
 * (checked against an {@link ItemTable}'s ids while reading) or <em>inline texts</em> (collected,
 * deduplicated by content, into {@link #itemTexts()} to embed with a {@link TextEmbedder}; the id
 * of a text item is the SHA-256 hex of its UTF-8 bytes, {@link TextEmbeddings#hash}).
 *
 * <p>Files: CSV ({@code .csv}), TSV ({@code .tsv}, {@code .tab}) with a header, or JSON lines
 * ({@code .jsonl}, {@code .ndjson}, {@code .json}; dotted field paths such as {@code info.post});
 * {@code .gz} variants are decompressed. Column names default to {@code user}, {@code chosen},
 * {@code rejected}, {@code split} and {@code prompt}; split and prompt are optional (without a
 * split every comparison is in split {@link #NO_SPLIT}).
 *
 * <p>Immutable; reading is blocking I/O.
 */
public final class Comparisons {
  /** The split of comparisons whose file has no split column. */
  public static final String NO_SPLIT = "all";

  /**
   * Column (CSV/TSV header) or field (JSON lines, dotted path) names.
   *
   * @param user the user id
   * @param chosen the preferred item (id or text)
   * @param rejected the other item (id or text)
   * @param split the split name; optional when it is the default {@code split}
   * @param prompt the prompt; optional when it is the default {@code prompt}
   */
  public record Columns(String user, String chosen, String rejected, String split, String prompt) {
    /** {@code user, chosen, rejected, split, prompt}. */
    public static final Columns DEFAULT =
        new Columns("user", "chosen", "rejected", "split", "prompt");

    /** Null fields take the default name. */
    public Columns {
      user = Objects.requireNonNullElse(user, "user");
      chosen = Objects.requireNonNullElse(chosen, "chosen");
      rejected = Objects.requireNonNullElse(rejected, "rejected");
      split = Objects.requireNonNullElse(split, "split");
      prompt = Objects.requireNonNullElse(prompt, "prompt");
    }
  }

  private final boolean text;
  private final List<String> itemIds; // distinct, in order of first use
  private final List<String> texts; // text mode: the text of each item id; else null
  private final String[] users;
  private final int[] chosen;
  private final int[] rejected;
  private final String[] splits;
  private final String[] prompts; // null entries: no prompt

  private Comparisons(Builder b) {
    this.text = b.text;
    this.itemIds = List.copyOf(b.itemIds);
    this.texts = b.text ? List.copyOf(b.texts) : null;
    this.users = b.users.toArray(String[]::new);
    this.chosen = b.chosen.toIntArray();
    this.rejected = b.rejected.toIntArray();
    this.splits = b.splits.toArray(String[]::new);
    this.prompts = b.prompts.toArray(String[]::new);
  }

  /**
   * Reads comparisons.
   *
   * @param columns column or field names ({@link Columns#DEFAULT})
   * @param itemIndex item id to row of an item table (ids), or null if items are inline texts
   * @throws IOException naming {@code file:line} for a malformed row (a JSON line with a repeated
   *     key or anything after its object included), bytes that are not UTF-8, a missing column or
   *     field, an empty user id or split, an unknown item id, or chosen == rejected; or naming the
   *     file if it has no comparison
   */
  public static Comparisons read(Path file, Columns columns, Map<String, Integer> itemIndex)
      throws IOException {
    Builder b = new Builder(itemIndex);
    String src = file.toString();
    try (BufferedReader in = open(file)) {
      if (JsonLines.isJsonLines(file)) {
        JsonLines.forEach(
            in,
            src,
            (node, line) -> {
              String where = src + ":" + line;
              String split = optionalText(node, columns.split(), "split", file, line);
              String prompt = optionalText(node, columns.prompt(), "prompt", file, line);
              b.add(
                  where,
                  JsonLines.text(node, columns.user(), file, line),
                  JsonLines.text(node, columns.chosen(), file, line),
                  JsonLines.text(node, columns.rejected(), file, line),
                  split == null ? NO_SPLIT : split,
                  prompt);
            });
      } else {
        String name = file.getFileName().toString();
        try (Csv csv = new Csv(in, Csv.separatorFor(name), src)) {
          Map<String, Integer> h = csv.header();
          int cu = Csv.column(h, src, "user", columns.user());
          int cc = Csv.column(h, src, "chosen", columns.chosen());
          int cr = Csv.column(h, src, "rejected", columns.rejected());
          int cs = optionalColumn(h, src, "split", columns.split());
          int cp = optionalColumn(h, src, "prompt", columns.prompt());
          for (List<String> r = csv.next(); r != null; r = csv.next()) {
            b.add(
                csv.where(),
                csv.field(r, cu),
                csv.field(r, cc),
                csv.field(r, cr),
                cs < 0 ? NO_SPLIT : csv.field(r, cs),
                cp < 0 ? null : csv.field(r, cp));
          }
        }
      }
    }
    if (b.users.isEmpty()) {
      throw new IOException(src + ": no comparisons");
    }
    return b.build();
  }

  /** A strict UTF-8 reader, through gunzip for {@code .gz}. */
  static BufferedReader open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    // malformed UTF-8 is an error naming file and line, not a silent U+FFFD in an id or a text
    return new BufferedReader(new InputStreamReader(in, Csv.strictUtf8()), 1 << 16);
  }

  private static int optionalColumn(Map<String, Integer> h, String src, String role, String name)
      throws IOException {
    boolean isDefault = name.equals(role);
    return isDefault ? Csv.optionalColumn(h, name) : Csv.column(h, src, role, name);
  }

  private static String optionalText(JsonNode node, String path, String role, Path file, int line)
      throws IOException {
    JsonNode n = JsonLines.at(node, path);
    if ((n == null || n.isNull() || n.isMissingNode()) && path.equals(role)) {
      return null;
    }
    return JsonLines.text(node, path, file, line);
  }

  /** True if items are inline texts (to embed), false if they are ids of an item table. */
  public boolean hasTextItems() {
    return text;
  }

  /**
   * The distinct item texts to embed, with their content-hash ids.
   *
   * @throws IllegalStateException if the items are ids
   */
  public ItemTexts itemTexts() {
    if (!text) {
      throw new IllegalStateException("these comparisons refer to item ids, not texts");
    }
    return new ItemTexts(itemIds, texts);
  }

  /** Distinct item ids (or content-hash ids of texts), in order of first use. */
  public List<String> itemIds() {
    return itemIds;
  }

  /** Number of comparisons. */
  public int size() {
    return users.length;
  }

  /** The user of comparison {@code p}. */
  public String user(int p) {
    return users[p];
  }

  /** The chosen item of comparison {@code p}, an index into {@link #itemIds()}. */
  public int chosen(int p) {
    return chosen[p];
  }

  /** The rejected item of comparison {@code p}, an index into {@link #itemIds()}. */
  public int rejected(int p) {
    return rejected[p];
  }

  /** The split of comparison {@code p}. */
  public String split(int p) {
    return splits[p];
  }

  /** The prompt of comparison {@code p}, or null. */
  public String prompt(int p) {
    return prompts[p];
  }

  /** Distinct split names in order of first appearance. */
  public List<String> splitNames() {
    return List.copyOf(new LinkedHashSet<>(List.of(splits)));
  }

  /** Distinct users in order of first appearance. */
  public List<String> users() {
    return List.copyOf(new LinkedHashSet<>(List.of(users)));
  }

  /**
   * The comparisons of one split (null: all) per user, users in order of first appearance, items as
   * rows of {@code table} (see {@link #rows}).
   */
  public List<UserPairs> byUser(String split, int[] rows) {
    Map<String, int[]> count = new LinkedHashMap<>();
    for (int p = 0; p < users.length; p++) {
      if (split == null || split.equals(splits[p])) {
        count.computeIfAbsent(users[p], k -> new int[1])[0]++;
      }
    }
    Map<String, UserPairs> out = new LinkedHashMap<>();
    Map<String, int[]> at = new HashMap<>();
    count.forEach(
        (u, c) -> {
          out.put(u, new UserPairs(u, new int[c[0]], new int[c[0]]));
          at.put(u, new int[1]);
        });
    for (int p = 0; p < users.length; p++) {
      if (split == null || split.equals(splits[p])) {
        UserPairs up = out.get(users[p]);
        int i = at.get(users[p])[0]++;
        up.chosen()[i] = rows[chosen[p]];
        up.rejected()[i] = rows[rejected[p]];
      }
    }
    return new ArrayList<>(out.values());
  }

  /**
   * The row of each of {@link #itemIds()} in {@code table}.
   *
   * @throws IOException naming the first item the table lacks (and its text, for text items)
   */
  public int[] rows(ItemTable table) throws IOException {
    Map<String, Integer> index = table.index();
    int[] rows = new int[itemIds.size()];
    for (int i = 0; i < rows.length; i++) {
      Integer r = index.get(itemIds.get(i));
      if (r == null) {
        throw new IOException(
            "the item table of "
                + table.rows()
                + " items has no row for "
                + (text
                    ? "item text '" + Csv.abbreviate(texts.get(i)) + "' (id " + itemIds.get(i) + ")"
                    : "item id '" + itemIds.get(i) + "'"));
      }
      rows[i] = r;
    }
    return rows;
  }

  /**
   * The comparisons over {@code table}, one {@link PreferenceData} per split. Allocates
   * O(comparisons); the table is shared.
   *
   * @throws IOException if the table lacks an item
   */
  public PreferenceSplits toSplits(ItemTable table) throws IOException {
    int[] rows = rows(table);
    float[] items = table.matrix().data();
    PreferenceData first = null;
    Map<String, PreferenceData> out = new LinkedHashMap<>();
    for (String s : splitNames()) {
      PreferenceData.Builder b =
          first == null
              ? PreferenceData.builder(items, table.rows(), table.cols())
              : PreferenceData.builder(first);
      for (int p = 0; p < users.length; p++) {
        if (s.equals(splits[p])) {
          b.add(users[p], rows[chosen[p]], rows[rejected[p]]);
        }
      }
      PreferenceData d = b.build();
      first = first == null ? d : first;
      out.put(s, d);
    }
    return new PreferenceSplits(table, out, users(), null);
  }

  /**
   * Embeds the item texts ({@link TextEmbeddings#embed}): an item table whose ids are the texts'
   * content hashes, for {@link #toSplits}. Allocates texts x d floats.
   *
   * @throws IllegalStateException if the items are ids
   */
  public ItemTable embed(TextEmbedder embedder, Path cacheDir, int batchSize, ProgressListener p)
      throws IOException {
    ItemTexts t = itemTexts();
    float[] v = TextEmbeddings.embed(embedder, t.texts(), cacheDir, batchSize, p);
    return new ItemTable(new Npy.Matrix(v, t.ids().size(), embedder.dim()), t.ids());
  }

  /**
   * The same comparisons with each text item replaced by {@code prompt + "\n\n" + text} (the paper
   * embeds the prompt with the response); comparisons without a prompt keep the text.
   *
   * @throws IllegalStateException if the items are ids
   */
  public Comparisons withPromptInText() {
    itemTexts();
    Builder b = new Builder(null);
    for (int p = 0; p < users.length; p++) {
      String pre = prompts[p] == null || prompts[p].isEmpty() ? "" : prompts[p] + "\n\n";
      try {
        b.add(
            "comparison " + p,
            users[p],
            pre + texts.get(chosen[p]),
            pre + texts.get(rejected[p]),
            splits[p],
            prompts[p]);
      } catch (IOException e) {
        throw new IllegalStateException(e); // the texts were valid already
      }
    }
    return b.build();
  }

  /** Collects comparisons; items resolved against an index (ids) or deduplicated (texts). */
  static final class Builder {
    final boolean text;
    private final Map<String, Integer> index; // ids mode: the table's index
    private final Map<String, Integer> local = new HashMap<>(); // id or hash -> position
    final List<String> itemIds = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<String> users = new ArrayList<>();
    final IntArrayList chosen = new IntArrayList();
    final IntArrayList rejected = new IntArrayList();
    final List<String> splits = new ArrayList<>();
    final List<String> prompts = new ArrayList<>();

    /**
     * @param index item id to table row (ids mode), or null (text mode)
     */
    Builder(Map<String, Integer> index) {
      this.text = index == null;
      this.index = index;
    }

    /**
     * Adds one comparison.
     *
     * @param where {@code file:line} for messages
     * @throws IOException naming {@code where} for an empty user or split, an unknown id, or chosen
     *     == rejected
     */
    void add(String where, String user, String c, String r, String split, String prompt)
        throws IOException {
      if (user.isEmpty()) {
        throw new IOException(where + ": empty user id");
      }
      if (split.isEmpty()) {
        throw new IOException(where + ": empty split name");
      }
      if (c.equals(r)) {
        throw new IOException(
            where
                + ": chosen and rejected are the same "
                + (text ? "text" : "item")
                + " '"
                + Csv.abbreviate(c)
                + "'");
      }
      int ci = item(where, c, "chosen");
      int ri = item(where, r, "rejected");
      users.add(user);
      chosen.add(ci);
      rejected.add(ri);
      splits.add(split);
      prompts.add(prompt);
    }

    private int item(String where, String key, String role) throws IOException {
      String id;
      if (text) {
        id = TextEmbeddings.hash(key);
      } else {
        if (!index.containsKey(key)) {
          throw new IOException(
              where
                  + ": unknown "
                  + role
                  + " item id '"
                  + Csv.abbreviate(key)
                  + "' (not in the item table of "
                  + index.size()
                  + " items)");
        }
        id = key;
      }
      Integer at = local.get(id);
      if (at == null) {
        at = itemIds.size();
        local.put(id, at);
        itemIds.add(id);
        if (text) {
          texts.add(key);
        }
      }
      return at;
    }

    int size() {
      return users.size();
    }

    Comparisons build() {
      return new Comparisons(this);
    }
  }
}
