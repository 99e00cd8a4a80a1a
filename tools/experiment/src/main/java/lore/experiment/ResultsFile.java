package lore.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import lore.datasets.AtomicFiles;

/**
 * The JSON-lines results file of an experiment ({@code results.jsonl}): a first line naming the
 * experiment ({@code "type":"experiment"}, with its fingerprint), then one line per finished
 * (split, method) result ({@code "type":"method"}) or rank selection ({@code "type":"rank"}). Every
 * addition rewrites the file with {@link AtomicFiles} (a temporary file forced to disk, then an
 * atomic move), so an interrupted run leaves either the old or the new file, never a torn line.
 */
final class ResultsFile {
  static final String NAME = "results.jsonl";

  /** Strict as a line is: one JSON value, nothing after it. */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final Path file;
  private final List<String> lines = new ArrayList<>();
  private final List<MethodResult> methods = new ArrayList<>();
  private final List<RankResult> ranks = new ArrayList<>();

  private ResultsFile(Path file) {
    this.file = file;
  }

  /**
   * Opens (or starts) the results file in {@code dir}, creating the directory.
   *
   * @throws IllegalArgumentException if the file holds another experiment's results or is malformed
   */
  static ResultsFile open(Path dir, String fingerprint) {
    try {
      Files.createDirectories(dir);
      ResultsFile r = new ResultsFile(dir.resolve(NAME));
      String header =
          line(JSON.createObjectNode().put("type", "experiment").put("fingerprint", fingerprint));
      if (!Files.exists(r.file)) {
        r.lines.add(header);
        r.save();
        return r;
      }
      List<String> existing = Files.readAllLines(r.file, StandardCharsets.UTF_8);
      for (int i = 0; i < existing.size(); i++) {
        String line = existing.get(i);
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode m = parse(line);
          String type = str(m, "type");
          if (r.lines.isEmpty()) {
            if (!type.equals("experiment")) {
              throw new IllegalArgumentException("first line is not the experiment header");
            }
            String found = str(m, "fingerprint");
            if (!found.equals(fingerprint)) {
              throw new IllegalArgumentException(
                  r.file
                      + " holds results of another experiment ("
                      + found
                      + "); use another output directory or delete the file");
            }
          } else if (type.equals("method")) {
            r.methods.add(readMethod(m));
          } else if (type.equals("rank")) {
            r.ranks.add(readRank(m));
          } else {
            throw new IllegalArgumentException("unknown type " + type);
          }
        } catch (IllegalArgumentException e) {
          if (e.getMessage().contains("holds results of another")) {
            throw e;
          }
          throw new IllegalArgumentException(r.file + " line " + (i + 1) + ": " + e.getMessage());
        }
        r.lines.add(line);
      }
      if (r.lines.isEmpty()) {
        r.lines.add(header);
        r.save();
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return file;
  }

  List<MethodResult> methods() {
    return List.copyOf(methods);
  }

  List<RankResult> ranks() {
    return List.copyOf(ranks);
  }

  Optional<MethodResult> method(int split, String name) {
    return methods.stream().filter(m -> m.split() == split && m.method().equals(name)).findFirst();
  }

  Optional<RankResult> rank(int split, String name) {
    return ranks.stream().filter(m -> m.split() == split && m.method().equals(name)).findFirst();
  }

  void add(MethodResult m) {
    lines.add(write(m));
    methods.add(m);
    save();
  }

  void add(RankResult r) {
    lines.add(write(r));
    ranks.add(r);
    save();
  }

  private void save() {
    try {
      AtomicFiles.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(MethodResult m) {
    ObjectNode n = JSON.createObjectNode().put("type", "method");
    n.put("split", m.split()).put("method", m.method()).put("rank", m.rank());
    n.put("parameterCount", m.parameterCount()).put("fewShot", m.fewShot());
    write(n.putObject("seen"), m.seen());
    write(n.putObject("unseen"), m.unseen());
    write(n.putObject("overall"), m.overall());
    ObjectNode curve = n.putObject("fewShotCurve");
    m.fewShotCurve().forEach((k, v) -> number(curve, Integer.toString(k), v));
    number(n, "trainSeconds", m.trainSeconds());
    number(n, "adaptSeconds", m.adaptSeconds());
    if (!m.selection().isEmpty()) {
      n.put("selection", m.selection());
    }
    if (!m.perUser().isEmpty()) {
      ArrayNode users = n.putArray("perUser");
      m.perUser().forEach(users::add);
    }
    if (!m.selectionScores().isEmpty()) {
      ArrayNode scores = n.putArray("selectionScores");
      for (CvScore c : m.selectionScores()) {
        ObjectNode o = scores.addObject().put("rank", c.rank());
        number(o, "strength", c.strength()); // infinity (the BT limit) is written as null
        number(o, "accuracy", c.accuracy());
      }
    }
    return line(n);
  }

  private static void write(ObjectNode n, Accuracy a) {
    n.put("users", a.users());
    number(n, "mean", a.mean());
    number(n, "std", a.std());
  }

  static String write(RankResult r) {
    ObjectNode n = JSON.createObjectNode().put("type", "rank");
    n.put("split", r.split()).put("method", r.method());
    ArrayNode ranks = n.putArray("ranks");
    r.ranks().forEach(ranks::add);
    ArrayNode acc = n.putArray("validationAccuracy");
    for (double a : r.validationAccuracy()) {
      if (Double.isFinite(a)) {
        acc.add(a);
      } else {
        acc.addNull();
      }
    }
    n.put("chosen", r.chosen()).put("validationUsers", r.validationUsers());
    return line(n);
  }

  /** JSON has no NaN or infinity: they are written as null and read back as NaN. */
  private static void number(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }

  private static String line(ObjectNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a tree of strings and numbers always serializes
    }
  }

  /** One line as a JSON object. */
  private static JsonNode parse(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException("line is not a JSON object");
    }
    return n;
  }

  static MethodResult readMethod(JsonNode m) {
    TreeMap<Integer, Double> curve = new TreeMap<>();
    JsonNode c = object(m, "fewShotCurve");
    for (Map.Entry<String, JsonNode> e : c.properties()) {
      curve.put(Integer.parseInt(e.getKey()), num(c, e.getKey()));
    }
    return new MethodResult(
        whole(m, "split"),
        str(m, "method"),
        whole(m, "rank"),
        field(m, "parameterCount", JsonNode::isNumber, "a number").longValue(),
        whole(m, "fewShot"),
        readAccuracy(m, "seen"),
        readAccuracy(m, "unseen"),
        readAccuracy(m, "overall"),
        curve,
        num(m, "trainSeconds"),
        num(m, "adaptSeconds"),
        m.path("selection").asText(""),
        perUser(m),
        selectionScores(m));
  }

  private static List<CvScore> selectionScores(JsonNode m) {
    if (!m.has("selectionScores")) {
      return List.of();
    }
    List<CvScore> v = new ArrayList<>();
    for (JsonNode o : array(m, "selectionScores")) {
      if (!o.isObject()) {
        throw new IllegalArgumentException("field selectionScores holds " + o + ", not an object");
      }
      double strength = o.path("strength").isNull() ? Double.POSITIVE_INFINITY : num(o, "strength");
      v.add(new CvScore(whole(o, "rank"), strength, num(o, "accuracy")));
    }
    return v;
  }

  private static List<Double> perUser(JsonNode m) {
    if (!m.has("perUser")) {
      return List.of();
    }
    List<Double> v = new ArrayList<>();
    for (JsonNode o : array(m, "perUser")) {
      if (!o.isNumber()) {
        throw new IllegalArgumentException("field perUser holds " + o + ", not a number");
      }
      v.add(o.doubleValue());
    }
    return v;
  }

  private static Accuracy readAccuracy(JsonNode m, String key) {
    JsonNode a = object(m, key);
    return new Accuracy(whole(a, "users"), num(a, "mean"), num(a, "std"));
  }

  static RankResult readRank(JsonNode m) {
    List<Integer> ranks = new ArrayList<>();
    for (JsonNode o : array(m, "ranks")) {
      if (!o.isNumber()) {
        throw new IllegalArgumentException("field ranks holds " + o + ", not a number");
      }
      ranks.add(o.intValue());
    }
    List<Double> acc = new ArrayList<>();
    for (JsonNode o : array(m, "validationAccuracy")) {
      if (!o.isNumber() && !o.isNull()) {
        throw new IllegalArgumentException(
            "field validationAccuracy holds " + o + ", not a number");
      }
      acc.add(o.isNull() ? Double.NaN : o.doubleValue());
    }
    return new RankResult(
        whole(m, "split"),
        str(m, "method"),
        ranks,
        acc,
        whole(m, "chosen"),
        whole(m, "validationUsers"));
  }

  /** Field {@code key} of {@code m}, which must pass {@code ok}: {@code what} it must be. */
  private static JsonNode field(JsonNode m, String key, Predicate<JsonNode> ok, String what) {
    JsonNode v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing field " + key);
    }
    if (!ok.test(v)) {
      throw new IllegalArgumentException("field " + key + " is not " + what);
    }
    return v;
  }

  private static int whole(JsonNode m, String key) {
    return field(m, key, JsonNode::isNumber, "a number").intValue();
  }

  /** A number, or NaN for null (see {@link #number(ObjectNode, String, double)}). */
  private static double num(JsonNode m, String key) {
    JsonNode v = field(m, key, n -> n.isNumber() || n.isNull(), "a number");
    return v.isNull() ? Double.NaN : v.doubleValue();
  }

  private static String str(JsonNode m, String key) {
    return field(m, key, JsonNode::isTextual, "a string").textValue();
  }

  private static JsonNode object(JsonNode m, String key) {
    return field(m, key, JsonNode::isObject, "a JSON object");
  }

  private static JsonNode array(JsonNode m, String key) {
    return field(m, key, JsonNode::isArray, "an array");
  }
}
