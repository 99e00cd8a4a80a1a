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
   *     version, a malformed header (not exactly the keys descr, fortran_order and shape once each,
   *     or text after the dict), another dtype, Fortran order, not exactly two dimensions, more
   *     than {@code Integer.MAX_VALUE - 8} elements, fewer or more data bytes than the shape needs,
   *     or a NaN or infinite value; the message names the file (and the row, column and byte offset
   *     of a bad value)
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
    Layout l = layout(npy, source);
    Dtype[] dtype = {l.dtype()};
    int rows = l.rows();
    int cols = l.cols();
    long dataStart = l.dataOffset();
    long bytes = Math.multiplyExact(Math.multiplyExact((long) rows, cols), dtype[0].bytes());
    long expected = Math.addExact(dataStart, bytes);
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
   * Where the values of a {@code .npy} file are: element type, shape, and the byte offset of row 0
   * (rows follow in C order, {@code cols * dtype.bytes()} bytes each). For readers of row ranges of
   * files too large to load whole.
   */
  public record Layout(Dtype dtype, int rows, int cols, long dataOffset) {
    /** Bytes of one row. */
    public long rowBytes() {
      return (long) cols * dtype.bytes();
    }

    /**
     * Rows {@code [first, first + count)} from their bytes, as floats; rejects a NaN or infinity
     * naming the row and column in the file.
     *
     * @param bytes {@code count * rowBytes()} bytes read from {@code dataOffset + first *
     *     rowBytes()}
     * @throws IOException for a non-finite value
     */
    public float[] decode(byte[] bytes, int first, int count, String source) throws IOException {
      try {
        return dtype.toFloats(MemorySegment.ofArray(bytes), 0, count, cols, source);
      } catch (IOException e) {
        throw new IOException(e.getMessage() + " of the rows from " + first, e);
      }
    }
  }

  /**
   * Reads the header of a {@code .npy} file from a stream positioned at its start, leaving it at
   * the first value.
   *
   * @throws IOException as {@link #read(Path)}, for the header
   */
  public static Layout layout(java.io.InputStream in, String source) throws IOException {
    byte[] pre = in.readNBytes(12);
    int headerLen;
    int preamble;
    if (pre.length >= 10 && pre[6] == 1) {
      preamble = 10;
      headerLen = (pre[8] & 0xFF) | (pre[9] & 0xFF) << 8;
    } else if (pre.length >= 12 && pre[6] == 2) {
      preamble = 12;
      long len =
          (pre[8] & 0xFFL)
              | (pre[9] & 0xFFL) << 8
              | (pre[10] & 0xFFL) << 16
              | (pre[11] & 0xFFL) << 24;
      headerLen = (int) Math.min(len, 1 << 21); // longer is refused by the parser below
    } else {
      return layout(MemorySegment.ofArray(pre), source); // names what is wrong
    }
    byte[] all = java.util.Arrays.copyOf(pre, preamble + headerLen);
    int have = pre.length;
    if (preamble + headerLen > have) {
      byte[] rest = in.readNBytes(preamble + headerLen - have);
      System.arraycopy(rest, 0, all, have, rest.length);
      if (rest.length < preamble + headerLen - have) {
        all = java.util.Arrays.copyOf(all, have + rest.length);
      }
    } else {
      // a 1.0 header shorter than the 2 bytes read ahead: the stream is past the first value
      throw new IOException(source + ": .npy header of " + headerLen + " bytes is too short");
    }
    return layout(MemorySegment.ofArray(all), source);
  }

  private static Layout layout(MemorySegment npy, String source) throws IOException {
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
    return new Layout(dtype[0], shape[0], shape[1], preamble + headerLen);
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
   * @throws IllegalArgumentException if {@code data.length != rows * cols} or a value is not finite
   *     or overflows float16
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
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': ("
            + rows
            + ", "
            + cols
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

  /**
   * Parses the header, a Python dict literal such as {@code {'descr': '<f4', 'fortran_order':
   * False, 'shape': (2, 3), }} followed by spaces and a newline. Exactly the keys {@code descr},
   * {@code fortran_order} and {@code shape}, each once, in any order, quoted with ' or ". Returns
   * {rows, cols}.
   */
  private static int[] parseHeader(String header, String file, Dtype[] dtype) throws IOException {
    HeaderParser p = new HeaderParser(header, file);
    String descr = null;
    Boolean fortran = null;
    long[] shape = null;
    String shapeText = null;
    p.expect('{');
    while (!p.eat('}')) {
      String key = p.string("a key");
      p.expect(':');
      switch (key) {
        case "descr" -> {
          p.once(key, descr);
          descr = p.string("the descr string");
        }
        case "fortran_order" -> {
          p.once(key, fortran);
          fortran = p.bool(key);
        }
        case "shape" -> {
          p.once(key, shape);
          int from = p.pos;
          shape = p.tuple();
          shapeText = header.substring(from, p.pos);
        }
        default ->
            throw p.error(
                "unknown key '" + abbreviate(key) + "' (expected descr, fortran_order, shape)");
      }
      if (!p.eat(',')) {
        p.expect('}');
        break;
      }
    }
    p.skipSpace();
    if (p.pos < header.length()) {
      throw p.error("unexpected text after the dict");
    }
    for (Object[] kv :
        new Object[][] {{"descr", descr}, {"fortran_order", fortran}, {"shape", shape}}) {
      if (kv[1] == null) {
        throw p.error("missing key '" + kv[0] + "'");
      }
    }
    switch (descr) {
      case "<f4" -> dtype[0] = Dtype.F32;
      case "<f2" -> dtype[0] = Dtype.F16;
      default ->
          throw new IOException(
              file
                  + ": unsupported dtype '"
                  + abbreviate(descr)
                  + "' (only little-endian float32 '<f4' and float16 '<f2')");
    }
    if (fortran) {
      throw new IOException(file + ": Fortran-order arrays are not supported (only C order)");
    }
    if (shape.length != 2) {
      throw new IOException(file + ": expected a 2-D array, shape is " + shapeText);
    }
    for (long v : shape) {
      if (v > Integer.MAX_VALUE) {
        throw new IOException(file + ": .npy shape " + shapeText + " is out of range");
      }
    }
    // each factor is below 2^31, so the product cannot overflow a long
    if (shape[0] * shape[1] > MAX_FLOATS) {
      throw new IOException(
          file
              + ": shape ("
              + shape[0]
              + ", "
              + shape[1]
              + ") has more elements than a Java array holds");
    }
    return new int[] {(int) shape[0], (int) shape[1]};
  }

  /** A cursor over the header dict; every error names the file and the byte offset. */
  private static final class HeaderParser {
    private final String h;
    private final String file;
    int pos;

    HeaderParser(String h, String file) {
      this.h = h;
      this.file = file;
    }

    IOException error(String what) {
      return new IOException(
          file
              + ": malformed .npy header: "
              + what
              + " at character "
              + pos
              + " of "
              + abbreviate(h.strip()));
    }

    void skipSpace() {
      while (pos < h.length()
          && (h.charAt(pos) == ' '
              || h.charAt(pos) == '\t'
              || h.charAt(pos) == '\n'
              || h.charAt(pos) == '\r')) {
        pos++;
      }
    }

    boolean eat(char c) {
      skipSpace();
      if (pos < h.length() && h.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    void expect(char c) throws IOException {
      if (!eat(c)) {
        throw error(
            pos >= h.length() ? "expected '" + c + "', the header ends" : "expected '" + c + "'");
      }
    }

    void once(String key, Object seen) throws IOException {
      if (seen != null) {
        throw error("duplicate key '" + key + "'");
      }
    }

    /** A quoted string without escapes (no key or dtype of this format needs one). */
    String string(String what) throws IOException {
      skipSpace();
      char q = pos < h.length() ? h.charAt(pos) : 0;
      if (q != '\'' && q != '"') {
        throw error("expected " + what + " in quotes");
      }
      int end = h.indexOf(q, pos + 1);
      int escape = h.indexOf('\\', pos + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      if (escape >= 0 && escape < end) {
        throw error("escape sequences are not supported");
      }
      String out = h.substring(pos + 1, end);
      pos = end + 1;
      return out;
    }

    boolean bool(String key) throws IOException {
      skipSpace();
      if (h.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (h.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      throw error(key + " must be True or False");
    }

    /** A tuple of non-negative integers: (), (n,), (n, m), with an optional trailing comma. */
    long[] tuple() throws IOException {
      skipSpace();
      if (!eat('(')) {
        throw shapeError("expected a tuple");
      }
      long[] dims = new long[0];
      while (!eat(')')) {
        skipSpace();
        int from = pos;
        long v = 0;
        while (pos < h.length() && h.charAt(pos) >= '0' && h.charAt(pos) <= '9') {
          v = v * 10 + (h.charAt(pos) - '0');
          if (v > Integer.MAX_VALUE) { // stops before a long could overflow
            throw new IOException(
                file
                    + ": .npy shape dimension "
                    + abbreviate(h.substring(from).strip())
                    + " is out of range");
          }
          pos++;
        }
        if (pos == from) {
          throw shapeError("expected a non-negative integer");
        }
        if (dims.length == 32) { // numpy's own limit on dimensions
          throw shapeError("more than 32 dimensions");
        }
        dims = java.util.Arrays.copyOf(dims, dims.length + 1);
        dims[dims.length - 1] = v;
        if (!eat(',')) {
          if (!eat(')')) {
            throw shapeError("expected ',' or ')'");
          }
          break;
        }
      }
      return dims;
    }

    private IOException shapeError(String what) {
      return new IOException(
          file
              + ": malformed .npy shape: "
              + what
              + " at character "
              + pos
              + " of "
              + abbreviate(h.strip()));
    }
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
