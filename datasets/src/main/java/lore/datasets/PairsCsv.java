package lore.datasets;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import lore.PreferenceData;

/**
 * Reads and writes pairwise comparisons as UTF-8 CSV: the header line {@code user,chosen,rejected},
 * then one line per comparison with a user id and two item indices (rows of an item table), e.g.
 * {@code seen-0003,1277,1272}. No quoting: user ids must not contain commas, double quotes or line
 * breaks. Empty lines are skipped, CRLF line ends and a leading byte-order mark are accepted.
 *
 * <p>Blocking I/O; stateless and thread-safe.
 */
public final class PairsCsv {
  /** The required header line. */
  static final String HEADER = "user,chosen,rejected";

  private PairsCsv() {}

  /**
   * Reads comparisons over an item table. Allocates O(pairs); the item table is referenced, not
   * copied. Blocking I/O.
   *
   * @param items itemCount x dim row-major, handed to {@link PreferenceData#builder}
   * @throws IOException if the file cannot be read, its header is not {@code user,chosen,rejected},
   *     it has no comparison, bytes that are not UTF-8, or a line has other than 3 columns, a quote,
   *     an empty user id, an index that is not an int in ASCII digits, an item outside [0, itemCount) or chosen == rejected; the message starts
   *     with {@code file:line}
   * @throws IllegalArgumentException if the item table itself is invalid (see {@link
   *     PreferenceData#builder})
   */
  public static PreferenceData read(Path file, float[] items, int itemCount, int dim)
      throws IOException {
    PreferenceData.Builder builder = PreferenceData.builder(items, itemCount, dim);
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String source = file.toString();
      String header = Csv.readLine(in, source, 1);
      if (header != null && header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      if (!HEADER.equals(header)) {
        throw new IOException(
            file
                + ":1: expected the header '"
                + HEADER
                + "', got "
                + (header == null ? "an empty file" : "'" + abbreviate(header) + "'"));
      }
      int lineNo = 1;
      for (String line = Csv.readLine(in, source, 2);
          line != null;
          line = Csv.readLine(in, source, lineNo + 1)) {
        lineNo++;
        if (line.isEmpty()) {
          continue;
        }
        int c1 = line.indexOf(',');
        int c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
        if (c2 < 0 || line.indexOf(',', c2 + 1) >= 0) {
          throw new IOException(
              file
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
              file
                  + ":"
                  + lineNo
                  + ": quoted fields are not supported: '"
                  + abbreviate(line)
                  + "'");
        }
        int chosen = parseIndex(line.substring(c1 + 1, c2), "chosen", file, lineNo);
        int rejected = parseIndex(line.substring(c2 + 1), "rejected", file, lineNo);
        try {
          builder.add(user, chosen, rejected);
        } catch (IllegalArgumentException e) {
          throw new IOException(file + ":" + lineNo + ": " + e.getMessage(), e);
        }
      }
      if (builder.size() == 0) {
        throw new IOException(file + ": no comparisons after the header");
      }
      return builder.build();
    }
  }

  /**
   * Writes all comparisons of {@code data}, user by user, atomically (a temporary file in the same
   * directory, then a move). Allocates O(1) beyond a 64 KB buffer. Blocking I/O.
   *
   * @throws IllegalArgumentException if a user id contains a comma, a double quote or a line break
   *     (checked before anything is written)
   * @throws IOException if writing or the move fails
   */
  public static void write(Path file, PreferenceData data) throws IOException {
    for (int u = 0; u < data.userCount(); u++) {
      checkUserId(data.userId(u));
    }
    AtomicFiles.write(
        file,
        ch -> {
          Writer out = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8), 1 << 16);
          out.write(HEADER);
          out.write('\n');
          StringBuilder line = new StringBuilder(64);
          for (int u = 0; u < data.userCount(); u++) {
            String id = data.userId(u);
            for (int p = data.pairStart(u); p < data.pairEnd(u); p++) {
              line.setLength(0);
              line.append(id)
                  .append(',')
                  .append(data.chosen(p))
                  .append(',')
                  .append(data.rejected(p))
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
  static void checkUserId(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        throw new IllegalArgumentException(
            "user id '"
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

  private static int parseIndex(String s, String role, Path file, int lineNo) throws IOException {
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
