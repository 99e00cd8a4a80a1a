package lore.datasets;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Reads and writes NumPy {@code .npy} files holding one 2-D little-endian float32 or float16 matrix
 * in C order ({@code descr '<f4'} or {@code '<f2'}, {@code fortran_order False}), format versions
 * 1.0 and 2.0. This is what {@code np.save(f, a.astype('<f4'))} writes for a 2-D array. Reading
 * memory-maps the file and converts from the mapping; the result is always float32.
 *
 * <p>Blocking I/O; stateless and thread-safe.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK_BYTES = 1 << 22;
  private static final ValueLayout.OfInt INT_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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
   * Reads a 2-D C-order matrix of {@code '<f4'} (float32) or {@code '<f2'} (float16, widened to
   * float). Same as {@link #read(Path)}.
   *
   * @throws IOException see {@link #read(Path)}
   */
  public static Matrix readFloat32(Path file) throws IOException {
    return read(file);
  }

  /**
   * Reads a 2-D C-order {@code '<f4'} or {@code '<f2'} matrix. The file is memory-mapped (FFM
   * {@link MemorySegment}) and converted straight into the result, so its bytes are never copied to
   * the heap; the mapping is released before returning. Allocates rows x cols floats; blocking I/O.
   *
   * @throws IOException if the file cannot be read, has a bad magic string or an unsupported
   *     version, a malformed header, another dtype, Fortran order, not exactly two dimensions, more
   *     than {@code Integer.MAX_VALUE - 8} elements, fewer or more data bytes than the shape needs,
   *     or a NaN or infinite value; the message names the file (and the row, column and byte
   *     offset of a bad value)
   */
  public static Matrix read(Path file) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        throw new IOException(file + ": not a .npy file (only 0 bytes)");
      }
      return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), file.toString());
    }
  }

  /**
   * Reads a {@code .npy} image held in memory (a classpath resource, a mapped file).
   *
   * @param source the name used in messages
   * @throws IOException as {@link #read(Path)}
   */
  public static Matrix read(MemorySegment npy, String source) throws IOException {
    long size = npy.byteSize();
    if (size < 10) {
      throw new IOException(source + ": not a .npy file (only " + size + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (npy.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
        throw new IOException(source + ": not a .npy file (bad magic string)");
      }
    }
    int major = npy.get(ValueLayout.JAVA_BYTE, 6) & 0xFF;
    int minor = npy.get(ValueLayout.JAVA_BYTE, 7) & 0xFF;
    long headerLen;
    int preamble;
    if (major == 1 && minor == 0) {
      headerLen = npy.get(Dtype.SHORT_LE, 8) & 0xFFFF;
      preamble = 10;
    } else if (major == 2 && minor == 0) {
      if (size < 12) {
        throw new IOException(source + ": truncated .npy header");
      }
      headerLen = npy.get(INT_LE, 8) & 0xFFFFFFFFL;
      preamble = 12;
    } else {
      throw new IOException(
          source + ": unsupported .npy version " + major + "." + minor + " (supported: 1.0, 2.0)");
    }
    if (preamble + headerLen > size) {
      throw new IOException(
          source
              + ": truncated .npy header ("
              + headerLen
              + " header bytes declared, file has "
              + size
              + " bytes)");
    }
    if (headerLen > 1 << 20) {
      throw new IOException(
          source + ": .npy header of " + headerLen + " bytes is implausibly long");
    }
    byte[] hb = npy.asSlice(preamble, headerLen).toArray(ValueLayout.JAVA_BYTE);
    String header = new String(hb, StandardCharsets.ISO_8859_1);
    Dtype[] dtype = new Dtype[1];
    int[] shape = parseHeader(header, source, dtype);
    int rows = shape[0];
    int cols = shape[1];
    long bytes = (long) rows * cols * dtype[0].bytes();
    long dataStart = preamble + headerLen;
    long expected = dataStart + bytes;
    if (size < expected) {
      throw new IOException(
          source
              + ": truncated data: shape ("
              + rows
              + ", "
              + cols
              + ") needs "
              + bytes
              + " bytes, file has "
              + (size - dataStart));
    }
    if (size > expected) {
      throw new IOException(
          source
              + ": "
              + (size - expected)
              + " unexpected bytes after the ("
              + rows
              + ", "
              + cols
              + ") data");
    }
    return new Matrix(dtype[0].toFloats(npy, dataStart, rows, cols, source), rows, cols);
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
    write(file, data, rows, cols, Dtype.F32);
  }

  /**
   * Writes a 2-D {@code '<f2'} (float16) C-order matrix atomically, rounding each value to the
   * nearest half (relative error at most 2^-11 for normal halves; values beyond 65504 become
   * infinite, so check the range first). Blocking I/O.
   *
   * @throws IllegalArgumentException if {@code data.length != rows * cols} or a value is not
   *     finite or overflows float16
   * @throws IOException if writing or the move fails; the temporary file is removed
   */
  public static void writeFloat16(Path file, float[] data, int rows, int cols) throws IOException {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i]) || Math.abs(data[i]) > Float.float16ToFloat((short) 0x7BFF)) {
        throw new IllegalArgumentException(
            "value " + data[i] + " at index " + i + " does not fit float16");
      }
    }
    write(file, data, rows, cols, Dtype.F16);
  }

  private static void write(Path file, float[] data, int rows, int cols, Dtype dtype)
      throws IOException {
    Objects.requireNonNull(data, "data");
    checkShape(data.length, rows, cols);
    String descr = dtype == Dtype.F32 ? "<f4" : "<f2";
    String dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols
            + "), }";
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
          MemorySegment seg = MemorySegment.ofBuffer(buf);
          int per = CHUNK_BYTES / dtype.bytes();
          int at = 0;
          while (at < data.length) {
            int n = Math.min(per, data.length - at);
            for (int i = 0; i < n; i++) {
              dtype.put(seg, (long) i * dtype.bytes(), data[at + i]);
            }
            buf.clear().limit(n * dtype.bytes());
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
  private static int[] parseHeader(String header, String file, Dtype[] dtype) throws IOException {
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
    switch (descr.group(1)) {
      case "<f4" -> dtype[0] = Dtype.F32;
      case "<f2" -> dtype[0] = Dtype.F16;
      default ->
          throw new IOException(
              file
                  + ": unsupported dtype '"
                  + descr.group(1)
                  + "' (only little-endian float32 '<f4' and float16 '<f2')");
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

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
