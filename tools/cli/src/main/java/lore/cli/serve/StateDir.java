package lore.cli.serve;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import lore.datasets.AtomicFiles;

/**
 * The service's state directory: {@code snapshot.bin} (the observed users as of a log sequence
 * number, replaced atomically), {@code updates.log} (every update after it, see {@link UpdateLog})
 * and {@code lock}, held while a server runs so that two servers never write the same state.
 *
 * <pre>
 *   snapshot  magic "LORESNP\0", int32 version 1, int32 d, int32 B, int64 model fingerprint,
 *             int64 last sequence number, int32 users, per user: int32 id length, UTF-8 id,
 *             int64 pairs observed, int32 k pairs kept, k x B float32 projected pairs,
 *             B float32 weights; int64 CRC32C of every byte before it
 * </pre>
 */
final class StateDir implements Closeable {
  private static final byte[] MAGIC = "LORESNP\0".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

  /** A user's observed pairs (the most recent {@code k}, projected) and fitted weights. */
  record UserState(long observed, float[] projected, int k, float[] weights) {}

  /** The observed users as of log sequence number {@code lastSeq}. */
  record Snapshot(long lastSeq, Map<String, UserState> users) {}

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private StateDir(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed and locks it.
   *
   * @throws IOException if another process holds it (another server on the same state)
   */
  static StateDir open(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch =
        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      l = null; // held by this process
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (l == null) {
      ch.close();
      throw new IOException(
          "state directory " + dir + " is in use by another server (its lock file is held)");
    }
    return new StateDir(dir, ch, l);
  }

  Path log() {
    return dir.resolve("updates.log");
  }

  Path snapshotFile() {
    return dir.resolve("snapshot.bin");
  }

  /** The snapshot, or an empty one at sequence 0 when there is none yet. */
  Snapshot readSnapshot(int dim, int rank, long fingerprint) throws IOException {
    Path f = snapshotFile();
    if (!Files.exists(f)) {
      return new Snapshot(0, new LinkedHashMap<>());
    }
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (bytes.length < 8 + 4 * 3 + 8 + 8 + 4 + 8) {
        throw new IOException("truncated (" + bytes.length + " bytes)");
      }
      for (byte m : MAGIC) {
        if (b.get() != m) {
          throw new IOException("not a lore snapshot (bad magic)");
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, bytes.length - 8);
      if (crc.getValue() != b.getLong(bytes.length - 8)) {
        throw new IOException("checksum mismatch");
      }
      int version = b.getInt();
      if (version != VERSION) {
        throw new IOException("snapshot version " + version + ", expected " + VERSION);
      }
      int d = b.getInt();
      int k = b.getInt();
      long fp = b.getLong();
      if (d != dim || k != rank || fp != fingerprint) {
        throw new IOException(
            "written for another model (d "
                + d
                + ", B "
                + k
                + "; this model: d "
                + dim
                + ", B "
                + rank
                + ", or another basis): serve it with that model, or give another --state"
                + " directory");
      }
      long lastSeq = b.getLong();
      int users = b.getInt();
      Map<String, UserState> out = new LinkedHashMap<>();
      for (int u = 0; u < users; u++) {
        byte[] id = new byte[b.getInt()];
        b.get(id);
        long observed = b.getLong();
        int pairs = b.getInt();
        float[] projected = new float[pairs * rank];
        for (int i = 0; i < projected.length; i++) {
          projected[i] = b.getFloat();
        }
        float[] w = new float[rank];
        for (int i = 0; i < rank; i++) {
          w[i] = b.getFloat();
        }
        out.put(
            new String(id, StandardCharsets.UTF_8), new UserState(observed, projected, pairs, w));
      }
      return new Snapshot(lastSeq, out);
    } catch (RuntimeException e) { // a buffer underflow or a negative size: not our file
      throw new IOException(f + ": malformed snapshot: " + e, e);
    } catch (IOException e) {
      throw new IOException(f + ": " + e.getMessage(), e);
    }
  }

  /** Replaces the snapshot atomically and makes the rename durable before returning. */
  void writeSnapshot(int dim, int rank, long fingerprint, Snapshot s) throws IOException {
    long size = 8 + 4 * 3 + 8 + 8 + 4 + 8;
    Map<String, byte[]> ids = new LinkedHashMap<>();
    for (Map.Entry<String, UserState> e : s.users().entrySet()) {
      byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
      ids.put(e.getKey(), id);
      size += 4 + id.length + 8 + 4 + 4L * e.getValue().k() * rank + 4L * rank;
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("snapshot of " + size + " bytes is too large");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(dim).putInt(rank).putLong(fingerprint);
    b.putLong(s.lastSeq()).putInt(s.users().size());
    for (Map.Entry<String, UserState> e : s.users().entrySet()) {
      UserState u = e.getValue();
      byte[] id = ids.get(e.getKey());
      b.putInt(id.length).put(id).putLong(u.observed()).putInt(u.k());
      for (int i = 0; i < u.k() * rank; i++) {
        b.putFloat(u.projected()[i]);
      }
      for (int i = 0; i < rank; i++) {
        b.putFloat(u.weights()[i]);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putLong(crc.getValue());
    AtomicFiles.write(snapshotFile(), b.array());
    syncDirectory(dir);
  }

  /** Forces a directory's entries (a new or renamed file in it) to disk. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }
}
