package lore.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeds texts with a {@link TextEmbedder} in batches, through a cache keyed by content: the
 * SHA-256 of each text's UTF-8 bytes. A cache directory holds two files per model:
 *
 * <ul>
 *   <li>{@code <model>.npy}: the cached vectors, n x d float32 ({@link Npy});
 *   <li>{@code <model>.sha256}: a comment line {@code # lore text-embedding cache: <model> d=<d>},
 *       then the hex hash of row i on line i + 2.
 * </ul>
 *
 * Both are replaced atomically (vectors first, hashes second); a pair whose counts disagree, e.g.
 * after a crash between the two moves, is ignored and rebuilt. Blocking I/O; not thread-safe for
 * one cache directory.
 */
public final class TextEmbeddings {
  private static final String MAGIC = "# lore text-embedding cache: ";

  private TextEmbeddings() {}

  /** The lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String hash(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  /** The cached-vectors file of {@code model} in {@code dir}. */
  public static Path vectorsFile(Path dir, String model) {
    return dir.resolve(model + ".npy");
  }

  /** The hashes file of {@code model} in {@code dir}. */
  public static Path hashesFile(Path dir, String model) {
    return dir.resolve(model + ".sha256");
  }

  /**
   * Embeds every text, in order, reusing cached vectors and adding new ones to the cache.
   *
   * @param cacheDir the cache directory (created if needed), or null for no cache
   * @param batchSize texts per call of {@link TextEmbedder#embed}
   * @param progress told after every batch ({@code task "embed"}, texts done, texts to embed)
   * @return texts.size() x d row-major
   * @throws IOException if the cache cannot be read or written
   */
  public static float[] embed(
      TextEmbedder embedder,
      List<String> texts,
      Path cacheDir,
      int batchSize,
      ProgressListener progress)
      throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    int d = embedder.dim();
    Map<String, float[]> cached = cacheDir == null ? new HashMap<>() : load(cacheDir, embedder);
    int cachedBefore = cached.size();
    Map<String, String> missing = new LinkedHashMap<>(); // hash -> text
    String[] hashes = new String[texts.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = hash(texts.get(i));
      if (!cached.containsKey(hashes[i])) {
        missing.putIfAbsent(hashes[i], texts.get(i));
      }
    }
    List<String> keys = new ArrayList<>(missing.keySet());
    List<String> todo = new ArrayList<>(missing.values());
    float[] buf = new float[batchSize * d];
    progress.onProgress("embed", 0, todo.size());
    for (int at = 0; at < todo.size(); at += batchSize) {
      int n = Math.min(batchSize, todo.size() - at);
      embedder.embed(todo.subList(at, at + n), buf, 0);
      for (int i = 0; i < n; i++) {
        float[] v = new float[d];
        System.arraycopy(buf, i * d, v, 0, d);
        for (float x : v) {
          if (!Float.isFinite(x)) {
            throw new IllegalStateException(
                "embedder "
                    + embedder.name()
                    + " returned a non-finite value for text '"
                    + Csv.abbreviate(todo.get(at + i))
                    + "'");
          }
        }
        cached.put(keys.get(at + i), v);
      }
      progress.onProgress("embed", at + n, todo.size());
    }
    if (cacheDir != null && cached.size() > cachedBefore) {
      save(cacheDir, embedder, cached);
    }
    float[] out = new float[Math.multiplyExact(texts.size(), d)];
    for (int i = 0; i < hashes.length; i++) {
      System.arraycopy(cached.get(hashes[i]), 0, out, i * d, d);
    }
    return out;
  }

  private static Map<String, float[]> load(Path dir, TextEmbedder e) throws IOException {
    Map<String, float[]> m = new LinkedHashMap<>();
    Path vf = vectorsFile(dir, e.name());
    Path hf = hashesFile(dir, e.name());
    if (!Files.isRegularFile(vf) || !Files.isRegularFile(hf)) {
      return m;
    }
    List<String> lines = Files.readAllLines(hf, StandardCharsets.UTF_8);
    String head = MAGIC + e.name() + " d=" + e.dim();
    if (lines.isEmpty() || !lines.get(0).equals(head)) {
      return m; // another model or dimension under the same name: rebuild
    }
    Npy.Matrix v = Npy.read(vf);
    if (v.rows() != lines.size() - 1 || v.cols() != e.dim()) {
      return m; // interrupted between the two moves: rebuild
    }
    for (int r = 0; r < v.rows(); r++) {
      float[] row = new float[v.cols()];
      System.arraycopy(v.data(), r * v.cols(), row, 0, v.cols());
      m.put(lines.get(r + 1), row);
    }
    return m;
  }

  private static void save(Path dir, TextEmbedder e, Map<String, float[]> m) throws IOException {
    Files.createDirectories(dir);
    int d = e.dim();
    float[] all = new float[m.size() * d];
    StringBuilder hashes = new StringBuilder(MAGIC + e.name() + " d=" + d + "\n");
    int r = 0;
    for (Map.Entry<String, float[]> x : m.entrySet()) {
      System.arraycopy(x.getValue(), 0, all, r++ * d, d);
      hashes.append(x.getKey()).append('\n');
    }
    Npy.writeFloat32(vectorsFile(dir, e.name()), all, m.size(), d);
    byte[] hb = hashes.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(
        hashesFile(dir, e.name()),
        ch -> {
          var buf = java.nio.ByteBuffer.wrap(hb);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        });
  }
}
