package lore.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import lore.internal.io.AtomicReplace;

/**
 * Atomic replacement of a file: write {@code .NAME.tmp} in the same directory (one locked temporary
 * name per target, so a killed write leaves at most one, which the next write reuses), then move
 * it. The same mechanism as the engine's model files: {@link AtomicReplace}. Public for the
 * project's other file writers (the experiment's results file and report), so that there is one way
 * to replace a file.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the body of a file to an open channel. */
  @FunctionalInterface
  interface Body {
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code body} on the temporary file of {@code file}, forces it to disk, and moves it over
   * {@code file} (atomically where the file system supports it). On any failure the temporary file
   * is deleted and {@code file} is left as it was. The file gets the mode of any new file (the
   * umask's, not {@code Files.createTempFile}'s owner-only one).
   *
   * @throws IOException if writing fails or another write to {@code file} is in progress
   */
  static void write(Path file, Body body) throws IOException {
    AtomicReplace.replace(file, body::writeTo);
  }

  /**
   * Replaces {@code file} with {@code bytes}, as {@link #write(Path, Body)} does.
   *
   * @throws IOException if writing fails or another write to {@code file} is in progress
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(
        file,
        ch -> {
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) { // a channel may write less than asked
            ch.write(buf);
          }
        });
  }
}
