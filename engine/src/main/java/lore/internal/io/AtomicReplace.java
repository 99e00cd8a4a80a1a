package lore.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Replaces a file so that readers see the old content or the new, never a half-written file: the
 * new content goes to {@code .NAME.tmp} in the same directory, is forced to disk, and is moved over
 * {@code NAME} (atomically where the file system supports it).
 *
 * <p>The temporary name is one per target, not a random one, so a save killed half-way leaves at
 * most one temporary file, which the next save to that target reuses and moves away. The temporary
 * file is guarded by an exclusive {@link FileLock}: a second writer to the same target, in this
 * process or another, fails with an IOException instead of writing into the same file. It is
 * created like any new file (mode 0666 less the umask, e.g. 0644; not {@code
 * Files.createTempFile}'s owner-only 0600), and the result keeps that mode.
 */
public final class AtomicReplace {
  private static final int ATTEMPTS = 10;

  /**
   * Targets being saved by this process. A file lock excludes other processes only: the JDK keeps
   * no reliable per-thread exclusion, and on POSIX systems closing any channel on a file drops the
   * process's locks on it, so a second thread must never even open the temporary file.
   */
  private static final java.util.Set<Path> SAVING =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private AtomicReplace() {}

  /** Writes the new content of a file to an open channel (at position 0, the file empty). */
  @FunctionalInterface
  public interface Body {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** The temporary file a save to {@code file} writes: {@code .NAME.tmp} beside it. */
  public static Path temporaryFor(Path file) {
    Path abs = file.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + ".tmp");
  }

  /**
   * Runs {@code body} on the temporary file of {@code file}, forces it to disk and moves it over
   * {@code file}. On failure the temporary file is removed and {@code file} is left as it was.
   * Blocking I/O.
   *
   * @throws IOException if writing, forcing or moving fails, or another save to the same file is in
   *     progress (the message names the file)
   */
  public static void replace(Path file, Body body) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Path dir = target.getParent();
    if (dir != null && Files.isDirectory(dir)) { // one key for every spelling of the directory
      target = dir.toRealPath().resolve(target.getFileName());
    }
    if (!SAVING.add(target)) {
      throw new IOException(target + ": another save to this file is in progress in this process");
    }
    try {
      replaceLocked(target, body);
    } finally {
      SAVING.remove(target);
    }
  }

  private static void replaceLocked(Path target, Body body) throws IOException {
    Path tmp = temporaryFor(target);
    // where the file system names files by key (device and inode), a writer checks that the file
    // it locked is still the one at the temporary name; a directory has a key exactly then
    boolean keyed = target.getParent() != null && fileKey(target.getParent()) != null;
    for (int attempt = 1; ; attempt++) {
      Object before = fileKey(tmp);
      // no TRUNCATE_EXISTING: the file may be another writer's until we hold its lock
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
          lock = null;
        }
        if (lock == null) {
          throw new IOException(
              target + ": another save to this file is in progress (" + tmp + " is locked)");
        }
        // A save that finished between our open and our lock has moved the file we opened onto
        // the target; write only if the temporary name still names the file we locked.
        Object now = fileKey(tmp);
        if (keyed && (before == null || !before.equals(now))) {
          if (attempt < ATTEMPTS) {
            continue; // closing the channel releases the lock
          }
          throw new IOException(
              target + ": " + tmp + " keeps changing; is another process saving to this file?");
        }
        try {
          ch.truncate(0); // a killed save's leftover is reused
          body.writeTo(ch);
          ch.force(true);
          try {
            Files.move(
                tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
          }
        } catch (IOException | RuntimeException | Error e) {
          // we hold the lock, so the file at the temporary name is ours to remove
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
        return;
      }
    }
  }

  /** The file key (device and inode) of {@code p}, or null if it does not exist or has none. */
  private static Object fileKey(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
