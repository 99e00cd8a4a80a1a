package lore.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files holding one 2-D little-endian float32 matrix in C order
 * ({@code descr '<f4'}, {@code fortran_order False}), format versions 1.0 and 2.0. This is what
 * {@code np.save(f, a.astype('<f4'))} writes for a 2-D array.
 *
 * <p>Blocking I/O; stateless and thread-safe.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK_BYTES = 1 << 22;
  private static final long MAX_FLOATS = Integer.MAX_VALUE - 8L;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * A row-major float matrix.
   *
   * @param data rows x cols, row-major; held, not copied
   * @param rows number of rows, at least 0
   * @param cols number of columns, at least 0
   */
  public record Matrix(float[] data, int rows, int cols) {
    /**
     * @throws IllegalArgumentException if {@code data.length != rows * cols}
     */
    public Matrix {
      Objects.requireNonNull(data, "data");
      checkShape(data.length, rows, cols);
    }
  }

  /**
   * Reads a 2-D {@code '<f4'} C-order matrix. Allocates one float array of rows x cols (plus a 4 MB
   * buffer); blocking I/O.
   *
   * @throws IOException if the file cannot be read, has a bad magic string or an unsupported
   *     version, a malformed header, another dtype, Fortran order, not exactly two dimensions, more
   *     than {@code Integer.MAX_VALUE - 8} elements, or fewer or more data bytes than the shape
   *     needs; the message names the file
   */
  public static Matrix readFloat32(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 10) {
        throw new IOException(file + ": not a .npy file (only " + size + " bytes)");
      }
      ByteBuffer pre = ByteBuffer.allocate((int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, pre, file);
      for (int i = 0; i < MAGIC.length; i++) {
        if (pre.get(i) != MAGIC[i]) {
          throw new IOException(file + ": not a .npy file (bad magic string)");
        }
      }
      int major = pre.get(6) & 0xFF;
      int minor = pre.get(7) & 0xFF;
      long headerLen;
      int preamble;
      if (major == 1 && minor == 0) {
        headerLen = pre.getShort(8) & 0xFFFF;
        preamble = 10;
      } else if (major == 2 && minor == 0) {
        if (size < 12) {
          throw new IOException(file + ": truncated .npy header");
        }
        headerLen = pre.getInt(8) & 0xFFFFFFFFL;
        preamble = 12;
      } else {
        throw new IOException(
            file + ": unsupported .npy version " + major + "." + minor + " (supported: 1.0, 2.0)");
      }
      if (preamble + headerLen > size) {
        throw new IOException(
            file
                + ": truncated .npy header ("
                + headerLen
                + " header bytes declared, file has "
                + size
                + " bytes)");
      }
      if (headerLen > 1 << 20) {
        throw new IOException(
            file + ": .npy header of " + headerLen + " bytes is implausibly long");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      ch.position(preamble);
      readFully(ch, hb, file);
      String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
      int[] shape = parseHeader(header, file);
      int rows = shape[0];
      int cols = shape[1];
      long floats = (long) rows * cols;
      long expected = preamble + headerLen + floats * 4;
      if (size < expected) {
        throw new IOException(
            file
                + ": truncated data: shape ("
                + rows
                + ", "
                + cols
                + ") needs "
                + floats * 4
                + " bytes, file has "
                + (size - preamble - headerLen));
      }
      if (size > expected) {
        throw new IOException(
            file
                + ": "
                + (size - expected)
                + " unexpected bytes after the ("
                + rows
                + ", "
                + cols
                + ") data");
      }
      float[] data = new float[(int) floats];
      ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      int at = 0;
      while (at < data.length) {
        int n = Math.min(CHUNK_BYTES / 4, data.length - at);
        buf.clear().limit(n * 4);
        readFully(ch, buf, file);
        buf.flip();
        buf.asFloatBuffer().get(data, at, n);
        at += n;
      }
      return new Matrix(data, rows, cols);
    }
  }

  /**
   * Writes a 2-D {@code '<f4'} C-order matrix (format 1.0, or 2.0 if the header needs it; header
   * padded to a multiple of 64 bytes) atomically: a temporary file in the same directory, then a
   * move, so a reader never sees a half-written file. Allocates a 4 MB buffer; blocking I/O.
   *
   * @param data rows x cols row-major, not modified
   * @throws IllegalArgumentException if {@code data.length != rows * cols}
   * @throws IOException if writing or the move fails; the temporary file is removed
   */
  public static void writeFloat32(Path file, float[] data, int rows, int cols) throws IOException {
    Objects.requireNonNull(data, "data");
    checkShape(data.length, rows, cols);
    String dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int preamble = 10;
    int total = pad(preamble + dict.length() + 1);
    if (total - preamble > 0xFFFF) {
      preamble = 12;
      total = pad(preamble + dict.length() + 1);
    }
    StringBuilder header = new StringBuilder(dict);
    while (preamble + header.length() + 1 < total) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer pre = ByteBuffer.allocate(preamble).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC);
    if (preamble == 10) {
      pre.put((byte) 1).put((byte) 0).putShort((short) header.length());
    } else {
      pre.put((byte) 2).put((byte) 0).putInt(header.length());
    }
    pre.flip();
    ByteBuffer hb = ByteBuffer.wrap(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    AtomicFiles.write(
        file,
        ch -> {
          writeFully(ch, pre);
          writeFully(ch, hb);
          ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
          int at = 0;
          while (at < data.length) {
            int n = Math.min(CHUNK_BYTES / 4, data.length - at);
            buf.clear();
            buf.asFloatBuffer().put(data, at, n);
            buf.limit(n * 4);
            writeFully(ch, buf);
            at += n;
          }
        });
  }

  private static int pad(int len) {
    return (len + 63) / 64 * 64;
  }

  private static void checkShape(int length, int rows, int cols) {
    if (rows < 0 || cols < 0 || (long) rows * cols != length) {
      throw new IllegalArgumentException(
          "matrix data has " + length + " floats, expected " + rows + " x " + cols);
    }
  }

  /** Returns {rows, cols}. */
  private static int[] parseHeader(String header, Path file) throws IOException {
    String h = header.strip();
    if (!h.startsWith("{") || !h.endsWith("}")) {
      throw new IOException(file + ": malformed .npy header (not a dict): " + abbreviate(h));
    }
    Matcher descr = DESCR.matcher(h);
    Matcher order = ORDER.matcher(h);
    Matcher shape = SHAPE.matcher(h);
    if (!descr.find() || !order.find() || !shape.find()) {
      throw new IOException(
          file
              + ": malformed .npy header (needs descr, fortran_order and shape): "
              + abbreviate(h));
    }
    if (!descr.group(1).equals("<f4")) {
      throw new IOException(
          file + ": unsupported dtype '" + descr.group(1) + "' (only little-endian float32 '<f4')");
    }
    if (order.group(1).equals("True")) {
      throw new IOException(file + ": Fortran-order arrays are not supported (only C order)");
    }
    String dims = shape.group(1).strip();
    if (dims.endsWith(",")) {
      dims = dims.substring(0, dims.length() - 1);
    }
    String[] parts = dims.isEmpty() ? new String[0] : dims.split(",", -1);
    if (parts.length != 2) {
      throw new IOException(
          file + ": expected a 2-D array, shape is (" + shape.group(1).strip() + ")");
    }
    int[] out = new int[2];
    for (int i = 0; i < 2; i++) {
      String p = parts[i].strip();
      long v;
      try {
        v = Long.parseLong(p);
      } catch (NumberFormatException e) {
        throw new IOException(file + ": malformed .npy shape (" + shape.group(1) + ")", e);
      }
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IOException(file + ": .npy shape (" + shape.group(1) + ") is out of range");
      }
      out[i] = (int) v;
    }
    if ((long) out[0] * out[1] > MAX_FLOATS) {
      throw new IOException(
          file
              + ": shape ("
              + out[0]
              + ", "
              + out[1]
              + ") has more elements than a Java array holds");
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new IOException(file + ": unexpected end of file");
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
