package lore.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named numeric columns of a table file: CSV/TSV with a header, or Parquet through DuckDB's JDBC
 * driver ({@code jdbc:duckdb:} in memory, {@code SELECT * FROM read_parquet(?)}). DuckDB is an
 * optional dependency of this module: only Parquet inputs need it on the class path.
 */
final class ScoreColumns {
  private ScoreColumns() {}

  static boolean isParquet(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  /**
   * Reads {@code names} as floats: {@code out[c][row]}.
   *
   * @throws IOException naming the file and the missing column, or {@code file:line} (CSV) or
   *     {@code file row r} (Parquet, 0-based) for a value that is empty, not a number or not finite
   */
  static float[][] read(Path file, List<String> names) throws IOException {
    return isParquet(file) ? readParquet(file, names) : readCsv(file, names);
  }

  private static float[][] readCsv(Path file, List<String> names) throws IOException {
    String src = file.toString();
    float[][] out = new float[names.size()][];
    int[] col = new int[names.size()];
    int rows = 0;
    float[][] buf = new float[names.size()][1024];
    try (BufferedReader in = Comparisons.open(file);
        Csv csv = new Csv(in, Csv.separatorFor(file.getFileName().toString()), src)) {
      Map<String, Integer> h = csv.header();
      for (int c = 0; c < names.size(); c++) {
        col[c] = Csv.column(h, src, "score", names.get(c));
      }
      for (List<String> r = csv.next(); r != null; r = csv.next()) {
        if (rows == buf[0].length) {
          for (int c = 0; c < buf.length; c++) {
            buf[c] = java.util.Arrays.copyOf(buf[c], rows * 2);
          }
        }
        for (int c = 0; c < names.size(); c++) {
          buf[c][rows] = number(csv.field(r, col[c]), names.get(c), csv.where());
        }
        rows++;
      }
    }
    for (int c = 0; c < out.length; c++) {
      out[c] = java.util.Arrays.copyOf(buf[c], rows);
    }
    return out;
  }

  private static float number(String s, String column, String where) throws IOException {
    float v;
    try {
      v = Float.parseFloat(s.strip());
    } catch (NumberFormatException e) {
      throw new IOException(
          where + ": column " + column + ": '" + Csv.abbreviate(s) + "' is not a number");
    }
    if (!Float.isFinite(v)) {
      throw new IOException(where + ": column " + column + ": " + s + " is not finite");
    }
    return v;
  }

  private static float[][] readParquet(Path file, List<String> names) throws IOException {
    Connection conn;
    try {
      conn = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IOException(
          file
              + ": reading Parquet needs the DuckDB JDBC driver (org.duckdb:duckdb_jdbc) on the"
              + " class path: "
              + e.getMessage(),
          e);
    }
    try (conn;
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM read_parquet(?)")) {
      ps.setString(1, file.toAbsolutePath().toString());
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        Map<String, Integer> h = new HashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          h.putIfAbsent(md.getColumnName(i), i);
        }
        int[] col = new int[names.size()];
        for (int c = 0; c < names.size(); c++) {
          Integer i = h.get(names.get(c));
          if (i == null) {
            throw new IOException(
                file
                    + ": no column "
                    + names.get(c)
                    + " (the Parquet file has "
                    + h.size()
                    + " columns, e.g. "
                    + h.keySet().stream().sorted().limit(5).toList()
                    + ")");
          }
          col[c] = i;
        }
        float[][] buf = new float[names.size()][1024];
        int rows = 0;
        while (rs.next()) {
          if (rows == buf[0].length) {
            for (int c = 0; c < buf.length; c++) {
              buf[c] = java.util.Arrays.copyOf(buf[c], rows * 2);
            }
          }
          for (int c = 0; c < names.size(); c++) {
            double v = rs.getDouble(col[c]);
            if (rs.wasNull() || !Double.isFinite(v)) {
              throw new IOException(
                  file
                      + " row "
                      + rows
                      + ": column "
                      + names.get(c)
                      + " is "
                      + (rs.wasNull() ? "null" : Double.toString(v))
                      + ", expected a finite number");
            }
            buf[c][rows] = (float) v;
          }
          rows++;
        }
        float[][] out = new float[names.size()][];
        for (int c = 0; c < out.length; c++) {
          out[c] = java.util.Arrays.copyOf(buf[c], rows);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IOException(file + ": cannot read Parquet: " + e.getMessage(), e);
    }
  }
}
