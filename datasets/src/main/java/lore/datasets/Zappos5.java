package lore.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Zappos5, bundled: 6,000 Mechanical Turk workers, each answering the 10 pairs of 5 shoes once
 * (AISTATS 2024, see {@code lore/datasets/zappos5/NOTICE.md}). The shoes have no text, so items are
 * one-hot vectors (5 x 5 identity; ids {@code "0"} .. {@code "4"}).
 */
public final class Zappos5 {
  private Zappos5() {}

  /** The one-hot item table. */
  public static ItemTable items() {
    float[] eye = new float[25];
    for (int i = 0; i < 5; i++) {
      eye[i * 6] = 1f;
    }
    return ItemTable.rowOrder(new Npy.Matrix(eye, 5, 5));
  }

  /** The bundled comparisons, grouped by worker in file order. */
  public static List<UserPairs> comparisons() throws IOException {
    try (InputStream in = Jester5k.open("zappos5/zappos_6000.csv.gz");
        Reader r = new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8)) {
      return read(r, Jester5k.resourceName("zappos5/zappos_6000.csv.gz"));
    }
  }

  /** Comparisons from {@code zappos_6000.csv} on disk. */
  public static List<UserPairs> comparisons(Path csv) throws IOException {
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      return read(r, csv.toString());
    }
  }

  /**
   * Reads {@code left,right,answer,worker_id}: answer 0 prefers left, 1 prefers right.
   *
   * @throws IOException naming the line for a bad item, answer or a short row
   */
  static List<UserPairs> read(Reader r, String source) throws IOException {
    Map<String, List<int[]>> byUser = new LinkedHashMap<>();
    try (Csv csv = new Csv(r, ',', source)) {
      Map<String, Integer> h = csv.header();
      int cl = Csv.column(h, source, "left", "left");
      int cr = Csv.column(h, source, "right", "right");
      int ca = Csv.column(h, source, "answer", "answer");
      int cw = Csv.column(h, source, "worker", "worker_id");
      for (List<String> row = csv.next(); row != null; row = csv.next()) {
        int left = item(csv, csv.field(row, cl));
        int right = item(csv, csv.field(row, cr));
        String a = csv.field(row, ca);
        if (!a.equals("0") && !a.equals("1")) {
          throw new IOException(csv.where() + ": answer must be 0 or 1, got '" + a + "'");
        }
        int[] pair = a.equals("0") ? new int[] {left, right} : new int[] {right, left};
        byUser.computeIfAbsent(csv.field(row, cw), k -> new ArrayList<>()).add(pair);
      }
    }
    List<UserPairs> out = new ArrayList<>(byUser.size());
    byUser.forEach(
        (u, ps) -> {
          int[] c = new int[ps.size()];
          int[] rj = new int[ps.size()];
          for (int i = 0; i < c.length; i++) {
            c[i] = ps.get(i)[0];
            rj[i] = ps.get(i)[1];
          }
          out.add(new UserPairs(u, c, rj));
        });
    return out;
  }

  private static int item(Csv csv, String s) throws IOException {
    try {
      int i = Integer.parseInt(s);
      if (i >= 0 && i < 5) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException(csv.where() + ": unknown item id '" + s + "' (shoes are 0..4)");
  }
}
