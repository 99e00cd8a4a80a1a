package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --dataset ratings}: a user's own {@code user,item,score} file over an item table, made
 * into within-user pairs, through {@code experiment} and {@code convert}; bad ratings name the file
 * and line.
 */
class RatingsDatasetTest {
  @TempDir static Path dir;
  static Path items;
  static Path ratings;

  /**
   * 80 items x 8 with ids m0..m79; 60 users in two planted groups that score items by opposite
   * halves of the embedding (plus noise), 30 rated items each, scores on a 1..5 scale.
   */
  @BeforeAll
  static void data() throws Exception {
    int n = 80;
    int d = 8;
    SplittableRandom rnd = new SplittableRandom(11);
    float[] e = new float[n * d];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    items = dir.resolve("movies.npy");
    Npy.writeFloat32(items, e, n, d);
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ids.append('m').append(i).append('\n');
    }
    Files.writeString(ItemTable.idsFileFor(items), ids);
    StringBuilder r = new StringBuilder("user_id,item_id,rating\n");
    for (int u = 0; u < 60; u++) {
      int from = u % 2 == 0 ? 0 : d / 2;
      for (int k = 0; k < 30; k++) {
        int i = rnd.nextInt(n);
        if (r.indexOf("\nu" + u + ",m" + i + ",") >= 0) {
          continue; // one rating per user and item
        }
        double s = 0;
        for (int j = from; j < from + d / 2; j++) {
          s += e[i * d + j];
        }
        long score = Math.max(1, Math.min(5, Math.round(3 + s + 0.3 * rnd.nextGaussian())));
        r.append(String.format(Locale.ROOT, "u%d,m%d,%d%n", u, i, score));
      }
    }
    ratings = dir.resolve("ratings.csv");
    Files.writeString(ratings, r);
  }

  @Test
  void experimentLearnsThePlantedGroups() {
    Path out = dir.resolve("exp");
    Cli c =
        Cli.run(
            "experiment",
            "--dataset",
            "ratings",
            "--items",
            items.toString(),
            "--ratings",
            ratings.toString(),
            "--out",
            out.toString(),
            "--splits",
            "1",
            "--methods",
            "LoRe,BT",
            "--few-shot",
            "5",
            "--few-shot-grid",
            "5",
            "--rank-grid",
            "none",
            "--min-gap",
            "1",
            "--steps",
            "30",
            "--cv-ranks",
            "2",
            "--cv-path-steps",
            "10",
            "--threads",
            "1");
    assertEquals(0, c.code(), c::dump);
    assertTrue(c.err().contains("ratings.csv ("), c::dump);
    // two opposite groups: one shared vector cannot serve both, a rank-2 basis can
    double lore = seen(c, "LoRe");
    double bt = seen(c, "BT");
    assertTrue(lore > 70, c::dump);
    assertTrue(lore > bt, c::dump);
  }

  @Test
  void convertWritesPairsByItemId() throws Exception {
    Path out = dir.resolve("conv");
    Cli c =
        Cli.run(
            "convert",
            "--dataset",
            "ratings",
            "--items",
            items.toString(),
            "--ratings",
            ratings.toString(),
            "--out",
            out.toString());
    assertEquals(0, c.code(), c::dump);
    List<String> train = Files.readAllLines(out.resolve("train.csv"));
    assertEquals("user,chosen_id,rejected_id", train.get(0));
    assertTrue(train.size() > 100, () -> train.size() + " lines");
    assertTrue(train.get(1).matches("u\\d+,m\\d+,m\\d+"), train.get(1));
  }

  @Test
  void badRatingsNameTheFileAndLine() throws Exception {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "user,item,score\nu1,m1,4\nu1,nope,2\n");
    Cli c =
        Cli.run(
            "experiment",
            "--dataset",
            "ratings",
            "--items",
            items.toString(),
            "--ratings",
            bad.toString(),
            "--out",
            dir.resolve("bad").toString());
    assertEquals(2, c.code(), c::dump);
    assertTrue(c.err().contains("bad.csv:3: unknown item id 'nope'"), c::dump);

    Path noIds = dir.resolve("no-ids.npy");
    Files.copy(items, noIds);
    Cli rows =
        Cli.run(
            "experiment",
            "--dataset",
            "ratings",
            "--items",
            noIds.toString(),
            "--ratings",
            ratings.toString(),
            "--out",
            dir.resolve("rows").toString());
    assertEquals(2, rows.code(), rows::dump);
    assertTrue(rows.err().contains("has no ids file no-ids.ids.txt beside it"), rows::dump);

    Cli wrong =
        Cli.run(
            "experiment",
            "--dataset",
            "jester5k",
            "--ratings",
            ratings.toString(),
            "--out",
            dir.resolve("wrong").toString());
    assertEquals(2, wrong.code(), wrong::dump);
    assertTrue(wrong.err().contains("--ratings needs --dataset ratings"), wrong::dump);

    Cli missing =
        Cli.run(
            "convert",
            "--dataset",
            "ratings",
            "--items",
            items.toString(),
            "--out",
            dir.resolve("missing").toString());
    assertEquals(2, missing.code(), missing::dump);
    assertTrue(
        missing.err().contains("--dataset ratings needs --items and --ratings"), missing::dump);
  }

  /**
   * Item texts instead of a table: embedded by MiniLM on first use and cached beside them, here in
   * the demo, whose rows and choice line come out as with a table.
   */
  @Test
  void demoEmbedsItemTexts() throws Exception {
    Path texts = dir.resolve("texts.csv");
    StringBuilder t = new StringBuilder("id,text\n");
    StringBuilder r = new StringBuilder("user,item,score\n");
    String[] topics = {"cats", "dogs"};
    for (int i = 0; i < 40; i++) {
      t.append(
          String.format(
              Locale.ROOT, "t%d,A short story number %d about %s.%n", i, i, topics[i % 2]));
    }
    for (int u = 0; u < 40; u++) {
      for (int i = 0; i < 40; i++) {
        boolean likes = (i % 2) == (u % 2); // half like cat stories, half dog stories
        r.append(
            String.format(
                Locale.ROOT, "u%d,t%d,%d%n", u, i, likes ? 4 + (i + u) % 2 : 1 + (i * 7 + u) % 2));
      }
    }
    Files.writeString(texts, t);
    Path ratingsFile = dir.resolve("story-ratings.csv");
    Files.writeString(ratingsFile, r);
    Cli c =
        Cli.run(
            "demo",
            "--dataset",
            "ratings",
            "--items",
            texts.toString(),
            "--ratings",
            ratingsFile.toString(),
            "--few-shot",
            "3",
            "--steps",
            "20",
            "--cv-ranks",
            "2",
            "--cv-path-steps",
            "5",
            "--threads",
            "1");
    assertEquals(0, c.code(), c::dump);
    assertTrue(c.err().contains("embedding 40 item texts with all-MiniLM-L6-v2"), c::dump);
    assertTrue(Files.isDirectory(dir.resolve(".lore-cache")), c::dump);
    assertTrue(c.out().contains("LoRe chose B="), c::dump);
    assertTrue(c.out().contains("Per user against BT"), c::dump);
  }

  /** The seen-user accuracy in a method's row of the results table. */
  private static double seen(Cli c, String method) {
    Matcher m = Pattern.compile("(?m)^\\| " + method + " \\| (\\d+\\.\\d)").matcher(c.out());
    assertTrue(m.find(), () -> method + " row missing\n" + c.dump());
    return Double.parseDouble(m.group(1));
  }
}
