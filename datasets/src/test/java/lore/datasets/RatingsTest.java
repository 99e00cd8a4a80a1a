package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RatingsTest extends QuietTest {
  private static final Map<String, Integer> ITEMS = Map.of("a", 0, "b", 1, "c", 2, "d", 3);

  private static Ratings read(String csv) throws IOException {
    return Ratings.read(new StringReader(csv), ',', "r.csv", ITEMS);
  }

  @Test
  void pairsRespectGapTiesAndOrientation() throws IOException {
    Ratings r = read("user_id,joke_id,rating\nu,a,5\nu,b,4.5\nu,c,2\nu,d,5\n");
    UserPairs p = new RatingsToPairs(1.0, 100, SEED).pairs(r, 0);
    Set<String> got = new HashSet<>();
    for (int i = 0; i < p.size(); i++) {
      got.add(p.chosen()[i] + ">" + p.rejected()[i]);
    }
    // a=d tie dropped; a-b and d-b gaps 0.5 < 1 dropped
    assertEquals(Set.of("0>2", "1>2", "3>2"), got);
    UserPairs all = new RatingsToPairs(0, 100, SEED).pairs(r, 0);
    assertEquals(5, all.size(), "ties dropped even with gap 0"); // 6 pairs minus the a=d tie
  }

  /** Exports of annotation tools name the columns after annotators and texts. */
  @Test
  void annotatorColumnsAreRead() throws IOException {
    Ratings r = read("annotator_id,text_id,rating,comment\nx,a,3,fine\nx,b,1,meh\n");
    assertEquals(1, r.userCount());
    assertEquals("x", r.userId(0));
    assertEquals(2, r.size());
    assertEquals(2, read("User_ID,Item,Rating\nx,a,3\nx,b,1\n").size(), "any case");
    IOException e = assertThrows(IOException.class, () -> read("who,what,how\nx,a,3\n"));
    assertTrue(
        e.getMessage().startsWith("r.csv:1: no user column (expected one of user,"), e::getMessage);
  }

  /** Every user's pairs, over the table the ratings were read by, in one engine input. */
  @Test
  void preferencesHoldEveryUsersPairsOverTheTable() throws IOException {
    Ratings r = read("user,item,score\nu,a,5\nu,c,2\nv,b,1\nv,d,3\nv,a,3\nw,a,4\n");
    float[] e = new float[4 * 2];
    for (int i = 0; i < e.length; i++) {
      e[i] = i;
    }
    ItemTable table = new ItemTable(new Npy.Matrix(e, 4, 2), java.util.List.of("a", "b", "c", "d"));
    lore.PreferenceData d = new RatingsToPairs(0, 100, SEED).preferences(r, table);
    assertEquals(3, d.pairCount(), "u: a>c; v: d>b, a>b (d=a tie dropped); w: none");
    assertEquals(2, d.userCount(), "a user without a pair is left out");
    assertEquals(4, d.itemCount());
  }

  @Test
  void capSamplesUniformlyAndIsSeeded() throws IOException {
    StringBuilder s = new StringBuilder("user,item,score\n");
    for (String it : new String[] {"a", "b", "c", "d"}) {
      s.append("u,").append(it).append(',').append(it.charAt(0) - 'a').append('\n');
    }
    Ratings r = read(s.toString());
    UserPairs p1 = new RatingsToPairs(0, 3, SEED).pairs(r, 0);
    UserPairs p2 = new RatingsToPairs(0, 3, SEED).pairs(r, 0);
    assertEquals(3, p1.size());
    assertEquals(java.util.Arrays.toString(p1.chosen()), java.util.Arrays.toString(p2.chosen()));
    boolean differs = false;
    for (long seed = 1; seed < 20 && !differs; seed++) {
      differs =
          !java.util.Arrays.equals(new RatingsToPairs(0, 3, seed).pairs(r, 0).chosen(), p1.chosen())
              || !java.util.Arrays.equals(
                  new RatingsToPairs(0, 3, seed).pairs(r, 0).rejected(), p1.rejected());
    }
    assertTrue(differs, "another seed gives another sample");
    for (int i = 0; i < p1.size(); i++) {
      assertTrue(p1.chosen()[i] > p1.rejected()[i], "higher score is chosen");
    }
  }

  @Test
  void malformedRatingsNameFileAndLine() {
    IOException e = assertThrows(IOException.class, () -> read("user,item,score\nu,a,1\nu,zz,2\n"));
    assertTrue(e.getMessage().startsWith("r.csv:3: unknown item id 'zz'"), e.getMessage());
    e = assertThrows(IOException.class, () -> read("user,item,score\nu,a,x\n"));
    assertTrue(e.getMessage().startsWith("r.csv:2: score 'x' is not a number"), e.getMessage());
    e = assertThrows(IOException.class, () -> read("user,item,score\nu,a,NaN\n"));
    assertTrue(e.getMessage().startsWith("r.csv:2: score NaN is not finite"), e.getMessage());
    e = assertThrows(IOException.class, () -> read("user,item,score\nu,a,1\nu,a,2\n"));
    assertTrue(
        e.getMessage().contains("r.csv:3: user 'u' rates item 'a' again (first on line 2)"),
        e.getMessage());
    e = assertThrows(IOException.class, () -> read("user,item,score\nu,a\n"));
    assertTrue(e.getMessage().startsWith("r.csv:2: expected at least 3 columns"), e.getMessage());
    e = assertThrows(IOException.class, () -> read("who,item,score\n"));
    assertTrue(e.getMessage().contains("no user column"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RatingsToPairs(-1, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> new RatingsToPairs(1, 0, 1));
  }

  @Test
  void bundledJesterLoads() throws IOException {
    ItemTable items = Jester5k.embeddings();
    assertEquals(100, items.rows());
    assertEquals(384, items.cols());
    assertEquals("1", items.ids().get(0));
    Ratings r = Jester5k.ratings(items.index());
    assertEquals(5000, r.userCount());
    assertEquals(363_209, r.size());
    assertEquals(100, Jester5k.jokes().texts().size());
  }

  @Test
  void bundledZapposHasTenComparisonsPerWorker() throws IOException {
    var users = Zappos5.comparisons();
    assertEquals(6000, users.size());
    for (UserPairs u : users) {
      assertEquals(10, u.size(), u.user());
    }
  }

  @Test
  void userWithMorePairsThanAnArrayHoldsIsSampledWithoutListingThem() {
    // 66,000 distinct ratings: 2.18e9 pairs, once listed in a 16 GB long[] (OutOfMemoryError)
    int m = 66_000;
    int[] items = new int[m];
    float[] scores = new float[m];
    for (int i = 0; i < m; i++) {
      items[i] = i;
      scores[i] = i;
    }
    UserPairs p =
        new RatingsToPairs(0, 10, SEED)
            .pairs("u", items, scores, m, new java.util.SplittableRandom(SEED));
    assertEquals(10, p.size());
    for (int i = 0; i < p.size(); i++) {
      assertTrue(p.chosen()[i] > p.rejected()[i], "higher score is chosen, seed " + SEED);
    }
  }

  @Test
  void sparseAndDenseSamplingAgreeExactly() {
    var rnd = new java.util.SplittableRandom(SEED);
    for (int trial = 0; trial < 200; trial++) {
      int m = 1 + rnd.nextInt(60);
      int[] items = new int[m];
      float[] scores = new float[m];
      for (int i = 0; i < m; i++) {
        items[i] = 100 + i;
        scores[i] = rnd.nextInt(6) * 0.5f; // ties and gaps
      }
      RatingsToPairs rules =
          new RatingsToPairs(rnd.nextInt(3) * 0.5, 1 + rnd.nextInt(40), rnd.nextLong());
      long seed = rnd.nextLong();
      UserPairs dense =
          rules.pairs(
              "u", items, scores, m, new java.util.SplittableRandom(seed), Integer.MAX_VALUE);
      UserPairs sparse =
          rules.pairs("u", items, scores, m, new java.util.SplittableRandom(seed), 0);
      assertEquals(
          java.util.Arrays.toString(dense.chosen()),
          java.util.Arrays.toString(sparse.chosen()),
          "trial " + trial);
      assertEquals(
          java.util.Arrays.toString(dense.rejected()),
          java.util.Arrays.toString(sparse.rejected()),
          "trial " + trial);
    }
  }
}
