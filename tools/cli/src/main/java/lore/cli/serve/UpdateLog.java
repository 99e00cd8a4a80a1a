package lore.cli.serve;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The append-only log of users' updates. Each record is forced to disk before {@link #append}
 * returns, so an update acknowledged after it survives a kill -9 (and a power loss, as far as the
 * disk keeps its promise to fsync).
 *
 * <pre>
 *   header  magic "LORELOG\0", int32 version 1, int32 d, int32 B, int64 model fingerprint
 *   record  int32 payload length, int32 CRC32C of the payload, payload:
 *           int64 sequence number, int32 id length, UTF-8 user id,
 *           int32 k, k x B float32 projected pairs A (e_c - e_r), B float32 weights after the fit
 * </pre>
 *
 * Little-endian. On open, a record cut short or failing its checksum at the end of the file is a
 * write that a kill interrupted (never acknowledged): the file is truncated before it. The same
 * damage followed by further records is not a torn tail, and opening fails rather than dropping
 * acknowledged updates. Not thread-safe: the caller serializes appends.
 */
final class UpdateLog implements Closeable {
  private static final byte[] MAGIC = "LORELOG\0".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  static final int HEADER = 8 + 4 + 4 + 4 + 8;
  private static final int MAX_RECORD = 64 << 20;

  /**
   * One update: {@code k} new projected pairs of {@code user} and the weights fitted after them.
   */
  record Entry(long seq, String user, float[] projected, int k, float[] weights) {}

  private final Path file;
  private final FileChannel channel;
  private final int rank;
  private long records;

  private UpdateLog(Path file, FileChannel channel, int rank, long records) {
    this.file = file;
    this.channel = channel;
    this.rank = rank;
    this.records = records;
  }

  /**
   * Opens (or creates) the log and hands every intact record to {@code replay}, in order.
   *
   * @throws IOException if the file is not a log of this model (d, B, fingerprint), or is damaged
   *     before its last record; the message names the file and the byte offset
   */
  static UpdateLog open(Path file, int dim, int rank, long fingerprint, Consumer<Entry> replay)
      throws IOException {
    boolean fresh = !Files.exists(file) || Files.size(file) == 0;
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      if (fresh) {
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(dim).putInt(rank).putLong(fingerprint).flip();
        ch.truncate(0);
        writeFully(ch, h, 0);
        ch.force(true);
        StateDir.syncDirectory(file.toAbsolutePath().getParent());
        return new UpdateLog(file, ch, rank, 0);
      }
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException(file + ": log of " + size + " bytes is too large to replay");
      }
      ByteBuffer all = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (all.hasRemaining() && ch.read(all, all.position()) >= 0) {}
      all.flip();
      checkHeader(all, file, dim, rank, fingerprint);
      long count = 0;
      int at = HEADER;
      while (at < all.limit()) {
        int state = check(all, at);
        if (state == DAMAGED && !zeros(all, at)) {
          throw new IOException(
              file
                  + ": damaged record at byte offset "
                  + at
                  + " with "
                  + (all.limit() - at)
                  + " bytes after it: not a write cut short by a kill; move the file aside to"
                  + " start without its updates");
        }
        if (state != OK) {
          break; // a torn tail: cut off below
        }
        int len = all.getInt(at);
        replay.accept(decode(all.slice(at + 8, len).order(ByteOrder.LITTLE_ENDIAN), rank));
        count++;
        at += 8 + len;
      }
      if (at < all.limit()) {
        ch.truncate(at);
        ch.force(true);
      }
      return new UpdateLog(file, ch, rank, count);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Whether every byte from {@code at} on is zero: space a crash allocated but never filled. */
  private static boolean zeros(ByteBuffer all, int at) {
    for (int i = at; i < all.limit(); i++) {
      if (all.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static final int OK = 0;
  private static final int TORN = 1;
  private static final int DAMAGED = 2;

  /**
   * {@link #OK} if a whole record with a matching checksum starts at {@code at}; {@link #TORN} if
   * it runs to the end of the file and is cut short or fails its checksum (the last write, killed);
   * {@link #DAMAGED} otherwise.
   */
  private static int check(ByteBuffer all, int at) {
    int left = all.limit() - at;
    if (left < 8) {
      return TORN;
    }
    int len = all.getInt(at);
    if (len < 16 || len > MAX_RECORD) {
      return left < 8 + 16 ? TORN : DAMAGED;
    }
    if (8L + len > left) {
      return TORN;
    }
    CRC32C crc = new CRC32C();
    crc.update(all.slice(at + 8, len));
    if ((int) crc.getValue() == all.getInt(at + 4)) {
      return OK;
    }
    return 8L + len == left ? TORN : DAMAGED;
  }

  private static void checkHeader(ByteBuffer b, Path file, int dim, int rank, long fingerprint)
      throws IOException {
    if (b.limit() < HEADER) {
      throw new IOException(file + ": truncated log header (" + b.limit() + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(i) != MAGIC[i]) {
        throw new IOException(file + ": not a lore update log (bad magic)");
      }
    }
    int version = b.getInt(8);
    if (version != VERSION) {
      throw new IOException(file + ": log version " + version + ", expected " + VERSION);
    }
    if (b.getInt(12) != dim || b.getInt(16) != rank || b.getLong(20) != fingerprint) {
      throw new IOException(
          file
              + ": the log was written for another model (d "
              + b.getInt(12)
              + ", B "
              + b.getInt(16)
              + ", fingerprint "
              + Long.toHexString(b.getLong(20))
              + "; this model: d "
              + dim
              + ", B "
              + rank
              + ", fingerprint "
              + Long.toHexString(fingerprint)
              + "): serve it with that model, or give another --state directory");
    }
  }

  private static Entry decode(ByteBuffer p, int rank) {
    long seq = p.getLong();
    byte[] id = new byte[p.getInt()];
    p.get(id);
    int k = p.getInt();
    float[] projected = new float[k * rank];
    p.asFloatBuffer().get(projected);
    p.position(p.position() + 4 * k * rank);
    float[] weights = new float[rank];
    p.asFloatBuffer().get(weights);
    return new Entry(seq, new String(id, StandardCharsets.UTF_8), projected, k, weights);
  }

  /** Appends one record and forces it to disk. Blocking I/O. */
  void append(Entry e) throws IOException {
    byte[] id = e.user().getBytes(StandardCharsets.UTF_8);
    int len = 8 + 4 + id.length + 4 + 4 * e.k() * rank + 4 * rank;
    ByteBuffer b = ByteBuffer.allocate(8 + len).order(ByteOrder.LITTLE_ENDIAN);
    b.position(8);
    b.putLong(e.seq()).putInt(id.length).put(id).putInt(e.k());
    for (int i = 0; i < e.k() * rank; i++) {
      b.putFloat(e.projected()[i]);
    }
    for (int i = 0; i < rank; i++) {
      b.putFloat(e.weights()[i]);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 8, len);
    b.putInt(0, len).putInt(4, (int) crc.getValue());
    b.flip();
    long end = channel.size();
    try {
      writeFully(channel, b, end);
      channel.force(false);
    } catch (IOException ex) {
      channel.truncate(end); // leave no half record for the next append to follow
      throw ex;
    }
    records++;
  }

  /** Records in the log since it was created or last {@link #reset}. */
  long records() {
    return records;
  }

  /** Drops every record (they are in a snapshot now), keeping the header. */
  void reset() throws IOException {
    channel.truncate(HEADER);
    channel.force(true);
    records = 0;
  }

  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
  }
}
