package lore.datasets;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** Atomic replacement of a file: write a temporary file in the same directory, then move it. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the body of a file to an open channel. */
  @FunctionalInterface
  interface Body {
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code body} on a new temporary file next to {@code file}, forces it to disk, and moves it
   * over {@code file} (atomically where the file system supports it). On any failure the temporary
   * file is deleted and {@code file} is left as it was. The temporary file is created with the
   * default permissions (not {@code Files.createTempFile}'s owner-only ones), which the result
   * keeps.
   */
  static void write(Path file, Body body) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    FileChannel ch = null;
    Path tmp = null;
    for (int attempt = 0; ch == null; attempt++) {
      tmp =
          dir.resolve(
              "."
                  + abs.getFileName()
                  + "."
                  + Long.toHexString(ThreadLocalRandom.current().nextLong())
                  + ".tmp");
      try {
        ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
    try {
      try (FileChannel c = ch) {
        body.writeTo(c);
        c.force(false);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }
}
