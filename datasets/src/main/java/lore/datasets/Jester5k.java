package lore.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Jester5k, bundled: 100 jokes with their texts, 5,000 users, 363,209 ratings in [-10, 10]
 * (Goldberg et al. 2001, via recommenderlab; see {@code lore/datasets/jester5k/NOTICE.md}), and the
 * jokes' all-MiniLM-L6-v2 embeddings (100 x 384) precomputed by {@code lore embed}, so nothing here
 * needs the ONNX model. Item ids are the joke numbers {@code "1"} .. {@code "100"}.
 *
 * <p>Blocking (reads classpath resources); stateless and thread-safe.
 */
public final class Jester5k {
  private static final String DIR = "jester5k/";

  /** The model name of the bundled embeddings (a {@link TextEmbedder#name()}). */
  public static final String EMBEDDING_MODEL = "all-minilm-l6-v2";

  private Jester5k() {}

  /** The bundled 100 x 384 MiniLM embeddings of the jokes with their ids. */
  public static ItemTable embeddings() throws IOException {
    String name = DIR + "items-" + EMBEDDING_MODEL;
    Npy.Matrix m =
        Npy.read(MemorySegment.ofArray(bytes(name + ".npy")), resourceName(name + ".npy"));
    List<String> ids =
        Arrays.asList(new String(bytes(name + ".ids.txt"), StandardCharsets.UTF_8).split("\n"));
    return new ItemTable(m, ids);
  }

  /** The joke texts (ids 1..100). */
  public static ItemTexts jokes() throws IOException {
    Path tmp = Files.createTempFile("jester5k-jokes", ".csv");
    try {
      Files.write(tmp, bytes(DIR + "jokes.csv"));
      return ItemTexts.read(tmp, "joke_id", "text");
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The bundled ratings over items indexed by {@code itemIndex} (joke id to row). */
  public static Ratings ratings(Map<String, Integer> itemIndex) throws IOException {
    try (InputStream in = open(DIR + "ratings.csv.gz");
        Reader r =
            new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8)) {
      return Ratings.read(r, ',', resourceName(DIR + "ratings.csv.gz"), itemIndex);
    }
  }

  /**
   * Ratings from a copy of the data set on disk: {@code dir/jester5k_ratings.csv} (the layout of
   * the project's data folder).
   */
  public static Ratings ratings(Path dir, Map<String, Integer> itemIndex) throws IOException {
    return Ratings.read(dir.resolve("jester5k_ratings.csv"), itemIndex);
  }

  static String resourceName(String name) {
    return "classpath:lore/datasets/" + name;
  }

  static InputStream open(String name) throws IOException {
    InputStream in = Jester5k.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("missing bundled resource " + resourceName(name));
    }
    return in;
  }

  static byte[] bytes(String name) throws IOException {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    }
  }
}
