package lore.datasets;

import java.util.List;

/**
 * A sentence-embedding model: texts in, one fixed-length float vector per text out. The project's
 * default is all-MiniLM-L6-v2 run in-process on ONNX ({@code lore.cli.MiniLmEmbedder}, 384 dims); a
 * bigger model or a table of precomputed vectors can implement this instead. {@link TextEmbeddings}
 * batches, caches and reports progress around any implementation.
 *
 * <p>Implementations need not be thread-safe; callers use one from one thread at a time.
 */
public interface TextEmbedder {
  /**
   * A stable name of the model and its settings, e.g. {@code all-minilm-l6-v2}; part of every cache
   * key, so two models never share cached vectors.
   */
  String name();

  /** The embedding dimension d. */
  int dim();

  /**
   * Embeds {@code texts} into {@code out} row by row: text i goes to {@code out[offset + i*d ..
   * offset + (i+1)*d)}.
   *
   * @param texts not modified
   * @param out modified in that range only
   */
  void embed(List<String> texts, float[] out, int offset);
}
