package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest extends QuietTest {
  /** {@code np.save(f, np.array([[1.5, -2, 0.25], [3e38, -0.0, 7]], dtype='<f4'))}, numpy 2.4. */
  private static final String NUMPY_HEADER =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  private static final String NUMPY_DATA = "0000c03f000000c00000803ee6b1617f000000800000e040";
  private static final float[] NUMPY_VALUES = {1.5f, -2f, 0.25f, 3e38f, -0f, 7f};

  @TempDir Path dir;

  @Test
  void writeMatchesNumpyByteForByte() throws IOException {
    Path f = dir.resolve("a.npy");
    Npy.writeFloat32(f, NUMPY_VALUES, 2, 3);
    assertArrayEquals(
        npy(1, NUMPY_HEADER, 128, HexFormat.of().parseHex(NUMPY_DATA)), Files.readAllBytes(f));
  }

  @Test
  void readsNumpyVersion1And2Files() throws IOException {
    byte[] data = HexFormat.of().parseHex(NUMPY_DATA);
    for (int version : new int[] {1, 2}) {
      Path f = dir.resolve("v" + version + ".npy");
      Files.write(f, npy(version, NUMPY_HEADER, 128, data));
      Npy.Matrix m = Npy.readFloat32(f);
      assertEquals(2, m.rows());
      assertEquals(3, m.cols());
      assertArrayEquals(NUMPY_VALUES, m.data(), "version " + version);
      assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(m.data()[4]));
    }
  }

  @Test
  void layoutFromAStreamLocatesEveryRowOfVersion1And2AndFloat16Files() throws IOException {
    byte[] data = HexFormat.of().parseHex(NUMPY_DATA);
    for (int version : new int[] {1, 2}) {
      byte[] file = npy(version, NUMPY_HEADER, 128, data);
      try (var in = new java.io.ByteArrayInputStream(file)) {
        Npy.Layout l = Npy.layout(in, "v" + version);
        assertEquals(Dtype.F32, l.dtype());
        assertEquals(2, l.rows());
        assertEquals(3, l.cols());
        assertEquals(file.length - data.length, l.dataOffset(), "the stream is at the first value");
        byte[] row1 = in.readNBytes((int) l.rowBytes() * 2);
        float[] back = l.decode(Arrays.copyOfRange(row1, 12, 24), 1, 1, "v" + version);
        assertArrayEquals(Arrays.copyOfRange(NUMPY_VALUES, 3, 6), back);
      }
    }
    Path f16 = dir.resolve("h.npy");
    float[] v = {1f, -2f, 0.5f, 3f, 4f, 5f};
    Npy.writeFloat16(f16, v, 3, 2);
    try (var in = Files.newInputStream(f16)) {
      Npy.Layout l = Npy.layout(in, "h");
      assertEquals(Dtype.F16, l.dtype());
      in.skipNBytes(l.rowBytes() * 2);
      assertArrayEquals(new float[] {4f, 5f}, l.decode(in.readNBytes(4), 2, 1, "h"));
    }
    byte[] nan = new byte[] {0, 0, (byte) 0xC0, 0x7F};
    Npy.Layout one = new Npy.Layout(Dtype.F32, 9, 1, 128);
    IOException e = assertThrows(IOException.class, () -> one.decode(nan, 7, 1, "x.npy"));
    assertTrue(e.getMessage().contains("of the rows from 7"), e.getMessage());
    assertThrows(
        IOException.class,
        () -> Npy.layout(new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}), "short"));
  }

  @Test
  void roundTripPreservesShapeAndEveryBit() throws IOException {
    var rnd = new SplittableRandom(SEED);
    int rows = 1000;
    int cols = 1537; // > one 4 MB chunk in total, and not a multiple of anything
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      float v;
      do { // any finite bit pattern, subnormals and -0 included; reading rejects NaN and infinity
        v = Float.intBitsToFloat(rnd.nextInt());
      } while (!Float.isFinite(v));
      data[i] = v;
    }
    Path f = dir.resolve("big.npy");
    Npy.writeFloat32(f, data, rows, cols);
    Npy.Matrix m = Npy.readFloat32(f);
    assertEquals(rows, m.rows());
    assertEquals(cols, m.cols());
    for (int i = 0; i < data.length; i++) {
      if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(m.data()[i])) {
        throw new AssertionError("element " + i + " differs, seed " + SEED);
      }
    }
  }

  @Test
  void emptyMatrixRoundTrips() throws IOException {
    Path f = dir.resolve("empty.npy");
    Npy.writeFloat32(f, new float[0], 0, 5);
    Npy.Matrix m = Npy.readFloat32(f);
    assertEquals(0, m.rows());
    assertEquals(5, m.cols());
    assertEquals(0, m.data().length);
  }

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("x.npy");
    Files.writeString(f, "old");
    Npy.writeFloat32(f, new float[] {1, 2}, 1, 2);
    assertArrayEquals(new float[] {1, 2}, Npy.readFloat32(f).data());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void writeRejectsDataOfTheWrongLength() {
    Path f = dir.resolve("x.npy");
    var e =
        assertThrows(IllegalArgumentException.class, () -> Npy.writeFloat32(f, new float[5], 2, 3));
    assertTrue(e.getMessage().contains("2 x 3"), e.getMessage());
    assertTrue(Files.notExists(f));
  }

  static Stream<Arguments> corrupt() {
    byte[] data = HexFormat.of().parseHex(NUMPY_DATA);
    byte[] good = npy(1, NUMPY_HEADER, 128, data);
    byte[] badMagic = good.clone();
    badMagic[1] = 'X';
    byte[] version3 = good.clone();
    version3[6] = 3;
    byte[] longHeaderLen = good.clone();
    longHeaderLen[8] = (byte) 0xff;
    longHeaderLen[9] = (byte) 0x7f;
    return Stream.of(
        Arguments.of("empty", new byte[0], "not a .npy file"),
        Arguments.of("short", new byte[] {(byte) 0x93, 'N', 'U'}, "not a .npy file"),
        Arguments.of("bad magic", badMagic, "bad magic"),
        Arguments.of("version 3", version3, "unsupported .npy version 3.0"),
        Arguments.of("truncated header", Arrays.copyOf(good, 60), "truncated .npy header"),
        Arguments.of("header length past end", longHeaderLen, "truncated .npy header"),
        Arguments.of("truncated data", Arrays.copyOf(good, good.length - 1), "truncated data"),
        Arguments.of("trailing bytes", concat(good, new byte[3]), "3 unexpected bytes"),
        Arguments.of(
            "float64",
            npy(1, NUMPY_HEADER.replace("<f4", "<f8"), 128, data),
            "unsupported dtype '<f8'"),
        Arguments.of(
            "big-endian",
            npy(1, NUMPY_HEADER.replace("<f4", ">f4"), 128, data),
            "unsupported dtype '>f4'"),
        Arguments.of(
            "fortran", npy(1, NUMPY_HEADER.replace("False", "True"), 128, data), "Fortran"),
        Arguments.of("1-D", npy(1, NUMPY_HEADER.replace("(2, 3)", "(6,)"), 128, data), "2-D"),
        Arguments.of("3-D", npy(1, NUMPY_HEADER.replace("(2, 3)", "(1, 2, 3)"), 128, data), "2-D"),
        Arguments.of(
            "bad shape",
            npy(1, NUMPY_HEADER.replace("(2, 3)", "(2, x)"), 128, data),
            "malformed .npy shape"),
        Arguments.of(
            "no shape",
            npy(1, NUMPY_HEADER.replace("'shape'", "'form'"), 128, data),
            "malformed .npy header"),
        Arguments.of("not a dict", npy(1, "[1, 2]", 64, data), "malformed .npy header"),
        Arguments.of(
            "huge",
            npy(1, NUMPY_HEADER.replace("(2, 3)", "(100000, 100000)"), 128, data),
            "more elements"));
  }

  /** Header dicts that a pattern search misreads: each must be rejected, naming the file. */
  static Stream<Arguments> lyingHeaders() {
    String ok = "'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)";
    return Stream.of(
        // a pattern search found the '<f2' inside the first value and read 4 bytes as 2 halves
        Arguments.of(
            "descr inside a value", "{'x': \"'descr': '<f2', \", " + ok + ", }", "unknown key 'x'"),
        Arguments.of("duplicate descr", "{'descr': '<f2', " + ok + ", }", "duplicate key 'descr'"),
        Arguments.of("duplicate shape", "{" + ok + ", 'shape': (2, 1), }", "duplicate key 'shape'"),
        Arguments.of("text after the dict", "{" + ok + ", } }", "after the dict"),
        Arguments.of(
            "missing shape", "{'descr': '<f2', 'fortran_order': False, }", "missing key 'shape'"),
        Arguments.of(
            "order as text",
            "{'descr': '<f2', 'fortran_order': 'False', 'shape': (1, 2)}",
            "fortran_order"),
        Arguments.of(
            "descr not text", "{'descr': 2, 'fortran_order': False, 'shape': (1, 2)}", "descr"),
        Arguments.of(
            "unterminated text",
            "{'descr': '<f2, 'fortran_order': False, 'shape': (1, 2)}",
            "malformed .npy header"),
        Arguments.of(
            "negative dimension",
            "{'descr': '<f2', 'fortran_order': False, 'shape': (-1, -2)}",
            "malformed .npy shape"),
        Arguments.of(
            "float dimension",
            "{'descr': '<f2', 'fortran_order': False, 'shape': (1.0, 2)}",
            "malformed .npy shape"),
        Arguments.of(
            "huge dimension",
            "{'descr': '<f2', 'fortran_order': False, 'shape': (99999999999999999999999, 2)}",
            "out of range"),
        Arguments.of(
            "missing comma",
            "{'descr': '<f2' 'fortran_order': False, 'shape': (1, 2)}",
            "malformed .npy header"),
        Arguments.of(
            "shape not closed",
            "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2}",
            "malformed .npy shape"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lyingHeaders")
  void lyingHeaderDictIsRejected(String name, String header, String expected) throws IOException {
    Path f = dir.resolve("lie-" + name.replace(' ', '_') + ".npy");
    Files.write(f, npy(1, header, 128, new byte[4]));
    IOException e = assertThrows(IOException.class, () -> Npy.readFloat32(f), name);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void headerDictInAnyOrderWithDoubleQuotesIsRead() throws IOException {
    Path f = dir.resolve("order.npy");
    Files.write(
        f,
        npy(
            1,
            "{\"shape\": (1, 2,), \"fortran_order\": False, \"descr\": \"<f2\"}",
            64,
            new byte[] {0, 0x3c, 0, (byte) 0xc0}));
    Npy.Matrix m = Npy.readFloat32(f);
    assertEquals(1, m.rows());
    assertEquals(2, m.cols());
    assertArrayEquals(new float[] {1f, -2f}, m.data());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corrupt")
  void corruptFileIsRejectedNamingTheFile(String name, byte[] bytes, String expected)
      throws IOException {
    Path f = dir.resolve("corrupt-" + name.replace(' ', '_') + ".npy");
    Files.write(f, bytes);
    IOException e = assertThrows(IOException.class, () -> Npy.readFloat32(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void missingFileIsAnIOException() {
    Path f = dir.resolve("missing.npy");
    IOException e = assertThrows(IOException.class, () -> Npy.readFloat32(f));
    assertTrue(e.getMessage().contains("missing.npy"), e.getMessage());
  }

  /**
   * A .npy file: preamble of the version, the header padded with spaces and '\n' to total bytes.
   */
  static byte[] npy(int version, String header, int total, byte[] data) {
    int preamble = version == 1 ? 10 : 12;
    StringBuilder h = new StringBuilder(header);
    while (preamble + h.length() + 1 < total) {
      h.append(' ');
    }
    h.append('\n');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    int len = h.length();
    out.write(len & 0xff);
    out.write(len >>> 8);
    if (version != 1) {
      out.write(0);
      out.write(0);
    }
    out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
