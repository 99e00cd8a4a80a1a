package lore.datasets;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lore.PreferenceData;

/**
 * Reads and writes pairwise comparisons as UTF-8 CSV: a header line, then one line per comparison
 * with a user id and two items. The header says how the items are named, so that ids and row
 * numbers are never confused:
 *
 * <ul>
 *   <li>{@code user,chosen_id,rejected_id}: by item id, the ids of the item table (its {@code
 *       .ids.txt} side file), e.g. {@code alice,joke-12,joke-40};
 *   <li>{@code user,chosen_row,rejected_row}: by row of the item table, from 0, e.g. {@code
 *       seen-0003,1277,1272};
 *   <li>{@code user,chosen,rejected} (the original header): rows, accepted only where rows and ids
 *       agree, i.e. when the table has no ids file or its ids are exactly {@code 0, 1, 2, ...};
 *       otherwise the file is refused with a message naming both headers.
 * </ul>
 *
 * No quoting: user ids (and item ids) must not contain commas, double quotes or line breaks. Empty
 * lines are skipped, CRLF line ends and a leading byte-order mark are accepted.
 *
 * <p>Blocking I/O; stateless and thread-safe.
 */
public final class PairsCsv {
  /** Items by row; ambiguous where the table has ids, so only read where rows and ids agree. */
  static final String HEADER = "user,chosen,rejected";

  /** Items by id of the item table. */
  public static final String HEADER_IDS = "user,chosen_id,rejected_id";

  /** Items by row of the item table, from 0. */
  public static final String HEADER_ROWS = "user,chosen_row,rejected_row";

  private PairsCsv() {}

  /**
   * Reads comparisons over an item table without ids (rows are named by their index), as {@link
   * #read(Path, ItemTable)}.
   */
  public static PreferenceData read(Path file, float[] items, int itemCount, int dim)
      throws IOException {
    return read(file, ItemTable.rowOrder(new Npy.Matrix(items, itemCount, dim)));
  }

  /**
   * Reads comparisons over an item table, resolving items by id or by row as the header says (see
   * the class comment). Allocates O(pairs + items); the embeddings are referenced, not copied.
   * Blocking I/O.
   *
   * @throws IOException if the file cannot be read, its header is none of the three, the original
   *     header is used over a table whose ids are not its row numbers, it has no comparison, bytes
   *     that are not UTF-8, or a line has other than 3 columns, a quote, an empty user id, an
   *     unknown item id, a row that is not an int in ASCII digits or is outside [0, rows), or
   *     chosen == rejected; the message starts with {@code file:line}
   * @throws IllegalArgumentException if the item table itself is invalid (see {@link
   *     PreferenceData#builder})
   */
  public static PreferenceData read(Path file, ItemTable items) throws IOException {
    Npy.Matrix m = items.matrix();
    PreferenceData.Builder builder = PreferenceData.builder(m.data(), m.rows(), m.cols());
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String source = file.toString();
      String header = Csv.readLine(in, source, 1);
      if (header != null && header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      Map<String, Integer> byId = itemNames(header, items.ids(), source);
      int lineNo = 1;
      for (String line = Csv.readLine(in, source, 2);
          line != null;
          line = Csv.readLine(in, source, lineNo + 1)) {
        lineNo++;
        Line l = parseLine(line, byId, m.rows(), source, lineNo);
        if (l != null) {
          builder.add(l.user(), l.chosen(), l.rejected());
        }
      }
      if (builder.size() == 0) {
        throw new IOException(file + ": no comparisons after the header");
      }
      return builder.build();
    }
  }

  /** One comparison of a file: the user and the item rows of the chosen and rejected items. */
  public record Line(String user, int chosen, int rejected) {}

  /**
   * How a file with this header names its items (see the class comment): the table's id index for
   * {@link #HEADER_IDS}, null for rows.
   *
   * @param header the first line, a leading byte-order mark removed; null for an empty file
   * @param ids the item table's ids ({@link ItemTable#ids}), or null for a table without ids
   * @param source the file name used in messages
   * @throws IOException for an unknown header, or the original header over a table whose ids are
   *     not its row numbers
   */
  public static Map<String, Integer> itemNames(String header, List<String> ids, String source)
      throws IOException {
    if (HEADER_IDS.equals(header)) {
      if (ids == null) {
        throw new IOException(
            source
                + ":1: the header '"
                + HEADER_IDS
                + "' names items by id, but the table has none");
      }
      return ItemTable.index(ids);
    }
    if (HEADER.equals(header) && ids != null && !rowsAreIds(ids)) {
      throw new IOException(
          source
              + ":1: the header '"
              + HEADER
              + "' names items by row, but the item table has ids that are not its row numbers"
              + " (first row: '"
              + abbreviate(ids.getFirst())
              + "'); say which the file holds with the header '"
              + HEADER_IDS
              + "' or '"
              + HEADER_ROWS
              + "'");
    }
    if (!HEADER.equals(header) && !HEADER_ROWS.equals(header)) {
      throw new IOException(
          source
              + ":1: expected the header '"
              + HEADER_IDS
              + "' (items by id) or '"
              + HEADER_ROWS
              + "' (items by row), got "
              + (header == null ? "an empty file" : "'" + abbreviate(header) + "'"));
    }
    return null;
  }

  /**
   * Parses one line after the header.
   *
   * @param byId from {@link #itemNames}
   * @param rows the item table's rows
   * @return the comparison, or null for an empty line
   * @throws IOException for other than 3 columns, a quote, an empty user id, an unknown item id, a
   *     row that is not an int in ASCII digits or is outside [0, rows), or chosen == rejected; the
   *     message starts with {@code source:lineNo}
   */
  public static Line parseLine(
      String line, Map<String, Integer> byId, int rows, String source, long lineNo)
      throws IOException {
    if (line.isEmpty()) {
      return null;
    }
    int c1 = line.indexOf(',');
    int c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    if (c2 < 0 || line.indexOf(',', c2 + 1) >= 0) {
      throw new IOException(
          source
              + ":"
              + lineNo
              + ": expected 3 columns (user,chosen,rejected), got "
              + columns(line)
              + ": '"
              + abbreviate(line)
              + "'");
    }
    String user = line.substring(0, c1);
    if (user.indexOf('"') >= 0) {
      throw new IOException(
          source + ":" + lineNo + ": quoted fields are not supported: '" + abbreviate(line) + "'");
    }
    int chosen = item(line.substring(c1 + 1, c2), "chosen", byId, source, lineNo);
    int rejected = item(line.substring(c2 + 1), "rejected", byId, source, lineNo);
    String where = source + ":" + lineNo + ": user " + user + ": ";
    if (user.isEmpty()) {
      throw new IOException(source + ":" + lineNo + ": user id must be non-empty");
    }
    for (int[] it : new int[][] {{chosen, 0}, {rejected, 1}}) {
      if (it[0] < 0 || it[0] >= rows) {
        throw new IOException(
            where
                + (it[1] == 0 ? "chosen" : "rejected")
                + " item "
                + it[0]
                + " is outside [0, "
                + rows
                + ")");
      }
    }
    if (chosen == rejected) {
      throw new IOException(where + "chosen and rejected are the same item " + chosen);
    }
    return new Line(user, chosen, rejected);
  }

  /**
   * Writes all comparisons of {@code data}, user by user, naming items by row ({@link
   * #HEADER_ROWS}), atomically (a temporary file in the same directory, then a move). Allocates
   * O(1) beyond a 64 KB buffer. Blocking I/O.
   *
   * @throws IllegalArgumentException if a user id contains a comma, a double quote or a line break
   *     (checked before anything is written)
   * @throws IOException if writing or the move fails
   */
  public static void write(Path file, PreferenceData data) throws IOException {
    write(file, data, null);
  }

  /**
   * Writes all comparisons of {@code data} naming items by id ({@link #HEADER_IDS}) when {@code
   * itemIds} is given (one id per row of the table), else by row ({@link #HEADER_ROWS}); see {@link
   * #write(Path, PreferenceData)}.
   *
   * @throws IllegalArgumentException if a user or item id contains a comma, a double quote or a
   *     line break, or the ids do not match the table's rows (checked before anything is written)
   */
  public static void write(Path file, PreferenceData data, List<String> itemIds)
      throws IOException {
    for (int u = 0; u < data.userCount(); u++) {
      checkUserId(data.userId(u));
    }
    if (itemIds != null) {
      if (itemIds.size() != data.itemCount()) {
        throw new IllegalArgumentException(
            itemIds.size() + " item ids for an item table of " + data.itemCount() + " rows");
      }
      for (String id : itemIds) {
        checkId(id, "item");
      }
    }
    AtomicFiles.write(
        file,
        ch -> {
          Writer out = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8), 1 << 16);
          out.write(itemIds != null ? HEADER_IDS : HEADER_ROWS);
          out.write('\n');
          StringBuilder line = new StringBuilder(64);
          for (int u = 0; u < data.userCount(); u++) {
            String id = data.userId(u);
            for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
              line.setLength(0);
              line.append(id)
                  .append(',')
                  .append(itemIds != null ? itemIds.get(data.chosen(p)) : data.chosen(p))
                  .append(',')
                  .append(itemIds != null ? itemIds.get(data.rejected(p)) : data.rejected(p))
                  .append('\n');
              out.append(line);
            }
          }
          out.flush(); // not close(): the channel is forced and closed by AtomicFiles
        });
  }

  /**
   * Checks that a user id can be written without quoting.
   *
   * @throws IllegalArgumentException naming the id and the offending character
   */
  /** Whether every id can be written unquoted (no comma, double quote or line break). */
  public static boolean canWrite(List<String> ids) {
    for (String id : ids) {
      if (id.isEmpty()
          || id.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
        return false;
      }
    }
    return true;
  }

  static void checkUserId(String id) {
    checkId(id, "user");
  }

  private static void checkId(String id, String what) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        throw new IllegalArgumentException(
            what
                + " id '"
                + id.replace("\n", "\\n").replace("\r", "\\r")
                + "' contains "
                + switch (c) {
                  case ',' -> "a comma";
                  case '"' -> "a double quote";
                  default -> "a line break";
                }
                + ", which this CSV format does not allow");
      }
    }
  }

  /** Whether the table's ids are its row numbers, so that the original header is unambiguous. */
  private static boolean rowsAreIds(List<String> ids) {
    for (int i = 0; i < ids.size(); i++) {
      if (!ids.get(i).equals(Integer.toString(i))) {
        return false;
      }
    }
    return true;
  }

  private static int item(
      String s, String role, Map<String, Integer> byId, String file, long lineNo)
      throws IOException {
    if (byId == null) {
      return parseIndex(s, role, file, lineNo);
    }
    Integer row = byId.get(s);
    if (row == null) {
      throw new IOException(
          file
              + ":"
              + lineNo
              + ": "
              + role
              + " item id '"
              + abbreviate(s)
              + "' is not in the item table's ids ("
              + byId.size()
              + " ids)");
    }
    return row;
  }

  private static int parseIndex(String s, String role, String file, long lineNo)
      throws IOException {
    // ASCII digits only: Integer.parseInt would also take '+1' and other scripts' digits
    boolean ok = !s.isEmpty() && s.length() <= 11;
    for (int i = 0; ok && i < s.length(); i++) {
      char c = s.charAt(i);
      ok = (c >= '0' && c <= '9') || (c == '-' && i == 0 && s.length() > 1);
    }
    try {
      if (ok) {
        return Integer.parseInt(s);
      }
    } catch (NumberFormatException e) {
      // out of int range: reported below
    }
    throw new IOException(
        file + ":" + lineNo + ": " + role + " item '" + abbreviate(s) + "' is not an integer");
  }

  private static int columns(String line) {
    int n = 1;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ',') {
        n++;
      }
    }
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
