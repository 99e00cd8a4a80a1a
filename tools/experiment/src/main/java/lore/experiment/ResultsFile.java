package lore.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON-lines results file of an experiment ({@code results.jsonl}): a first line naming the
 * experiment ({@code "type":"experiment"}, with its fingerprint), then one line per finished
 * (split, method) result ({@code "type":"method"}) or rank selection ({@code "type":"rank"}).
 * Every addition rewrites the file through a temporary file and an atomic move, so an interrupted
 * run leaves either the old or the new file, never a torn line.
 */
final class ResultsFile {
  static final String NAME = "results.jsonl";

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
          "{\"type\":\"experiment\",\"fingerprint\":" + Json.quote(fingerprint) + "}";
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
        Map<String, Object> m;
        try {
          m = Json.object(Json.parse(line), "line");
          String type = Json.str(m, "type");
          if (r.lines.isEmpty()) {
            if (!type.equals("experiment")) {
              throw new IllegalArgumentException("first line is not the experiment header");
            }
            String found = Json.str(m, "fingerprint");
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
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.write(tmp, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(MethodResult m) {
    StringBuilder b = new StringBuilder("{\"type\":\"method\"");
    b.append(",\"split\":").append(m.split());
    b.append(",\"method\":").append(Json.quote(m.method()));
    b.append(",\"rank\":").append(m.rank());
    b.append(",\"parameterCount\":").append(m.parameterCount());
    b.append(",\"fewShot\":").append(m.fewShot());
    b.append(",\"seen\":").append(write(m.seen()));
    b.append(",\"unseen\":").append(write(m.unseen()));
    b.append(",\"overall\":").append(write(m.overall()));
    b.append(",\"fewShotCurve\":{");
    String sep = "";
    for (Map.Entry<Integer, Double> e : m.fewShotCurve().entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\":").append(Json.number(e.getValue()));
      sep = ",";
    }
    b.append("},\"trainSeconds\":").append(Json.number(m.trainSeconds()));
    b.append(",\"adaptSeconds\":").append(Json.number(m.adaptSeconds()));
    return b.append('}').toString();
  }

  private static String write(Accuracy a) {
    return "{\"users\":" + a.users() + ",\"mean\":" + Json.number(a.mean()) + ",\"std\":"
        + Json.number(a.std()) + "}";
  }

  static String write(RankResult r) {
    StringBuilder b = new StringBuilder("{\"type\":\"rank\"");
    b.append(",\"split\":").append(r.split());
    b.append(",\"method\":").append(Json.quote(r.method()));
    b.append(",\"ranks\":[");
    for (int i = 0; i < r.ranks().size(); i++) {
      b.append(i > 0 ? "," : "").append(r.ranks().get(i));
    }
    b.append("],\"validationAccuracy\":[");
    for (int i = 0; i < r.validationAccuracy().size(); i++) {
      b.append(i > 0 ? "," : "").append(Json.number(r.validationAccuracy().get(i)));
    }
    b.append("],\"chosen\":").append(r.chosen());
    b.append(",\"validationUsers\":").append(r.validationUsers());
    return b.append('}').toString();
  }

  static MethodResult readMethod(Map<String, Object> m) {
    TreeMap<Integer, Double> curve = new TreeMap<>();
    for (Map.Entry<String, Object> e :
        Json.object(m.get("fewShotCurve"), "fewShotCurve").entrySet()) {
      curve.put(
          Integer.parseInt(e.getKey()), e.getValue() == null ? Double.NaN : (Double) e.getValue());
    }
    return new MethodResult(
        (int) Json.num(m, "split"),
        Json.str(m, "method"),
        (int) Json.num(m, "rank"),
        (long) Json.num(m, "parameterCount"),
        (int) Json.num(m, "fewShot"),
        readAccuracy(m, "seen"),
        readAccuracy(m, "unseen"),
        readAccuracy(m, "overall"),
        curve,
        Json.num(m, "trainSeconds"),
        Json.num(m, "adaptSeconds"));
  }

  private static Accuracy readAccuracy(Map<String, Object> m, String key) {
    Map<String, Object> a = Json.object(m.get(key), key);
    return new Accuracy((int) Json.num(a, "users"), Json.num(a, "mean"), Json.num(a, "std"));
  }

  static RankResult readRank(Map<String, Object> m) {
    List<Integer> ranks = new ArrayList<>();
    for (Object o : Json.list(m, "ranks")) {
      ranks.add(((Double) o).intValue());
    }
    List<Double> acc = new ArrayList<>();
    for (Object o : Json.list(m, "validationAccuracy")) {
      acc.add(o == null ? Double.NaN : (Double) o);
    }
    return new RankResult(
        (int) Json.num(m, "split"),
        Json.str(m, "method"),
        ranks,
        acc,
        (int) Json.num(m, "chosen"),
        (int) Json.num(m, "validationUsers"));
  }
}
