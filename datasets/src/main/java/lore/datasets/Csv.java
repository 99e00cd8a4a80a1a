package lore.datasets;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small RFC 4180 reader for CSV (or TSV with {@code '\t'}): double-quoted fields may hold the
 * separator, doubled quotes and line breaks; CRLF and a leading byte-order mark are accepted. Each
 * record knows the line it starts on, so errors can name {@code file:line}.
 */
final class Csv implements Closeable {
  private final BufferedReader in;
  private final char sep;
  private final String source;
  private int line; // lines consumed so far
  private int recordLine;
  private boolean first = true;

  Csv(Reader in, char sep, String source) {
    this.in = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    this.sep = sep;
    this.source = source;
  }

  /** The separator for a file name: tab for {@code .tsv} / {@code .tab}, else comma. */
  static char separatorFor(String fileName) {
    String f = fileName.toLowerCase(java.util.Locale.ROOT);
    return f.endsWith(".tsv") || f.endsWith(".tab") || f.endsWith(".tsv.gz") ? '\t' : ',';
  }

  /** The line the last record returned by {@link #next} starts on (1-based). */
  int line() {
    return recordLine;
  }

  /** {@code source:line} of the last record. */
  String where() {
    return source + ":" + recordLine;
  }

  /** The next record, or null at the end; blank lines are skipped. */
  List<String> next() throws IOException {
    String l;
    do {
      l = readLine(in, source, line + 1);
      if (l == null) {
        return null;
      }
      line++;
      if (first) {
        first = false;
        if (l.startsWith("\uFEFF")) {
          l = l.substring(1);
        }
      }
    } while (l.isEmpty());
    recordLine = line;
    List<String> out = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < l.length() && l.charAt(i) == '"') { // quoted field
        i++;
        while (true) {
          if (i >= l.length()) {
            String more = readLine(in, source, line + 1);
            if (more == null) {
              throw new IOException(
                  source + ":" + recordLine + ": unterminated quoted field at end of file");
            }
            line++;
            f.append('\n');
            l = more;
            i = 0;
            continue;
          }
          char c = l.charAt(i++);
          if (c == '"') {
            if (i < l.length() && l.charAt(i) == '"') {
              f.append('"');
              i++;
            } else {
              break;
            }
          } else {
            f.append(c);
          }
        }
        if (i < l.length() && l.charAt(i) != sep) {
          throw new IOException(
              source
                  + ":"
                  + line
                  + ": unexpected character after a closing quote: '"
                  + abbreviate(l)
                  + "'");
        }
      } else {
        int j = l.indexOf(sep, i);
        int end = j < 0 ? l.length() : j;
        f.append(l, i, end);
        i = end;
      }
      out.add(f.toString());
      f.setLength(0);
      if (i >= l.length()) {
        return out;
      }
      i++; // the separator
      if (i == l.length()) {
        out.add("");
        return out;
      }
    }
  }

  /**
   * {@code in.readLine()}, with a decoding error (a reader that reports malformed UTF-8) turned
   * into an IOException naming the source and the line. The reader decodes ahead in blocks, so the
   * bad bytes are on that line or a later one.
   *
   * @param lineNo the 1-based number of the line about to be read
   */
  static String readLine(BufferedReader in, String source, long lineNo) throws IOException {
    try {
      return in.readLine();
    } catch (CharacterCodingException e) {
      throw new IOException(
          source + ":" + lineNo + ": not valid UTF-8 (on this line or one of the next few)", e);
    }
  }

  /** A UTF-8 decoder that reports malformed input instead of replacing it with U+FFFD. */
  static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Reads the header record and maps column names to indices. */
  Map<String, Integer> header() throws IOException {
    List<String> h = next();
    if (h == null) {
      throw new IOException(source + ": empty file (expected a header line)");
    }
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < h.size(); i++) {
      m.putIfAbsent(h.get(i).strip(), i);
    }
    return m;
  }

  /**
   * The index of the first of {@code names} in {@code header}.
   *
   * @throws IOException naming the file and the accepted names if none is present
   */
  static int column(Map<String, Integer> header, String source, String role, String... names)
      throws IOException {
    int i = optionalColumn(header, names);
    if (i >= 0) {
      return i;
    }
    throw new IOException(
        source
            + ":1: no "
            + role
            + " column (expected one of "
            + String.join(", ", names)
            + "; header has "
            + header.keySet()
            + ")");
  }

  /**
   * Like {@link #column} but -1 when absent. A name matches exactly, else ignoring case (exports
   * spell {@code User_ID} or {@code Rating}), the first of {@code names} winning either way.
   */
  static int optionalColumn(Map<String, Integer> header, String... names) {
    for (String n : names) {
      Integer i = header.get(n);
      if (i != null) {
        return i;
      }
    }
    for (String n : names) {
      int first = -1; // the leftmost of several spellings, whatever the map's order
      for (Map.Entry<String, Integer> e : header.entrySet()) {
        if (e.getKey().equalsIgnoreCase(n) && (first < 0 || e.getValue() < first)) {
          first = e.getValue();
        }
      }
      if (first >= 0) {
        return first;
      }
    }
    return -1;
  }

  /**
   * Field {@code i} of {@code record}.
   *
   * @throws IOException naming the line if the record is too short
   */
  String field(List<String> record, int i) throws IOException {
    if (i >= record.size()) {
      throw new IOException(
          where() + ": expected at least " + (i + 1) + " columns, got " + record.size());
    }
    return record.get(i);
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
