package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad bytes and bad numbers in the text readers: each is an IOException naming the file (and the
 * line where there is one), never a silent U+FFFD, a Java-only number syntax or a trailing value.
 */
class ReaderBadInputTest extends QuietTest {
  private static final float[] TABLE = new float[10 * 2];
  private static final Map<String, Integer> IDS = Map.of("a", 0, "b", 1, "c", 2);

  /** 0xC3 opens a two-byte sequence that '(' does not continue. */
  private static final byte[] BAD_UTF8 = {(byte) 0xC3, '('};

  @TempDir Path dir;

  private Path write(String name, String before, byte[] bad, String after) throws IOException {
    Path f = dir.resolve(name);
    byte[] a = before.getBytes(StandardCharsets.UTF_8);
    byte[] c = after.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[a.length + bad.length + c.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(bad, 0, all, a.length, bad.length);
    System.arraycopy(c, 0, all, a.length + bad.length, c.length);
    Files.write(f, all);
    return f;
  }

  private static void names(IOException e, String where) {
    assertTrue(e.getMessage().contains(where), e.getMessage());
  }

  @Test
  void pairsCsvWithInvalidUtf8NamesFileAndLine() throws IOException {
    Path f = write("p.csv", "user,chosen,rejected\nu", BAD_UTF8, ",1,2\n");
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, TABLE, 10, 2));
    names(e, f + ":");
    names(e, "UTF-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0661", "+1", "\uff11", "1_0"})
  void pairsCsvIndexMustBeAsciiDigits(String index) throws IOException {
    Path f = dir.resolve("d.csv");
    Files.writeString(f, "user,chosen,rejected\nu," + index + ",2\n");
    IOException e = assertThrows(IOException.class, () -> PairsCsv.read(f, TABLE, 10, 2));
    names(e, f + ":2: chosen item");
  }

  @Test
  void comparisonsCsvWithInvalidUtf8NamesFileAndLine() throws IOException {
    Path f = write("c.csv", "user,chosen,rejected\nu,a,b\nu", BAD_UTF8, ",a,c\n");
    IOException e =
        assertThrows(
            IOException.class, () -> Comparisons.read(f, Comparisons.Columns.DEFAULT, IDS));
    names(e, f.toString());
    names(e, "UTF-8");
  }

  @Test
  void comparisonsJsonLinesWithInvalidUtf8NamesFileAndLine() throws IOException {
    Path f =
        write("c.jsonl", "{\"user\":\"u", BAD_UTF8, "\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
    IOException e =
        assertThrows(
            IOException.class, () -> Comparisons.read(f, Comparisons.Columns.DEFAULT, IDS));
    names(e, f.toString());
    names(e, "UTF-8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"user\":\"u\",\"chosen\":\"a\",\"rejected\":\"b\"} {\"user\":\"v\"}",
        "{\"user\":\"u\",\"chosen\":\"a\",\"rejected\":\"b\"} x",
        "{\"user\":\"u\",\"user\":\"v\",\"chosen\":\"a\",\"rejected\":\"b\"}"
      })
  void jsonLineWithTrailingValueOrRepeatedKeyIsRejected(String line) throws IOException {
    Path f = dir.resolve("t.jsonl");
    Files.writeString(f, line + "\n");
    IOException e =
        assertThrows(
            IOException.class, () -> Comparisons.read(f, Comparisons.Columns.DEFAULT, IDS));
    names(e, f + ":1: malformed JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.5f", "2d", "0x1p3", "1e", "٣", "Infinity", "-NaN", "1e39"})
  void ratingThatIsNotADecimalNumberIsRejected(String score) {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                Ratings.read(
                    new java.io.StringReader("user,item,score\nu,a,1\nu,b," + score + "\n"),
                    ',',
                    "r.csv",
                    IDS));
    names(e, "r.csv:3: score");
  }

  @Test
  void decimalRatingsStillRead() throws IOException {
    Ratings r =
        Ratings.read(
            new java.io.StringReader(
                "user,item,score\nu,a,-7.82\nu,b,+4\nu,c,1.5E-3\nv,a,.5\nv,b,3.\n"),
            ',',
            "r.csv",
            IDS);
    assertEquals(5, r.size());
    assertEquals(0.0015f, r.score(2));
  }

  @Test
  void ratingsWithInvalidUtf8NameTheSource() throws IOException {
    Path f = write("ratings.csv", "user,item,score\nu", BAD_UTF8, ",a,1\n");
    try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      IOException e =
          assertThrows(IOException.class, () -> Ratings.read(in, ',', f.toString(), IDS));
      names(e, f.toString());
      names(e, "UTF-8");
    }
  }

  @Test
  void itemIdsFileWithInvalidUtf8NamesTheFile() throws IOException {
    Path table = dir.resolve("t.npy");
    Npy.writeFloat32(table, new float[4], 2, 2);
    Path ids = write("t.ids.txt", "a\n", BAD_UTF8, "\n");
    IOException e = assertThrows(IOException.class, () -> ItemTable.read(table, null, null));
    names(e, ids.toString());
    names(e, "UTF-8");
  }
}
