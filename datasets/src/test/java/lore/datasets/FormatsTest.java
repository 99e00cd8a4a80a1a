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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatsTest extends QuietTest {
  @TempDir Path dir;

  private static float[] random(int n) {
    var rnd = new SplittableRandom(SEED);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextGaussian() * 3);
    }
    return a;
  }

  @Test
  void npyFloat16RoundTripIsWithinHalfPrecision() throws IOException {
    float[] a = random(37 * 11);
    Path f = dir.resolve("a.f16.npy");
    Npy.writeFloat16(f, a, 37, 11);
    Npy.Matrix m = Npy.read(f);
    assertEquals(37, m.rows());
    assertEquals(11, m.cols());
    for (int i = 0; i < a.length; i++) {
      // binary16 has 11 significant bits: relative error <= 2^-11 (plus subnormal absolute error)
      assertEquals(a[i], m.data()[i], Math.abs(a[i]) * 0x1p-11 + 0x1p-24, "seed " + SEED);
      assertEquals(Float.float16ToFloat(Float.floatToFloat16(a[i])), m.data()[i]);
    }
  }

  @Test
  void safetensorsRoundTripsF32ExactlyAndF16Bf16WithinTheirPrecision() throws IOException {
    float[] a = random(20 * 7);
    for (Dtype t : Dtype.values()) {
      Path f = dir.resolve("e-" + t + ".safetensors");
      Safetensors.write(f, "embeddings", a, 20, 7, t, Map.of("format", "pt"));
      assertEquals(List.of("embeddings"), Safetensors.names(f));
      Npy.Matrix m = Safetensors.read(f, null);
      assertEquals(20, m.rows());
      assertEquals(7, m.cols());
      double rel = t == Dtype.F32 ? 0 : t == Dtype.F16 ? 0x1p-11 : 0x1p-8;
      for (int i = 0; i < a.length; i++) {
        assertEquals(
            a[i],
            m.data()[i],
            Math.abs(a[i]) * rel + (t == Dtype.F16 ? 0x1p-24 : 0),
            t + " seed " + SEED);
      }
    }
  }

  @Test
  void bf16RoundsToNearestEven() {
    assertEquals((short) 0x3F80, Dtype.toBf16(1f));
    // 1 + 2^-8 is halfway between bf16 1 and 1 + 2^-7: ties to even (1)
    assertEquals((short) 0x3F80, Dtype.toBf16(1f + 0x1p-8f));
    assertEquals((short) 0x3F81, Dtype.toBf16(1f + 0x1p-8f + 0x1p-20f));
  }

  /** A safetensors file written by hand exactly as safetensors.torch.save_file lays it out. */
  private Path handWritten(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = dir.resolve("hand-" + Math.abs(header.hashCode()) + ".safetensors");
    Files.write(f, b.array());
    return f;
  }

  @Test
  void readsBf16TensorOfTorchLayoutAmongSeveral() throws IOException {
    // bf16 of 1.0, -2.0, 0.5, 3.0 (row-major 2 x 2), then an unrelated F32 tensor
    byte[] data = {
      (byte) 0x80, 0x3F, 0x00, (byte) 0xC0, 0x00, 0x3F, 0x40, 0x40, 0, 0, (byte) 0x80, 0x3F
    };
    Path f =
        handWritten(
            "{\"__metadata__\":{\"format\":\"pt\"},\"embeddings\":{\"dtype\":\"BF16\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,8]},\"bias\":{\"dtype\":\"F32\",\"shape\":[1,1],"
                + "\"data_offsets\":[8,12]}}",
            data);
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 3f}, Safetensors.read(f, "embeddings").data());
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(f, null));
    assertTrue(e.getMessage().contains("2 tensors"), e.getMessage());
    e = assertThrows(IOException.class, () -> Safetensors.read(f, "nope"));
    assertTrue(e.getMessage().contains("no tensor 'nope'"), e.getMessage());
  }

  @Test
  void malformedSafetensorsNameFileAndOffset() throws IOException {
    Path good = dir.resolve("g.safetensors");
    Safetensors.write(good, "x", new float[] {1, 2, 3, 4}, 2, 2, Dtype.F32, Map.of());
    byte[] bytes = Files.readAllBytes(good);
    Path trunc = dir.resolve("trunc.safetensors");
    Files.write(trunc, Arrays.copyOf(bytes, 20));
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(trunc, null));
    assertTrue(e.getMessage().contains(trunc.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated safetensors header"), e.getMessage());
    assertTrue(e.getMessage().contains("byte offset"), e.getMessage());
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2});
    e = assertThrows(IOException.class, () -> Safetensors.read(tiny, null));
    assertTrue(e.getMessage().contains("truncated safetensors header"), e.getMessage());
    Path shortData = dir.resolve("short.safetensors");
    Files.write(shortData, Arrays.copyOf(bytes, bytes.length - 4));
    e = assertThrows(IOException.class, () -> Safetensors.read(shortData, null));
    assertTrue(e.getMessage().contains("truncated data"), e.getMessage());
    Path badJson = handWritten("{\"x\":{\"dtype\":\"F32\",", new byte[0]);
    e = assertThrows(IOException.class, () -> Safetensors.read(badJson, null));
    assertTrue(e.getMessage().contains("malformed safetensors header JSON"), e.getMessage());
    Path i64 =
        handWritten(
            "{\"x\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[0,8]}}", new byte[8]);
    e = assertThrows(IOException.class, () -> Safetensors.read(i64, null));
    assertTrue(e.getMessage().contains("unsupported dtype 'I64'"), e.getMessage());
    Path mismatch =
        handWritten(
            "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", new byte[16]);
    e = assertThrows(IOException.class, () -> Safetensors.read(mismatch, null));
    assertTrue(e.getMessage().contains("needs 16"), e.getMessage());
  }

  @Test
  void nanIsRejectedWithRowColumnAndOffset() throws IOException {
    Path f = dir.resolve("nan.npy");
    float[] a = {1, 2, 3, 4, 5, 6};
    Npy.writeFloat32(f, a, 2, 3);
    byte[] b = Files.readAllBytes(f);
    int at = b.length - 4 * 2; // row 1, column 1
    ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN);
    Files.write(f, b);
    IOException e = assertThrows(IOException.class, () -> Npy.read(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("NaN at row 1, column 1 (byte offset " + at + ")"), e.getMessage());
  }

  @Test
  void itemTableWithIdsSideFileRoundTripsAndRejectsDuplicates() throws IOException {
    Npy.Matrix m = new Npy.Matrix(random(6), 3, 2);
    ItemTable t = new ItemTable(m, List.of("a", "b", "c"));
    for (String name : new String[] {"t.npy", "t.f16.npy", "t.safetensors"}) {
      Path f = dir.resolve(name);
      t.write(f, null);
      ItemTable back = ItemTable.read(f, null, null);
      assertEquals(List.of("a", "b", "c"), back.ids(), name);
      assertEquals(2, back.index().get("c"));
    }
    Path ids = dir.resolve("dup.ids.txt");
    Files.writeString(ids, "a\nb\na\n");
    IOException e =
        assertThrows(IOException.class, () -> ItemTable.read(dir.resolve("t.npy"), ids, null));
    assertTrue(
        e.getMessage().contains(ids + ":3: duplicated item id 'a' (first on line 1)"),
        e.getMessage());
    Files.writeString(ids, "a\nb\n");
    e = assertThrows(IOException.class, () -> ItemTable.read(dir.resolve("t.npy"), ids, null));
    assertTrue(e.getMessage().contains("2 item ids for 3 embedding rows"), e.getMessage());
    Path plain = dir.resolve("plain.npy");
    Npy.writeFloat32(plain, m.data(), 3, 2);
    assertEquals(List.of("0", "1", "2"), ItemTable.read(plain, null, null).ids());
  }

  @Test
  void csvReaderHandlesQuotesLineBreaksAndTabs() throws IOException {
    String text = "id,text\n1,\"say \"\"hi\"\", then\nleave\"\n2,plain\n";
    try (Csv c = new Csv(new java.io.StringReader(text), ',', "x.csv")) {
      assertEquals(Map.of("id", 0, "text", 1), c.header());
      assertEquals(List.of("1", "say \"hi\", then\nleave"), c.next());
      assertEquals(List.of("2", "plain"), c.next());
      assertEquals(4, c.line());
      assertEquals(null, c.next());
    }
    try (Csv c = new Csv(new java.io.StringReader("a\tb\n\"x\ty\"\tz\n"), '\t', "x.tsv")) {
      c.header();
      assertEquals(List.of("x\ty", "z"), c.next());
    }
  }
}
