package lore.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * PRISM (HannahRoseKirk/prism-alignment) conversations as JSON lines, in either of two forms:
 *
 * <ul>
 *   <li>the published {@code conversations.jsonl}: {@code conversation_id}, {@code user_id} and
 *       {@code conversation_history}, a list of utterances with {@code turn}, {@code role} ({@code
 *       user} or {@code model}), {@code content} and {@code if_chosen};
 *   <li>the LoRe reference's prepared rows ({@code train.parquet} / {@code test.parquet} exported
 *       as JSON lines): {@code prompt} (a list of {@code {role, content}}) and {@code extra_info}
 *       with {@code user_id}, {@code dialog_id}, {@code split}, {@code seen}, {@code
 *       chosen_utterance} (one text) and {@code rejected_utterance} (a <em>list</em> of texts).
 * </ul>
 *
 * Each turn pairs its chosen reply with <em>each</em> rejected reply, as texts; a list is never
 * turned into its string form (the reference embeds the list's Python repr, which makes chosen and
 * rejected trivially separable). Items are the reply texts (to embed); the prompt of a pair is the
 * history so far (user turns and chosen replies, one {@code role: content} line each). A rejected
 * reply identical to the chosen one is skipped.
 *
 * <p>Splits: prepared rows keep theirs ({@code split} train/test x {@code seen}); conversations are
 * split as the reference does: users with more than {@code minDialogs - 1} dialogs are shuffled
 * (seeded), the first {@code seenFraction} seen, the rest unseen, and each user's dialogs are
 * shuffled and halved into train and test. Split names: {@code train}, {@code fewshot} (unseen
 * users' train half), {@code test-seen}, {@code test-unseen}.
 *
 * @param seenFraction share of users that are seen, in (0, 1] (reference: 0.8)
 * @param minDialogs users with fewer dialogs are dropped (reference: 6, i.e. more than 5)
 * @param seed the seed of the shuffles (reference: numpy seed 123; the streams differ)
 */
public record Prism(double seenFraction, int minDialogs, long seed) {
  /** The reference's settings. */
  public static final Prism REFERENCE = new Prism(0.8, 6, 123);

  /** Validates. */
  public Prism {
    if (!(seenFraction > 0 && seenFraction <= 1)) {
      throw new IllegalArgumentException("seen fraction must be in (0, 1], got " + seenFraction);
    }
    if (minDialogs < 1) {
      throw new IllegalArgumentException("min dialogs must be at least 1, got " + minDialogs);
    }
  }

  private record Pair(String chosen, String rejected, String prompt, String where) {}

  private record Dialog(String user, List<Pair> pairs, String split) {}

  /**
   * Reads the file and assigns the splits.
   *
   * @throws IOException naming {@code file:line} for malformed JSON, a missing field, a rejected
   *     utterance that is not a text; naming the file if no dialog has a pair
   */
  public Comparisons read(Path file) throws IOException {
    Map<String, Dialog> dialogs = new LinkedHashMap<>();
    try (BufferedReader in = Comparisons.open(file)) {
      JsonLines.forEach(
          in,
          file.toString(),
          (node, line) -> {
            String where = file + ":" + line;
            if (node.has("conversation_history")) {
              conversation(node, file, line, where, dialogs);
            } else if (node.has("extra_info")) {
              prepared(node, file, line, where, dialogs);
            } else {
              throw new IOException(
                  where
                      + ": neither a PRISM conversation (conversation_history) nor a prepared"
                      + " row (extra_info)");
            }
          });
    }
    dialogs.values().removeIf(d -> d.pairs.isEmpty());
    if (dialogs.isEmpty()) {
      throw new IOException(file + ": no turn with a user message, a chosen and a rejected reply");
    }
    boolean prepared = dialogs.values().iterator().next().split != null;
    Comparisons.Builder b = new Comparisons.Builder(null);
    if (prepared) {
      for (Dialog d : dialogs.values()) {
        add(b, d, d.split);
      }
      return b.build();
    }
    Map<String, List<Dialog>> byUser = new TreeMap<>();
    for (Dialog d : dialogs.values()) {
      byUser.computeIfAbsent(d.user, k -> new ArrayList<>()).add(d);
    }
    List<String> users = new ArrayList<>(byUser.keySet());
    SplittableRandom rnd = new SplittableRandom(seed);
    shuffle(users, rnd);
    int seen = (int) (users.size() * seenFraction);
    int kept = 0;
    for (int i = 0; i < users.size(); i++) {
      List<Dialog> ds = new ArrayList<>(byUser.get(users.get(i)));
      if (ds.size() < minDialogs) {
        continue;
      }
      kept++;
      shuffle(ds, rnd);
      int half = ds.size() / 2;
      for (int k = 0; k < ds.size(); k++) {
        boolean train = k < half;
        add(
            b,
            ds.get(k),
            i < seen ? (train ? "train" : "test-seen") : (train ? "fewshot" : "test-unseen"));
      }
    }
    if (kept == 0) {
      throw new IOException(
          file
              + ": no user has at least "
              + minDialogs
              + " dialogs with a pair ("
              + users.size()
              + " users)");
    }
    return b.build();
  }

  private static void add(Comparisons.Builder b, Dialog d, String split) throws IOException {
    for (Pair p : d.pairs) {
      b.add(p.where, d.user, p.chosen, p.rejected, split, p.prompt);
    }
  }

  private static <T> void shuffle(List<T> l, SplittableRandom rnd) {
    for (int i = l.size() - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      T t = l.get(i);
      l.set(i, l.get(k));
      l.set(k, t);
    }
  }

  private static void conversation(
      JsonNode node, Path file, int line, String where, Map<String, Dialog> dialogs)
      throws IOException {
    String user = JsonLines.text(node, "user_id", file, line);
    String id = JsonLines.text(node, "conversation_id", file, line);
    JsonNode h = node.get("conversation_history");
    if (!h.isArray()) {
      throw new IOException(where + ": 'conversation_history' must be a list");
    }
    TreeMap<Integer, String> userMsg = new TreeMap<>();
    TreeMap<Integer, String> chosen = new TreeMap<>();
    TreeMap<Integer, List<String>> rejected = new TreeMap<>();
    for (int i = 0; i < h.size(); i++) {
      JsonNode u = h.get(i);
      String at = "conversation_history[" + i + "]";
      JsonNode turn = u.get("turn");
      JsonNode role = u.get("role");
      JsonNode content = u.get("content");
      if (turn == null
          || !turn.canConvertToInt()
          || role == null
          || !role.isTextual()
          || content == null
          || !content.isTextual()) {
        throw new IOException(where + ": " + at + " needs turn (int), role and content (texts)");
      }
      int t = turn.asInt();
      if (role.asText().equals("user")) {
        userMsg.putIfAbsent(t, content.asText());
      } else if (u.path("if_chosen").asBoolean(false)) {
        chosen.putIfAbsent(t, content.asText());
      } else {
        rejected.computeIfAbsent(t, k -> new ArrayList<>()).add(content.asText());
      }
    }
    List<Pair> pairs = new ArrayList<>();
    StringBuilder history = new StringBuilder();
    for (Map.Entry<Integer, String> e : userMsg.entrySet()) {
      history.append(history.isEmpty() ? "" : "\n").append("user: ").append(e.getValue());
      String c = chosen.get(e.getKey());
      List<String> rs = rejected.getOrDefault(e.getKey(), List.of());
      if (c != null) {
        for (String r : rs) {
          if (!r.equals(c)) {
            pairs.add(new Pair(c, r, history.toString(), where));
          }
        }
        history.append("\nassistant: ").append(c);
      }
    }
    Dialog prev = dialogs.putIfAbsent(id, new Dialog(user, pairs, null));
    if (prev != null) {
      throw new IOException(where + ": conversation " + id + " appears twice");
    }
  }

  private static void prepared(
      JsonNode node, Path file, int line, String where, Map<String, Dialog> dialogs)
      throws IOException {
    String user = JsonLines.text(node, "extra_info.user_id", file, line);
    String dialog = JsonLines.text(node, "extra_info.dialog_id", file, line);
    String split = JsonLines.text(node, "extra_info.split", file, line);
    boolean seen = JsonLines.text(node, "extra_info.seen", file, line).equals("true");
    String name =
        split.equals("train") ? (seen ? "train" : "fewshot") : (seen ? "test-seen" : "test-unseen");
    Dialog d = dialogs.computeIfAbsent(dialog, k -> new Dialog(user, new ArrayList<>(), name));
    JsonNode c = JsonLines.at(node, "extra_info.chosen_utterance");
    if (c == null || c.isNull() || c.isMissingNode()) {
      return; // the final user turn of a dialog has no replies
    }
    String chosen = JsonLines.text(node, "extra_info.chosen_utterance", file, line);
    JsonNode r = JsonLines.at(node, "extra_info.rejected_utterance");
    List<String> rejected = new ArrayList<>();
    if (r != null && r.isArray()) {
      for (int i = 0; i < r.size(); i++) {
        if (!r.get(i).isTextual()) {
          throw new IOException(where + ": extra_info.rejected_utterance[" + i + "] is not a text");
        }
        rejected.add(r.get(i).asText());
      }
    } else {
      rejected.add(JsonLines.text(node, "extra_info.rejected_utterance", file, line));
    }
    StringBuilder prompt = new StringBuilder();
    JsonNode p = node.get("prompt");
    if (p != null && p.isArray()) {
      for (JsonNode m : p) {
        prompt
            .append(prompt.isEmpty() ? "" : "\n")
            .append(m.path("role").asText("user"))
            .append(": ")
            .append(m.path("content").asText(""));
      }
    } else if (p != null && p.isTextual()) {
      prompt.append(p.asText());
    }
    for (String rej : rejected) {
      if (!rej.equals(chosen)) {
        d.pairs.add(new Pair(chosen, rej, prompt.toString(), where));
      }
    }
  }
}
