package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Headers that lie: every one must be an IOException naming the file and the tensor. */
class SafetensorsTest extends QuietTest {
  @TempDir Path dir;

  /** An 8-byte little-endian header length, the header, then the data buffer. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  static String tensor(String shape, String offsets) {
    return "{\"x\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
  }

  static Stream<Arguments> lies() {
    return Stream.of(
        // (2^62 + 2)^2 wraps to 4 elements: once loaded as a 2 x 2 matrix
        Arguments.of(
            "product overflows to 4",
            tensor("[4611686018427387906,4611686018427387906]", "[0,16]"),
            16,
            "overflows"),
        // 2^32 x 2^32 wraps to 0 elements: once loaded as 0 x 0
        Arguments.of(
            "product overflows to 0", tensor("[4294967296,4294967296]", "[0,0]"), 0, "overflows"),
        Arguments.of("float shape", tensor("[2.7,2]", "[0,16]"), 16, "not a non-negative integer"),
        Arguments.of(
            "float 2.0 shape", tensor("[2.0,2]", "[0,16]"), 16, "not a non-negative integer"),
        Arguments.of(
            "string shape", tensor("[\"2\",2]", "[0,16]"), 16, "not a non-negative integer"),
        Arguments.of(
            "negative shape", tensor("[-2,-2]", "[0,16]"), 16, "not a non-negative integer"),
        Arguments.of(
            "shape beyond a long",
            tensor("[18446744073709551616,1]", "[0,16]"),
            16,
            "not a non-negative integer"),
        Arguments.of("1-D", tensor("[4]", "[0,16]"), 16, "2-D"),
        Arguments.of("string offsets", tensor("[2,2]", "[\"0\",\"16\"]"), 16, "data_offsets"),
        Arguments.of("float offsets", tensor("[2,2]", "[0.0,16]"), 16, "data_offsets"),
        Arguments.of("three offsets", tensor("[2,2]", "[0,16,16]"), 16, "data_offsets"),
        Arguments.of("begin after end", tensor("[0,0]", "[16,0]"), 16, "begin"),
        Arguments.of("negative begin", tensor("[2,2]", "[-16,0]"), 16, "data_offsets"),
        Arguments.of("past the data", tensor("[2,2]", "[8,24]"), 16, "past the end"),
        Arguments.of(
            "end overflows",
            tensor("[0,0]", "[9223372036854775807,9223372036854775807]"),
            16,
            "past the end"),
        Arguments.of("too few bytes", tensor("[2,2]", "[0,8]"), 16, "needs 16"),
        Arguments.of(
            "duplicate tensor",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
            16,
            "Duplicate field 'x'"),
        Arguments.of(
            "duplicate shape",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1],\"shape\":[2,2],\"data_offsets\":[0,16]}}",
            16,
            "Duplicate field 'shape'"),
        Arguments.of(
            "bad other tensor",
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"y\":{\"dtype\":\"I64\",\"shape\":[2.5],\"data_offsets\":[0,16]}}",
            16,
            "tensor 'y'"),
        Arguments.of(
            "non-string dtype",
            "{\"x\":{\"dtype\":3,\"shape\":[2,2],\"data_offsets\":[0,16]}}",
            16,
            "dtype"),
        Arguments.of(
            "metadata not strings",
            "{\"__metadata__\":{\"a\":[1]},\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,16]}}",
            16,
            "__metadata__"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lies")
  void lyingHeaderIsRejectedNamingFileAndTensor(
      String name, String header, int dataBytes, String expected) throws IOException {
    Path f = dir.resolve(name.replace(' ', '_') + ".safetensors");
    Files.write(f, file(header, new byte[dataBytes]));
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, "x"), name);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    if (!name.startsWith("duplicate") && !name.contains("metadata")) {
      assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
    }
  }

  @Test
  void headerThatIsNotUtf8IsRejectedNamingTheFile() throws IOException {
    // found by fuzzing: '{' then three zero bytes made Jackson guess UTF-32 and throw its own
    // CharConversionException, whose message did not name the file
    for (byte[] h :
        new byte[][] {
          {'{', 0, 0, 0, 'J', 'a', '_', 'o'},
          "{\"x\":1}".getBytes(StandardCharsets.UTF_16LE),
          {'{', '"', (byte) 0xC3, '(', '"', ':', '{', '}', '}'}
        }) {
      Path f = dir.resolve("enc.safetensors");
      ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(h.length).put(h);
      Files.write(f, b.array());
      IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, null));
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
  }

  @Test
  void namesRejectsAHeaderThatReadRejects() throws IOException {
    Path f = dir.resolve("dup.safetensors");
    Files.write(
        f,
        file(
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}",
            new byte[4]));
    IOException e = assertThrows(IOException.class, () -> Safetensors.names(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void honestHeadersStillRead() throws IOException {
    Path f = dir.resolve("ok.safetensors");
    byte[] data = new byte[16 + 8];
    ByteBuffer.wrap(data)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putFloat(1)
        .putFloat(2)
        .putFloat(3)
        .putFloat(4);
    Files.write(
        f,
        file(
            "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,16]},\"ids\":{\"dtype\":\"I64\",\"shape\":[1],"
                + "\"data_offsets\":[16,24]},\"none\":{\"dtype\":\"F32\",\"shape\":[0,3],"
                + "\"data_offsets\":[24,24]}}",
            data));
    assertEquals(List.of("x", "ids", "none"), Safetensors.names(f));
    Npy.Matrix m = Safetensors.read(f, "x");
    assertEquals(2, m.rows());
    assertEquals(2, m.cols());
    assertArrayEquals(new float[] {1, 2, 3, 4}, m.data());
    Npy.Matrix empty = Safetensors.read(f, "none");
    assertEquals(0, empty.rows());
    assertEquals(3, empty.cols());
  }
}
