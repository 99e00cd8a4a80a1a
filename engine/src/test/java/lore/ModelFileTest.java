package lore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelFileTest {
  @TempDir Path dir;

  static RewardModel trained() {
    Planted pl = new Planted(9, 20, 3, 50, 12, 0.5);
    PreferenceData data = pl.pairs("user é\"\\,", 0, 12, 10, 0, 50);
    return new Trainer(TrainConfig.defaults().withRank(3).withSteps(20)).train(data);
  }

  @Test
  void roundTripKeepsEverything() throws IOException {
    RewardModel m = trained();
    Path f = dir.resolve("sub/model.lore");
    m.save(f);
    RewardModel back = RewardModel.load(f);
    assertEquals(m.dim(), back.dim());
    assertEquals(m.rank(), back.rank());
    assertEquals(m.logitScale(), back.logitScale());
    assertArrayEquals(m.basis(), back.basis());
    assertEquals(m.userCount(), back.userCount());
    for (int u = 0; u < m.userCount(); u++) {
      assertEquals(m.userId(u), back.userId(u));
      assertEquals(m.weights(m.userId(u)), back.weights(back.userId(u)));
    }
    assertEquals(m.metadata(), back.metadata());
    assertEquals("ALTERNATING", back.metadata().get("optimizer"));
    try (Stream<Path> left = Files.list(f.getParent())) {
      assertEquals(1, left.count(), "temporary file left behind");
    }
  }

  @Test
  void everyTruncationIsRejected() throws IOException {
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    for (int len : new int[] {0, 5, 8, 20, 43, all.length / 2, all.length - 9, all.length - 1}) {
      Path t = dir.resolve("t" + len);
      Files.write(t, Arrays.copyOf(all, len));
      IOException e = assertThrows(IOException.class, () -> RewardModel.load(t), "length " + len);
      assertTrue(e.getMessage().contains(t.toString()), e.getMessage());
    }
  }

  @Test
  void corruptionIsDetected() throws IOException {
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    for (int at : new int[] {40, 100, all.length / 2, all.length - 20}) {
      byte[] bad = all.clone();
      bad[at] ^= 0x10;
      Path t = dir.resolve("c" + at);
      Files.write(t, bad);
      IOException e = assertThrows(IOException.class, () -> RewardModel.load(t));
      assertTrue(
          e.getMessage().contains("checksum") || e.getMessage().contains("corrupted"),
          e.getMessage());
    }
  }

  @Test
  void foreignAndFutureFilesAreRejected() throws IOException {
    Path foreign = dir.resolve("foreign.bin");
    Files.writeString(foreign, "PK\u0003\u0004 this is a zip file, not a model");
    IOException e = assertThrows(IOException.class, () -> RewardModel.load(foreign));
    assertTrue(e.getMessage().contains("not a lore model"), e.getMessage());
    Path f = dir.resolve("m.lore");
    trained().save(f);
    byte[] all = Files.readAllBytes(f);
    all[8] = 9; // version field
    Path future = dir.resolve("future.lore");
    Files.write(future, all);
    IOException v = assertThrows(IOException.class, () -> RewardModel.load(future));
    assertTrue(v.getMessage().contains("version 9"), v.getMessage());
  }

  @Test
  void failedSaveLeavesPreviousModelIntact() throws IOException {
    Path f = dir.resolve("m.lore");
    RewardModel m = trained();
    m.save(f);
    byte[] before = Files.readAllBytes(f);
    Path blocker = dir.resolve("file-not-dir");
    Files.writeString(blocker, "x");
    assertThrows(IOException.class, () -> m.save(blocker.resolve("m.lore")));
    assertArrayEquals(before, Files.readAllBytes(f));
  }

  /**
   * A model file image written field by field (the layout in {@link ModelFile}), with a valid
   * checksum, so that a test can put any value in any field.
   */
  static byte[] image(
      int d, int k, int users, double scale, float[] basis, byte[][] ids, float[] w, byte[] meta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
    h.put("LOREMDL\0".getBytes(StandardCharsets.US_ASCII))
        .putInt(1)
        .putInt(0)
        .putInt(d)
        .putInt(k)
        .putInt(users)
        .putDouble(scale);
    out.writeBytes(h.array());
    ByteBuffer b = ByteBuffer.allocate(4 * basis.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : basis) {
      b.putFloat(v);
    }
    out.writeBytes(b.array());
    for (int u = 0; u < ids.length; u++) {
      ByteBuffer r = ByteBuffer.allocate(4 + ids[u].length + 4 * k).order(ByteOrder.LITTLE_ENDIAN);
      r.putInt(ids[u].length).put(ids[u]);
      for (int j = 0; j < k; j++) {
        r.putFloat(w[u * k + j]);
      }
      out.writeBytes(r.array());
    }
    ByteBuffer m = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.length);
    out.writeBytes(m.array());
    out.writeBytes(meta);
    CRC32C crc = new CRC32C();
    byte[] body = out.toByteArray();
    crc.update(body);
    out.writeBytes(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue()).array());
    return out.toByteArray();
  }

  /** A 2 x 3 model with users "a" and "b", a logit scale and metadata JSON of our choosing. */
  static byte[] small(double scale, byte[] idA, float[] w, String meta) {
    return small(scale, idA, w, meta.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] small(double scale, byte[] idA, float[] w, byte[] meta) {
    float[] basis = {1, 0, 0, 0, 1, 0};
    return image(3, 2, 2, scale, basis, new byte[][] {idA, {'b'}}, w, meta);
  }

  static final float[] GOOD_W = {0.25f, 0.75f, 1f, 0f};

  private IOException loadFails(byte[] image, String name) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, image);
    IOException e = assertThrows(IOException.class, () -> RewardModel.load(f), name);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    return e;
  }

  @Test
  void handWrittenImageLoads() throws IOException {
    Path f = dir.resolve("hand.lore");
    Files.write(f, small(2.5, new byte[] {'a'}, GOOD_W, "{\"k\": \"v\\n\\u00e9\"}"));
    RewardModel m = RewardModel.load(f);
    assertEquals(2.5, m.logitScale());
    assertEquals(List.of("a", "b"), List.of(m.userId(0), m.userId(1)));
    assertEquals(Map.of("k", "v\n\u00e9"), m.metadata());
  }

  @ParameterizedTest
  @ValueSource(
      doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, -1.5})
  void logitScaleThatIsNotPositiveAndFiniteIsRejected(double scale) throws IOException {
    IOException e = loadFails(small(scale, new byte[] {'a'}, GOOD_W, "{}"), "scale.lore");
    assertTrue(e.getMessage().contains("logit scale " + scale), e.getMessage());
  }

  @Test
  void userIdThatIsNotUtf8IsRejected() throws IOException {
    // 0xC3 starts a two-byte sequence that '(' does not continue; 0xFF never occurs in UTF-8
    for (byte[] id :
        new byte[][] {
          {(byte) 0xC3, '('}, {'x', (byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}
        }) {
      IOException e = loadFails(small(1, id, GOOD_W, "{}"), "id.lore");
      assertTrue(e.getMessage().contains("user 0"), e.getMessage());
      assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }
  }

  @Test
  void weightsOffTheSimplexAreRejectedNamingTheUser() throws IOException {
    for (float[] w :
        new float[][] {
          {0.25f, 0.75f, 2f, 0f}, {0.25f, 0.75f, Float.NaN, 1f}, {0.25f, 0.75f, 1.5f, -0.5f}
        }) {
      IOException e = loadFails(small(1, new byte[] {'a'}, w, "{}"), "w.lore");
      assertTrue(e.getMessage().contains("user 1 'b'"), e.getMessage());
    }
  }

  @Test
  void headerWhoseSizesOverflowIsRejected() throws IOException {
    // 4 * B * d overflows a long: once passed the size check and asked for an 8 GB array
    int max = Integer.MAX_VALUE;
    IOException e =
        loadFails(
            image(max, max, 0, 1, new float[1], new byte[0][], new float[0], new byte[] {'{', '}'}),
            "big.lore");
    assertTrue(e.getMessage().contains("d=" + max), e.getMessage());
    e =
        loadFails(
            image(2, 1, max, 1, new float[2], new byte[0][], new float[0], new byte[] {'{', '}'}),
            "users.lore");
    assertTrue(e.getMessage().contains("users=" + max), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":\"b\"} trailing",
        "{\"a\":\"b\",\"a\":\"c\"}",
        "{\"a\":\"\\",
        "{\"a\":\"\\u12",
        "{\"a\":\"\\u+123\"}",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"tab\tin\"}",
        "{\"a\":1}",
        "{\"a\":\"b\",}",
        "[]",
        ""
      })
  void malformedMetadataIsRejected(String meta) throws IOException {
    IOException e = loadFails(small(1, new byte[] {'a'}, GOOD_W, meta), "meta.lore");
    assertTrue(e.getMessage().contains("metadata"), e.getMessage());
  }

  @Test
  void metadataThatIsNotUtf8IsRejected() throws IOException {
    byte[] meta = {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    IOException e = loadFails(small(1, new byte[] {'a'}, GOOD_W, meta), "meta8.lore");
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void savedFileHasThePermissionsOfAPlainNewFile() throws IOException {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX only");
    Path f = dir.resolve("perm.lore");
    trained().save(f);
    Path plain = Files.createFile(dir.resolve("plain"));
    // a model is a plain data file: umask-derived (e.g. 0644), not createTempFile's 0600
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
  }

  @Test
  void orphanedTemporaryFileIsReusedAndRemoved() throws IOException {
    Path f = dir.resolve("m.lore");
    Path orphan = dir.resolve(".m.lore.tmp");
    Files.write(orphan, new byte[100_000]); // what a killed save leaves: longer than the model
    RewardModel m = trained();
    m.save(f);
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(f), left.toList());
    }
    assertEquals(m.userCount(), RewardModel.load(f).userCount());
  }

  @Test
  void saveWhileAnotherSaveHoldsTheTemporaryFileFailsLoudly() throws IOException {
    Path f = dir.resolve("m.lore");
    RewardModel m = trained();
    m.save(f);
    byte[] before = Files.readAllBytes(f);
    Path tmp = dir.resolve(".m.lore.tmp");
    try (FileChannel other =
            FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = other.lock()) {
      IOException e = assertThrows(IOException.class, () -> m.save(f));
      assertTrue(e.getMessage().contains("in progress"), e.getMessage());
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
    assertArrayEquals(before, Files.readAllBytes(f));
  }

  @Test
  void concurrentSavesToOneTargetNeverClobberEachOther() throws Exception {
    Path f = dir.resolve("m.lore");
    RewardModel base = trained();
    int threads = 4;
    List<Thread> ts = new ArrayList<>();
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      RewardModel m = base.withUser("writer-" + t, UserWeights.uniform(base.rank()));
      ts.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 50; i++) {
                      try {
                        m.save(f);
                      } catch (IOException e) {
                        if (!e.getMessage().contains("in progress")) {
                          unexpected.add(e);
                        }
                      }
                    }
                  }));
    }
    for (Thread t : ts) {
      t.join();
    }
    assertEquals(List.of(), unexpected);
    RewardModel back = RewardModel.load(f); // whole, whichever writer won
    assertEquals(base.userCount() + 1, back.userCount());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(f), left.toList());
    }
  }

  @Test
  void killedSavesLeaveAtMostOneTemporaryFile() throws Exception {
    Path f = dir.resolve("big.lore");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int round = 0; round < 3; round++) {
      Set<String> before = temporaries();
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  SaveForever.class.getName(),
                  f.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        assertEquals("saved", r.readLine(), "the child did not save once");
        long until = System.nanoTime() + 5_000_000_000L;
        while (before.containsAll(temporaries()) && System.nanoTime() < until) {
          Thread.onSpinWait(); // until a save is under way: a new temporary file or a changed one
        }
      } finally {
        p.destroyForcibly(); // SIGKILL: no finally block of the child runs
        p.waitFor();
      }
    }
    assertTrue(temporaries().size() <= 1, "temporary files left: " + temporaries());
    RewardModel.load(f); // the target is always a whole model
    trained().save(f);
    assertEquals(Set.of(), temporaries(), "the next save removes the leftover");
  }

  /** Name, size and modification time of every temporary file in {@link #dir}. */
  private Set<String> temporaries() throws IOException {
    Set<String> out = new HashSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().endsWith(".tmp")) {
          try {
            out.add(
                p.getFileName()
                    + " "
                    + Files.size(p)
                    + " "
                    + Files.getLastModifiedTime(p).toMillis());
          } catch (java.nio.file.NoSuchFileException gone) {
            // moved into place meanwhile
          }
        }
      }
    }
    return out;
  }
}
