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

/**
 * Reddit TL;DR human comparisons with worker ids, as JSON lines of {@code
 * openai/summarize_from_feedback} config {@code comparisons}: per line {@code info.post} (and
 * {@code info.id}), {@code summaries[0].text}, {@code summaries[1].text}, {@code choice} (0 or 1,
 * the preferred summary), {@code worker} and {@code split} ({@code train}; anything else, e.g.
 * {@code valid1}, {@code valid2}, {@code validation}, is the test pool). Items are the summary
 * texts (inline, to embed; the post is each comparison's prompt), users are workers.
 *
 * <p>Splits follow the LoRe reference: workers with comparisons in both pools are shuffled (seeded)
 * and split in half, seen and unseen; a seen worker trains on at most {@code seenTrain} random
 * train comparisons ({@code train}), an unseen worker has at most {@code fewShot} random train
 * comparisons ({@code fewshot}); both are tested on all their test-pool comparisons ({@code
 * test-seen}, {@code test-unseen}). The reference also drops the two workers with the fewest
 * comparisons; this reader does not.
 *
 * @param seenTrain train comparisons per seen worker, at least 1 (reference: 150)
 * @param fewShot few-shot comparisons per unseen worker, at least 1 (reference: 50)
 * @param seed the seed of the worker shuffle and the samples
 */
public record RedditTldr(int seenTrain, int fewShot, long seed) {
  /** The reference's settings (150, 50, seed 0). */
  public static final RedditTldr REFERENCE = new RedditTldr(150, 50, 0);

  /** Validates. */
  public RedditTldr {
    if (seenTrain < 1 || fewShot < 1) {
      throw new IllegalArgumentException(
          "train and few-shot comparisons per worker must be at least 1");
    }
  }

  private record Row(
      String worker, String post, String chosen, String rejected, boolean train, String where) {}

  /**
   * Reads the comparisons and assigns the four splits.
   *
   * @throws IOException naming {@code file:line} for malformed JSON, a missing field, a choice
   *     other than 0 or 1, or two identical summaries; naming the file if no worker is in both
   *     pools
   */
  public Comparisons read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (BufferedReader in = Comparisons.open(file)) {
      JsonLines.forEach(
          in,
          file.toString(),
          (node, line) -> {
            String where = file + ":" + line;
            String choice = JsonLines.text(node, "choice", file, line);
            if (!choice.equals("0") && !choice.equals("1")) {
              throw new IOException(where + ": choice must be 0 or 1, got '" + choice + "'");
            }
            JsonNode s = node.get("summaries");
            if (s == null || !s.isArray() || s.size() != 2) {
              throw new IOException(where + ": 'summaries' must be a list of two summaries");
            }
            String[] t = new String[2];
            for (int i = 0; i < 2; i++) {
              JsonNode x = s.get(i).get("text");
              if (x == null || !x.isTextual()) {
                throw new IOException(
                    where + ": missing or non-text field 'summaries[" + i + "].text'");
              }
              t[i] = x.asText();
            }
            int c = Integer.parseInt(choice);
            rows.add(
                new Row(
                    JsonLines.text(node, "worker", file, line),
                    JsonLines.text(node, "info.post", file, line),
                    t[c],
                    t[1 - c],
                    JsonLines.text(node, "split", file, line).equals("train"),
                    where));
          });
    }
    Map<String, List<Row>> train = new LinkedHashMap<>();
    Map<String, List<Row>> test = new LinkedHashMap<>();
    for (Row r : rows) {
      (r.train ? train : test).computeIfAbsent(r.worker, k -> new ArrayList<>()).add(r);
    }
    List<String> both = new ArrayList<>();
    for (String w : train.keySet()) {
      if (test.containsKey(w)) {
        both.add(w);
      }
    }
    if (both.isEmpty()) {
      throw new IOException(
          file
              + ": no worker has comparisons in both the train and the validation split ("
              + rows.size()
              + " comparisons, "
              + train.size()
              + " train and "
              + test.size()
              + " validation workers)");
    }
    both.sort(null);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = both.size() - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      String t = both.get(i);
      both.set(i, both.get(k));
      both.set(k, t);
    }
    int seen = (both.size() + 1) / 2;
    Comparisons.Builder b = new Comparisons.Builder(null);
    for (int i = 0; i < both.size(); i++) {
      String w = both.get(i);
      boolean isSeen = i < seen;
      List<Row> tr = new ArrayList<>(train.get(w));
      SplittableRandom wr = rnd.split();
      for (int j = tr.size() - 1; j > 0; j--) {
        int k = wr.nextInt(j + 1);
        Row t = tr.get(j);
        tr.set(j, tr.get(k));
        tr.set(k, t);
      }
      for (Row r : tr.subList(0, Math.min(tr.size(), isSeen ? seenTrain : fewShot))) {
        b.add(r.where, w, r.chosen, r.rejected, isSeen ? "train" : "fewshot", r.post);
      }
      for (Row r : test.get(w)) {
        b.add(r.where, w, r.chosen, r.rejected, isSeen ? "test-seen" : "test-unseen", r.post);
      }
    }
    return b.build();
  }
}
