package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writers' atomic replace: one locked temporary name per target, plain file modes. */
class AtomicFilesTest extends QuietTest {
  @TempDir Path dir;

  private static AtomicFiles.Body text(String s) {
    return ch -> ch.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void resultHasThePermissionsOfAPlainNewFile() throws IOException {
    Assumptions.assumeTrue(
        Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX only");
    Path f = dir.resolve("t.npy");
    Npy.writeFloat32(f, new float[] {1, 2}, 1, 2);
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
  }

  @Test
  void leftoverOfAKilledWriteIsReusedAndRemoved() throws IOException {
    Path f = dir.resolve("items.ids.txt");
    Files.write(dir.resolve(".items.ids.txt.tmp"), new byte[4096]);
    AtomicFiles.write(f, text("a\nb\n"));
    assertEquals(List.of(f), files());
    assertEquals("a\nb\n", Files.readString(f));
  }

  @Test
  void bytesReplaceTheFileWhole() throws IOException {
    Path f = dir.resolve("results.md");
    Files.writeString(f, "an older and longer content");
    byte[] b = new byte[3 << 20];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 31);
    }
    AtomicFiles.write(f, b);
    assertArrayEquals(b, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void writeWhileAnotherHoldsTheTemporaryFileFailsLoudly() throws IOException {
    Path f = dir.resolve("pairs.csv");
    Files.writeString(f, "old");
    try (FileChannel other =
            FileChannel.open(
                dir.resolve(".pairs.csv.tmp"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = other.lock()) {
      IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, text("new")));
      assertTrue(e.getMessage().contains("in progress"), e.getMessage());
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
    assertEquals("old", Files.readString(f));
  }

  @Test
  void failingBodyLeavesTheTargetAndNoTemporaryFile() throws IOException {
    Path f = dir.resolve("e.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    f,
                    ch -> {
                      ch.write(ByteBuffer.wrap(new byte[10]));
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }
}
