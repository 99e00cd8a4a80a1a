package lore.experiment;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import lore.datasets.TextEmbedder;

/**
 * all-MiniLM-L6-v2 (sentence-transformers; 384 dims, mean pooling, unit-normalized) run in-process
 * on ONNX Runtime through langchain4j. It lives in {@code tools}, not {@code datasets}: ONNX
 * Runtime and the model add ~190 MB of jars that a library user of the loaders, or the bench
 * module, should not have to carry; {@code datasets} only sees {@link TextEmbedder}.
 *
 * <p>Texts longer than the model's 256 word pieces are cut by the model, as in
 * sentence-transformers.
 */
public final class MiniLmEmbedder implements TextEmbedder {
  /** The cache key of this model. */
  static final String NAME = "all-minilm-l6-v2";

  private final AllMiniLmL6V2EmbeddingModel model;

  /**
   * Loads the model (about a second).
   *
   * @param executor runs the texts of one batch in parallel
   */
  public MiniLmEmbedder(Executor executor) {
    this.model = new AllMiniLmL6V2EmbeddingModel(executor);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dim() {
    return 384;
  }

  @Override
  public void embed(List<String> texts, float[] out, int offset) {
    List<TextSegment> segs = new ArrayList<>(texts.size());
    for (String t : texts) {
      // langchain4j rejects blank segments; embed a single space instead
      segs.add(TextSegment.from(t.isBlank() ? " " : t));
    }
    List<Embedding> es = model.embedAll(segs).content();
    for (int i = 0; i < es.size(); i++) {
      float[] v = es.get(i).vector();
      if (v.length != 384) {
        throw new IllegalStateException("MiniLM returned " + v.length + " dims, expected 384");
      }
      System.arraycopy(v, 0, out, offset + i * 384, 384);
    }
  }
}
