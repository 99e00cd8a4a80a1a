package lore.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** JSON lines (one JSON object per line) through Jackson, with {@code file:line} errors. */
final class JsonLines {
  // one value per line, each key once: "{...} x" or a repeated key is an error, not a silent guess
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonLines() {}

  /** A consumer of one parsed line. */
  @FunctionalInterface
  interface LineConsumer {
    void accept(JsonNode node, int line) throws IOException;
  }

  static boolean isJsonLines(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jsonl")
        || n.endsWith(".ndjson")
        || n.endsWith(".json")
        || n.endsWith(".jsonl.gz");
  }

  /** Parses each non-blank line as a JSON object. */
  static void forEach(BufferedReader in, String source, LineConsumer c) throws IOException {
    int line = 0;
    for (String l = Csv.readLine(in, source, 1);
        l != null;
        l = Csv.readLine(in, source, line + 1)) {
      line++;
      if (l.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(l);
      } catch (JsonProcessingException e) {
        throw new IOException(
            source + ":" + line + ": malformed JSON: " + e.getOriginalMessage(), e);
      }
      if (n == null || !n.isObject()) {
        throw new IOException(source + ":" + line + ": expected a JSON object per line");
      }
      c.accept(n, line);
    }
  }

  /**
   * The string (or number) at a dotted path such as {@code info.post}.
   *
   * @throws IOException naming the file, line and field if it is missing, null or not a scalar
   */
  static String text(JsonNode node, String path, Path file, int line) throws IOException {
    JsonNode n = at(node, path);
    if (n == null || n.isNull() || n.isMissingNode() || !n.isValueNode()) {
      throw new IOException(
          file
              + ":"
              + line
              + ": missing or non-text field '"
              + path
              + "'"
              + (n != null && n.isArray() ? " (a list; expected one text)" : ""));
    }
    return n.asText();
  }

  /** The node at a dotted path, or null. */
  static JsonNode at(JsonNode node, String path) {
    JsonNode n = node;
    for (String p : path.split("\\.")) {
      if (n == null) {
        return null;
      }
      n = n.get(p);
    }
    return n;
  }
}
