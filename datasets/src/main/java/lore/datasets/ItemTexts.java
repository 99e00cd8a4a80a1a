package lore.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Item texts to embed: ids and texts read from CSV, TSV, JSON lines or plain text (one text per
 * line, ids = line numbers from 0).
 *
 * @param ids distinct item ids
 * @param texts one text per id
 */
public record ItemTexts(List<String> ids, List<String> texts) {
  /** Copies both lists. */
  public ItemTexts {
    ids = List.copyOf(ids);
    texts = List.copyOf(texts);
    if (ids.size() != texts.size()) {
      throw new IllegalArgumentException(ids.size() + " ids for " + texts.size() + " texts");
    }
  }

  /**
   * Reads texts. For CSV/TSV/JSONL, {@code idColumn} (null: the first of {@code id}, {@code item},
   * {@code item_id}, {@code itemId}, {@code joke_id}, {@code movieId}, {@code text_id} present, any
   * case; JSON lines: {@code id}; else the row number) and {@code textColumn} (null: the first of
   * {@code text}, {@code content}, {@code body}, {@code sentence}, {@code document} present) name
   * the fields; {@code .txt} files take one text per line.
   *
   * @throws IOException for a malformed row, a missing column, an empty or duplicated id (naming
   *     the file and line)
   */
  public static ItemTexts read(Path file, String idColumn, String textColumn) throws IOException {
    return read(file, idColumn, textColumn, false);
  }

  /**
   * Reads texts that other files name by id, as {@link #read(Path, String, String)} with the
   * default columns, but an id column is required: a {@code .txt} file or a table without one is
   * refused rather than numbered by row.
   */
  public static ItemTexts readIdentified(Path file) throws IOException {
    return read(file, null, null, true);
  }

  /** Header names of the text column when none is given, in order of preference. */
  static final String[] TEXT_COLUMNS = {"text", "content", "body", "sentence", "document"};

  /**
   * Header names of the id column when none is given, in order of preference: {@code id}, then the
   * names a ratings file gives its item column ({@link Ratings#ITEM_COLUMNS}), which these ids
   * meet.
   */
  static final String[] ID_COLUMNS =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of("id"), java.util.Arrays.stream(Ratings.ITEM_COLUMNS))
          .toArray(String[]::new);

  private static ItemTexts read(Path file, String idColumn, String textColumn, boolean requireIds)
      throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    String[] textCols = textColumn != null ? new String[] {textColumn} : TEXT_COLUMNS;
    if (name.endsWith(".txt")) {
      if (requireIds) {
        throw new IOException(
            file
                + ": a .txt file has one text per line and no ids; give the texts as CSV, TSV or"
                + " JSON lines with an id column");
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        ids.add(Integer.toString(i));
        texts.add(lines.get(i));
      }
    } else if (JsonLines.isJsonLines(file)) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        JsonLines.forEach(
            in,
            file.toString(),
            (node, line) -> {
              String textCol = textCols[0];
              for (String c : textCols) {
                if (node.has(c)) {
                  textCol = c;
                  break;
                }
              }
              String text = JsonLines.text(node, textCol, file, line);
              String id =
                  idColumn == null && !node.has("id") && !requireIds
                      ? Integer.toString(ids.size())
                      : JsonLines.text(node, idColumn == null ? "id" : idColumn, file, line);
              add(ids, texts, seen, id, text, file + ":" + line);
            });
      }
    } else {
      try (Csv csv =
          new Csv(
              Files.newBufferedReader(file, StandardCharsets.UTF_8),
              Csv.separatorFor(name),
              file.toString())) {
        Map<String, Integer> h = csv.header();
        int t = Csv.column(h, file.toString(), "text", textCols);
        int id =
            idColumn != null
                ? Csv.column(h, file.toString(), "id", idColumn)
                : Csv.optionalColumn(h, ID_COLUMNS);
        if (id < 0 && requireIds) {
          throw new IOException(
              file
                  + ":1: no id column (expected one of "
                  + String.join(", ", ID_COLUMNS)
                  + "; header has "
                  + h.keySet()
                  + "): the ratings or pairs name items by id, and row numbers would pair them"
                  + " with the wrong texts");
        }
        for (List<String> r = csv.next(); r != null; r = csv.next()) {
          add(
              ids,
              texts,
              seen,
              id < 0 ? Integer.toString(ids.size()) : csv.field(r, id),
              csv.field(r, t),
              csv.where());
        }
      }
    }
    if (ids.isEmpty()) {
      throw new IOException(file + ": no texts");
    }
    return new ItemTexts(ids, texts);
  }

  private static void add(
      List<String> ids,
      List<String> texts,
      Map<String, Integer> seen,
      String id,
      String text,
      String where)
      throws IOException {
    if (id.isEmpty()) {
      throw new IOException(where + ": empty item id");
    }
    Integer prev = seen.putIfAbsent(id, ids.size());
    if (prev != null) {
      throw new IOException(where + ": duplicated item id '" + Csv.abbreviate(id) + "'");
    }
    ids.add(id);
    texts.add(text);
  }

  /**
   * Writes the texts as JSON lines {@code {"id": ..., "text": ...}} atomically, readable by {@link
   * #read} (and so by {@code lore embed}). Blocking I/O.
   */
  public void write(Path file) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      var o = JsonLines.JSON.createObjectNode();
      o.put("id", ids.get(i));
      o.put("text", texts.get(i));
      s.append(JsonLines.JSON.writeValueAsString(o)).append('\n');
    }
    AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
  }
}
