package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import lore.PreferenceData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets of the file readers. Each input is one file; the reader must either return a
 * self-consistent result or throw its documented exception (IOException naming the file); anything
 * else (a NullPointerException, an index out of bounds, an OutOfMemoryError from a size taken from
 * a header, a hang) is a finding.
 *
 * <p>{@code mvn verify} runs each target over its committed corpus in {@code
 * src/test/resources/lore/datasets/ReadersFuzzTestInputs/<target>/} (regression mode). A fuzzing
 * run of one target is described in FUZZING.md; the limits below are that run's.
 */
class ReadersFuzzTest {
  private static final int ITEMS = 8;
  private static final int DIM = 2;
  private static final Map<String, Integer> ITEM_IDS = Map.of("a", 0, "b", 1, "c", 2, "d", 3);
  private static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    FuzzSupport.relabelClassFilesForJazzer();
    dir = Files.createTempDirectory("lore-fuzz");
  }

  @AfterAll
  static void tearDown() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Path file(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  /** The corpus's valid-* seeds are read without error: the fuzzer starts from real files. */
  @Test
  void validSeedsAreRead() throws Exception {
    Path root = Path.of(ReadersFuzzTest.class.getResource("ReadersFuzzTestInputs").toURI());
    int n = 0;
    for (String target :
        List.of(
            "npy",
            "safetensors",
            "pairsCsv",
            "comparisonsCsv",
            "comparisonsJsonLines",
            "ratings",
            "itemTableIds")) {
      try (Stream<Path> seeds = Files.list(root.resolve(target))) {
        for (Path seed :
            seeds.filter(p -> p.getFileName().toString().startsWith("valid")).toList()) {
          byte[] b = Files.readAllBytes(seed);
          try {
            switch (target) {
              case "npy" -> Npy.read(MemorySegment.ofArray(b), seed.toString());
              case "safetensors" ->
                  Safetensors.read(MemorySegment.ofArray(b), null, seed.toString());
              case "pairsCsv" ->
                  PairsCsv.read(file("pairs.csv", b), new float[ITEMS * DIM], ITEMS, DIM);
              case "comparisonsCsv" ->
                  Comparisons.read(file("c.csv", b), Comparisons.Columns.DEFAULT, ITEM_IDS);
              case "comparisonsJsonLines" ->
                  Comparisons.read(file("c.jsonl", b), Comparisons.Columns.DEFAULT, null);
              case "ratings" ->
                  Ratings.read(
                      new InputStreamReader(new ByteArrayInputStream(b), Csv.strictUtf8()),
                      ',',
                      "r.csv",
                      ITEM_IDS);
              default -> ItemTable.readIds(file("ids.txt", b), 3);
            }
          } catch (IOException e) {
            throw new AssertionError("seed " + seed + " is not valid: " + e.getMessage(), e);
          }
          n++;
        }
      }
    }
    assertTrue(n >= 10, "found only " + n + " valid seeds");
  }

  /** The documented failure: an IOException whose message names the file. */
  private static void documented(IOException e, String source) {
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(source),
        "the message does not name " + source + ": " + e.getMessage());
  }

  private static void consistent(Npy.Matrix m) {
    assertEquals((long) m.rows() * m.cols(), m.data().length);
    for (float v : m.data()) {
      assertTrue(Float.isFinite(v), "a non-finite value was returned");
    }
  }

  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void npy(byte[] bytes) {
    try {
      consistent(Npy.read(MemorySegment.ofArray(bytes), "fuzz.npy"));
    } catch (IOException e) {
      documented(e, "fuzz.npy");
    }
  }

  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void safetensors(byte[] bytes) {
    try {
      Npy.Matrix m = Safetensors.read(MemorySegment.ofArray(bytes), null, "fuzz.safetensors");
      consistent(m);
    } catch (IOException e) {
      documented(e, "fuzz.safetensors");
    }
  }

  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void pairsCsv(byte[] bytes) throws IOException {
    Path f = file("pairs.csv", bytes);
    PreferenceData d;
    try {
      d = PairsCsv.read(f, new float[ITEMS * DIM], ITEMS, DIM);
    } catch (IOException e) {
      documented(e, f.toString());
      return;
    }
    assertTrue(d.userCount() > 0 && d.pairCount() > 0);
    for (int u = 0; u < d.userCount(); u++) {
      assertTrue(!d.userId(u).isEmpty() && d.userId(u).indexOf(',') < 0);
      for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
        assertTrue(
            d.chosen(p) >= 0 && d.chosen(p) < ITEMS && d.rejected(p) >= 0 && d.rejected(p) < ITEMS);
        assertNotEquals(d.chosen(p), d.rejected(p));
      }
    }
  }

  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void comparisonsCsv(byte[] bytes) throws IOException {
    comparisons(file("comparisons.csv", bytes), ITEM_IDS);
  }

  /** JSON lines with inline texts (the other item mode). */
  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void comparisonsJsonLines(byte[] bytes) throws IOException {
    comparisons(file("comparisons.jsonl", bytes), null);
  }

  private static void comparisons(Path f, Map<String, Integer> index) {
    Comparisons c;
    try {
      c = Comparisons.read(f, Comparisons.Columns.DEFAULT, index);
    } catch (IOException e) {
      documented(e, f.toString());
      return;
    }
    assertTrue(c.size() > 0);
    int items = c.itemIds().size();
    for (int p = 0; p < c.size(); p++) {
      assertTrue(!c.user(p).isEmpty() && !c.split(p).isEmpty());
      assertTrue(
          c.chosen(p) >= 0 && c.chosen(p) < items && c.rejected(p) >= 0 && c.rejected(p) < items);
      assertNotEquals(c.chosen(p), c.rejected(p));
      if (index != null) {
        assertTrue(index.containsKey(c.itemIds().get(c.chosen(p))));
      }
    }
    assertEquals(index == null, c.hasTextItems());
    if (index == null) {
      assertEquals(items, c.itemTexts().texts().size());
    }
  }

  /** Ratings as MovieLens reads them: a strict UTF-8 reader over the bytes. */
  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void ratings(byte[] bytes) {
    Ratings r;
    try {
      r =
          Ratings.read(
              new InputStreamReader(new ByteArrayInputStream(bytes), Csv.strictUtf8()),
              ',',
              "ratings.csv",
              ITEM_IDS);
    } catch (IOException e) {
      documented(e, "ratings.csv");
      return;
    }
    assertTrue(r.size() > 0 && r.userCount() > 0);
    assertEquals(0, r.start(0));
    assertEquals(r.size(), r.end(r.userCount() - 1));
    for (int u = 0; u < r.userCount(); u++) {
      assertTrue(r.start(u) < r.end(u), "a user without ratings");
      HashSet<Integer> seen = new HashSet<>();
      for (int i = r.start(u); i < r.end(u); i++) {
        assertTrue(r.item(i) >= 0 && r.item(i) < ITEM_IDS.size() && seen.add(r.item(i)));
        assertTrue(Float.isFinite(r.score(i)));
      }
      UserPairs p = new RatingsToPairs(0.5, 3, 1).pairs(r, u);
      assertTrue(p.size() <= 3);
    }
  }

  /** The ids side file of an item table (the table itself is the npy and safetensors targets). */
  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void itemTableIds(byte[] bytes) throws IOException {
    Path table = dir.resolve("items.npy");
    if (Files.notExists(table)) {
      Npy.writeFloat32(table, new float[3 * DIM], 3, DIM);
    }
    Path ids = file("items.ids.txt", bytes);
    ItemTable t;
    try {
      t = ItemTable.read(table, null, null);
    } catch (IOException e) {
      documented(e, ids.toString());
      return;
    }
    List<String> got = t.ids();
    assertEquals(t.rows(), got.size());
    assertEquals(got.size(), new HashSet<>(got).size(), "repeated ids");
    assertEquals(got.size(), t.index().size());
    for (String id : got) {
      assertTrue(!id.isEmpty() && id.indexOf('\n') < 0 && id.indexOf('\r') < 0);
    }
  }
}
