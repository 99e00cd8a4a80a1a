package lore.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An item embedding table with item ids: row i of {@link #matrix()} embeds item {@code
 * ids().get(i)}. On disk the table is a {@code .npy} (float32 or float16) or {@code .safetensors}
 * (F32, F16, BF16) file, and the ids come from a side file with one id per line ({@code
 * <table>.ids.txt} by default) or, without one, from the row order ({@code "0"}, {@code "1"}, ...).
 *
 * <p>Immutable once built; the matrix array is shared, not copied.
 *
 * @param matrix n x d, row-major
 * @param ids n distinct ids
 */
public record ItemTable(Npy.Matrix matrix, List<String> ids) {
  /**
   * @throws IllegalArgumentException if the id count differs from the rows or an id repeats
   */
  public ItemTable {
    Objects.requireNonNull(matrix, "matrix");
    ids = List.copyOf(ids);
    if (ids.size() != matrix.rows()) {
      throw new IllegalArgumentException(
          ids.size() + " item ids for " + matrix.rows() + " embedding rows");
    }
  }

  /** Rows named by their index. */
  public static ItemTable rowOrder(Npy.Matrix m) {
    List<String> ids = new ArrayList<>(m.rows());
    for (int i = 0; i < m.rows(); i++) {
      ids.add(Integer.toString(i));
    }
    return new ItemTable(m, ids);
  }

  /** The default ids side file of a table: {@code items.npy -> items.ids.txt}. */
  public static Path idsFileFor(Path table) {
    String name = table.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return table.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".ids.txt");
  }

  /** n, the number of items. */
  public int rows() {
    return matrix.rows();
  }

  /** d, the embedding dimension. */
  public int cols() {
    return matrix.cols();
  }

  /** A map from id to row. Allocates O(n). */
  public Map<String, Integer> index() {
    return index(ids);
  }

  /** A map from each id to its position in {@code ids}. Allocates O(n). */
  public static Map<String, Integer> index(List<String> ids) {
    Map<String, Integer> m = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      m.put(ids.get(i), i);
    }
    return m;
  }

  /**
   * Reads a table and its ids.
   *
   * @param idsFile one id per line; null for {@link #idsFileFor} if it exists, else row order
   * @param tensor the safetensors tensor name, or null for the only one
   * @throws IOException for a malformed table (see {@link Npy#read(Path)}, {@link
   *     Safetensors#read(Path, String)}), or an ids file whose line count differs from the rows, or
   *     which has an empty or duplicated id or bytes that are not UTF-8 (naming the file and line)
   */
  public static ItemTable read(Path file, Path idsFile, String tensor) throws IOException {
    Npy.Matrix m = isSafetensors(file) ? Safetensors.read(file, tensor) : Npy.read(file);
    Path ids = idsFile != null ? idsFile : idsFileFor(file);
    if (idsFile == null && !Files.exists(ids)) {
      return rowOrder(m);
    }
    return new ItemTable(m, readIds(ids, m.rows()));
  }

  /**
   * Reads an ids side file, checking count, emptiness and duplicates.
   *
   * @throws IOException naming the file and line of an empty or repeated id, or a count other than
   *     {@code rows}
   */
  public static List<String> readIds(Path file, int rows) throws IOException {
    List<String> lines = new ArrayList<>();
    try (java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(Files.newInputStream(file), Csv.strictUtf8()))) {
      String source = file.toString();
      for (String l = Csv.readLine(in, source, 1);
          l != null;
          l = Csv.readLine(in, source, lines.size() + 1)) {
        lines.add(l);
      }
    }
    while (!lines.isEmpty() && lines.getLast().isEmpty()) {
      lines.removeLast();
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String id = lines.get(i);
      if (id.isEmpty()) {
        throw new IOException(file + ":" + (i + 1) + ": empty item id");
      }
      Integer prev = seen.putIfAbsent(id, i + 1);
      if (prev != null) {
        throw new IOException(
            file
                + ":"
                + (i + 1)
                + ": duplicated item id '"
                + Csv.abbreviate(id)
                + "' (first on line "
                + prev
                + ")");
      }
    }
    if (lines.size() != rows) {
      throw new IOException(
          file + ": " + lines.size() + " item ids for " + rows + " embedding rows");
    }
    return lines;
  }

  /**
   * Writes the table ({@code .npy} float32, {@code .f16.npy} float16, or {@code .safetensors}
   * float32 tensor {@code embeddings}) and its ids side file, each atomically. Blocking I/O.
   */
  public void write(Path file, Path idsFile) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (isSafetensors(file)) {
      Safetensors.write(file, "embeddings", matrix.data(), rows(), cols(), Dtype.F32, Map.of());
    } else if (name.endsWith(".f16.npy")) {
      Npy.writeFloat16(file, matrix.data(), rows(), cols());
    } else {
      Npy.writeFloat32(file, matrix.data(), rows(), cols());
    }
    writeIds(idsFile != null ? idsFile : idsFileFor(file), ids);
  }

  static void writeIds(Path file, List<String> ids) throws IOException {
    StringBuilder s = new StringBuilder();
    for (String id : ids) {
      if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("item id '" + id + "' contains a line break");
      }
      s.append(id).append('\n');
    }
    AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
  }

  static boolean isSafetensors(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
  }
}
