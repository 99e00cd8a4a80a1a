package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PersonalLLM layout of the reference code, written by the test at a tiny size. */
class PersonalLlmTest extends QuietTest {
  static final int D = 16;
  static final int TRAIN = 12;
  static final int TEST = 4;

  @TempDir Path dir;

  /** Writes {split}.safetensors (bf16 [prompts*8, D]) and {split}.csv; returns the scores. */
  static float[] writeSplit(Path dir, String split, int prompts, long seed) throws IOException {
    var rnd = new SplittableRandom(seed);
    float[] e = new float[prompts * 8 * D];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    Safetensors.write(
        dir.resolve(split + ".safetensors"),
        "embeddings",
        e,
        prompts * 8,
        D,
        Dtype.BF16,
        Map.of("format", "pt"));
    float[] scores = new float[prompts * 8 * 10];
    StringBuilder csv = new StringBuilder("prompt");
    for (int j = 1; j <= 8; j++) {
      for (String m : PersonalLlm.MODELS) {
        csv.append(",response_").append(j).append('_').append(m);
      }
    }
    csv.append('\n');
    for (int p = 0; p < prompts; p++) {
      csv.append("\"prompt ").append(p).append(", please\"");
      for (int c = 0; c < 80; c++) {
        float s = (float) Math.round(rnd.nextGaussian() * 1000) / 100;
        scores[p * 80 + c] = s;
        csv.append(',').append(s);
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve(split + ".csv"), csv);
    return scores;
  }

  private static PersonalLlm.Users users() {
    return new PersonalLlm.Users(0.1, 5, 3, 4, 2, SEED);
  }

  @Test
  void readsTheReferenceLayoutAndSimulatesBestVsWorstUsers() throws IOException {
    float[] trScores = writeSplit(dir, "train", TRAIN, SEED);
    writeSplit(dir, "test", TEST, SEED + 1);
    PreferenceSplits s = PersonalLlm.read(dir, users());
    assertEquals((TRAIN + TEST) * 8, s.items().rows());
    assertEquals(D, s.items().cols());
    assertEquals("train-0-1", s.items().ids().get(0));
    assertEquals("test-0-1", s.items().ids().get(TRAIN * 8));
    assertEquals(PreferenceSplits.PROTOCOL_SPLITS, java.util.List.copyOf(s.splits().keySet()));
    PreferenceData train = s.splits().get("train");
    assertEquals(5, train.userCount());
    assertEquals(20, train.pairCount(), "4 prompts per seen user, seed " + SEED);
    assertEquals(6, s.splits().get("fewshot").pairCount());
    assertEquals(5 * TEST, s.splits().get("test-seen").pairCount());
    assertEquals(3 * TEST, s.splits().get("test-unseen").pairCount());
    assertEquals(8, s.users().size());
    // ref = mean of the ten scores; response j of prompt p is row p*8 + j - 1
    int row = 3 * 8 + 5;
    double mean = 0;
    for (int m = 0; m < 10; m++) {
      mean += trScores[3 * 80 + 5 * 10 + m];
    }
    assertEquals(mean / 10, s.refRewards()[row], 1e-5);
    for (var e : s.splits().entrySet()) {
      PreferenceData d = e.getValue();
      boolean test = e.getKey().startsWith("test");
      for (int p = 0; p < d.pairCount(); p++) {
        int c = d.chosen(p);
        int r = d.rejected(p);
        assertEquals(c / 8, r / 8, "same prompt, seed " + SEED);
        assertEquals(test, c >= TRAIN * 8, e.getKey() + " uses its own prompts");
        assertNotEquals(c, r);
      }
    }
    // bf16 as the reference stores it: 8 significant bits
    Npy.Matrix raw = Safetensors.read(dir.resolve("train.safetensors"), "embeddings");
    assertArrayEquals(
        raw.data(), java.util.Arrays.copyOf(s.items().matrix().data(), TRAIN * 8 * D));
    PreferenceSplits again = PersonalLlm.read(dir, users());
    assertEquals(train.chosen(7), again.splits().get("train").chosen(7), "seeded");
  }

  @Test
  void nearlyOneHotUsersPickTheArgmaxOfOneRewardModel() throws IOException {
    float[] te = writeSplit(dir, "test", TEST, SEED + 1);
    writeSplit(dir, "train", TRAIN, SEED);
    PreferenceSplits s = PersonalLlm.read(dir, new PersonalLlm.Users(1e-3, 6, 0, 2, 0, SEED));
    PreferenceData d = s.splits().get("test-seen");
    for (int u = 0; u < d.userCount(); u++) {
      boolean someModelAgrees = false;
      for (int m = 0; m < 10 && !someModelAgrees; m++) {
        boolean all = true;
        for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
          int prompt = d.chosen(p) / 8 - TRAIN;
          int c = d.chosen(p) % 8;
          int r = d.rejected(p) % 8;
          for (int j = 0; j < 8; j++) {
            float sj = te[prompt * 80 + j * 10 + m];
            all &= te[prompt * 80 + c * 10 + m] >= sj && te[prompt * 80 + r * 10 + m] <= sj;
          }
        }
        someModelAgrees = all;
      }
      assertTrue(someModelAgrees, "user " + d.userId(u) + " seed " + SEED);
    }
  }

  @Test
  void parquetScoresWrittenByDuckDbGiveTheSameSplits() throws Exception {
    writeSplit(dir, "train", TRAIN, SEED);
    writeSplit(dir, "test", TEST, SEED + 1);
    PreferenceSplits csv = PersonalLlm.read(dir, users());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      for (String split : new String[] {"train", "test"}) {
        String from = dir.resolve(split + ".csv").toString().replace("'", "''");
        String to = dir.resolve(split + ".parquet").toString().replace("'", "''");
        st.execute(
            String.format(
                Locale.ROOT,
                "COPY (SELECT * FROM read_csv('%s', header=true)) TO '%s' (FORMAT PARQUET)",
                from,
                to));
        Files.delete(dir.resolve(split + ".csv"));
      }
    }
    PreferenceSplits pq = PersonalLlm.read(dir, users());
    for (String k : csv.splits().keySet()) {
      PreferenceData a = csv.splits().get(k);
      PreferenceData b = pq.splits().get(k);
      assertEquals(a.pairCount(), b.pairCount(), k);
      for (int p = 0; p < a.pairCount(); p++) {
        assertEquals(a.chosen(p), b.chosen(p), k);
        assertEquals(a.rejected(p), b.rejected(p), k);
      }
    }
    assertArrayEquals(csv.refRewards(), pq.refRewards());
  }

  @Test
  void malformedScoresNameFileAndLineOrRow() throws Exception {
    writeSplit(dir, "train", TRAIN, SEED);
    writeSplit(dir, "test", TEST, SEED + 1);
    Path test = dir.resolve("test.csv");
    String good = Files.readString(test);
    Files.writeString(test, good.replaceFirst("(?m)^(\"prompt 2, please\",)[^,]*", "$1oops"));
    IOException e = assertThrows(IOException.class, () -> PersonalLlm.read(dir, users()));
    assertTrue(
        e.getMessage().contains(test + ":4: column response_1_gemma_2b: 'oops'"), e.getMessage());
    Files.writeString(test, good.substring(0, good.lastIndexOf("\"prompt 3")));
    e = assertThrows(IOException.class, () -> PersonalLlm.read(dir, users()));
    assertTrue(
        e.getMessage().contains("has 3 prompts") && e.getMessage().contains("32 embedding rows"),
        e.getMessage());
    Files.writeString(test, good.replace("response_8_mistral_ray,", "x,"));
    e = assertThrows(IOException.class, () -> PersonalLlm.read(dir, users()));
    assertTrue(e.getMessage().contains(test + ":1: no score column"), e.getMessage());
    Files.delete(test);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT 1.5 AS response_1_gemma_2b) TO '"
              + dir.resolve("test.parquet").toString().replace("'", "''")
              + "' (FORMAT PARQUET)");
    }
    e = assertThrows(IOException.class, () -> PersonalLlm.read(dir, users()));
    assertTrue(
        e.getMessage().contains("test.parquet: no column response_1_gemma_7b"), e.getMessage());
  }
}
