package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PairsCsvTest extends QuietTest {
  private static final int ITEMS = 10;
  private static final int DIM = 2;
  private static final float[] TABLE = new float[ITEMS * DIM];

  @TempDir Path dir;

  @Test
  void roundTripPreservesUsersOrderAndPairs() throws IOException {
    PreferenceData data =
        PreferenceData.builder(TABLE, ITEMS, DIM)
            .add("alice", 1, 2)
            .add("bob", 9, 0)
            .add("alice", 3, 4)
            .add("carol ü", 5, 6)
            .build();
    Path f = dir.resolve("pairs.csv");
    PairsCsv.write(f, data);
    assertEquals(
        "user,chosen_row,rejected_row\nalice,1,2\nalice,3,4\nbob,9,0\ncarol ü,5,6\n",
        Files.readString(f, StandardCharsets.UTF_8));
    PreferenceData back = PairsCsv.read(f, TABLE, ITEMS, DIM);
    assertSame(TABLE, back.items());
    SyntheticPersonalLlmTest.assertSamePairs(data, back);
  }

  @Test
  void readAcceptsCrlfByteOrderMarkAndBlankLines() throws IOException {
    Path f = write("\uFEFFuser,chosen,rejected\r\nu1,0,1\r\n\r\nu2,2,3\r\n\r\n");
    PreferenceData d = PairsCsv.read(f, TABLE, ITEMS, DIM);
    assertEquals(2, d.userCount());
    assertEquals("u2", d.userId(1));
    assertEquals(3, d.rejected(1));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("user,chosen\na,1,2\n", 1, "expected the header"),
        Arguments.of("", 1, "empty file"),
        Arguments.of("user,chosen,rejected\n", 0, "no comparisons"),
        Arguments.of("user,chosen,rejected\na,1,2\nb,1\n", 3, "expected 3 columns"),
        Arguments.of("user,chosen,rejected\na,1,2,3\n", 2, "got 4"),
        Arguments.of(
            "user,chosen,rejected\na,1,2\n\nb,x,2\n", 4, "chosen item 'x' is not an integer"),
        Arguments.of("user,chosen,rejected\nb,1, 2\n", 2, "rejected item ' 2' is not an integer"),
        Arguments.of("user,chosen,rejected\nb,1,99999999999\n", 2, "not an integer"),
        Arguments.of("user,chosen,rejected\nb,1,10\n", 2, "outside [0, 10)"),
        Arguments.of("user,chosen,rejected\nb,-1,3\n", 2, "outside [0, 10)"),
        Arguments.of("user,chosen,rejected\nb,4,4\n", 2, "same item 4"),
        Arguments.of("user,chosen,rejected\n,4,5\n", 2, "non-empty"),
        Arguments.of("user,chosen,rejected\n\"b\",4,5\n", 2, "quoted"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("malformed")
  void malformedFileIsRejectedNamingFileAndLine(String text, int line, String expected)
      throws IOException {
    Path f = write(text);
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, TABLE, ITEMS, DIM));
    String where = line > 0 ? f + ":" + line + ": " : f + ": ";
    assertTrue(e.getMessage().startsWith(where), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void sameItemTwiceIsRejectedWithItsLine() throws IOException {
    Path f = write("user,chosen,rejected\nb,4,4\n");
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, TABLE, ITEMS, DIM));
    assertTrue(e.getMessage().startsWith(f + ":2: user b: "), e.getMessage());
    assertTrue(e.getMessage().contains("the same item 4"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a,b", "say \"hi\"", "two\nlines", "cr\r"})
  void writeRejectsUserIdsThatNeedQuotingAndWritesNothing(String id) {
    PreferenceData data = PreferenceData.builder(TABLE, ITEMS, DIM).add(id, 1, 2).build();
    Path f = dir.resolve("bad.csv");
    var e = assertThrows(IllegalArgumentException.class, () -> PairsCsv.write(f, data));
    assertTrue(e.getMessage().contains("does not allow"), e.getMessage());
    assertTrue(Files.notExists(f));
  }

  /** A table whose ids are not its row numbers: joke j(i+1) is row i, as Jester numbers them. */
  static ItemTable jokes() {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      ids.add("j" + (i + 1));
    }
    return new ItemTable(new Npy.Matrix(TABLE, ITEMS, DIM), ids);
  }

  @Test
  void pairsByIdResolveThroughTheTablesIds() throws IOException {
    PreferenceData d =
        PairsCsv.read(write("user,chosen_id,rejected_id\nu,j1,j10\nu,j3,j2\n"), jokes());
    assertEquals(0, d.chosen(0));
    assertEquals(9, d.rejected(0));
    assertEquals(2, d.chosen(1));
    assertEquals(1, d.rejected(1));
  }

  @Test
  void pairsByRowIgnoreTheIds() throws IOException {
    PreferenceData d = PairsCsv.read(write("user,chosen_row,rejected_row\nu,1,9\n"), jokes());
    assertEquals(1, d.chosen(0));
    assertEquals(9, d.rejected(0));
  }

  /** The probe's case: ids read as rows trained on the wrong items at chance, silently. */
  @Test
  void theAmbiguousHeaderIsRefusedWhenIdsAreNotRows() throws IOException {
    Path f = write("user,chosen,rejected\nu,1,9\n");
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, jokes()));
    assertTrue(e.getMessage().startsWith(f + ":1: "), e.getMessage());
    assertTrue(e.getMessage().contains(PairsCsv.HEADER_IDS), e.getMessage());
    assertTrue(e.getMessage().contains(PairsCsv.HEADER_ROWS), e.getMessage());
    // where ids are the row numbers the original header stays valid
    assertEquals(9, PairsCsv.read(f, ItemTable.rowOrder(jokes().matrix())).rejected(0));
  }

  @Test
  void unknownItemIdIsNamed() throws IOException {
    Path f = write("user,chosen_id,rejected_id\nu,j1,j2\nu,j1,j11\n");
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, jokes()));
    assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
    assertTrue(e.getMessage().contains("'j11'"), e.getMessage());
  }

  @Test
  void writeByIdRoundTrips() throws IOException {
    ItemTable t = jokes();
    PreferenceData data =
        PreferenceData.builder(TABLE, ITEMS, DIM).add("a", 0, 9).add("b", 4, 3).build();
    Path f = dir.resolve("ids.csv");
    PairsCsv.write(f, data, t.ids());
    assertEquals("user,chosen_id,rejected_id\na,j1,j10\nb,j5,j4\n", Files.readString(f));
    SyntheticPersonalLlmTest.assertSamePairs(data, PairsCsv.read(f, t));
    assertEquals(false, PairsCsv.canWrite(java.util.List.of("a", "b,c")));
  }

  private Path write(String text) throws IOException {
    Path f = dir.resolve("in.csv");
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }
}
