package lore;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The versioned binary model format, little-endian:
 *
 * <pre>
 *   magic    8 bytes  "LOREMDL\0"
 *   version  int32    1
 *   dtype    int32    0 = float32
 *   d, B     int32 x2
 *   users    int32
 *   scale    float64  logit scale
 *   basis    B*d float32
 *   users    per user: int32 byte length, UTF-8 id, B float32 weights
 *   metadata int32 byte length, UTF-8 JSON object of string keys and values
 *   checksum int64    CRC32C of every byte before it
 * </pre>
 *
 * Written to a temporary file beside the target, forced to disk, then moved into place atomically.
 */
final class ModelFile {
  private static final byte[] MAGIC = "LOREMDL\0".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final int DTYPE_F32 = 0;
  private static final int HEADER = 8 + 4 * 5 + 8;

  private ModelFile() {}

  static void write(RewardModel model, Path file) throws IOException {
    int d = model.dim();
    int k = model.rank();
    String[] ids = model.userIdsInternal();
    byte[][] idBytes = new byte[ids.length][];
    long size = HEADER + 4L * k * d + 4 + 8;
    for (int u = 0; u < ids.length; u++) {
      idBytes[u] = ids[u].getBytes(StandardCharsets.UTF_8);
      size += 4 + idBytes[u].length + 4L * k;
    }
    byte[] meta = Json.write(model.metadata()).getBytes(StandardCharsets.UTF_8);
    size += meta.length;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("model of " + size + " bytes is too large for format version 1");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(VERSION).putInt(DTYPE_F32).putInt(d).putInt(k).putInt(ids.length);
    buf.putDouble(model.logitScale());
    buf.asFloatBuffer().put(model.basisInternal());
    buf.position(buf.position() + 4 * k * d);
    float[] w = model.userWeightsInternal();
    for (int u = 0; u < ids.length; u++) {
      buf.putInt(idBytes[u].length).put(idBytes[u]);
      for (int b = 0; b < k; b++) {
        buf.putFloat(w[u * k + b]);
      }
    }
    buf.putInt(meta.length).put(meta);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putLong(crc.getValue());
    buf.flip();

    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static RewardModel read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < MAGIC.length || !prefixEquals(bytes, MAGIC)) {
      throw new IOException(file + ": not a lore model file (bad magic)");
    }
    if (bytes.length < HEADER + 12) {
      throw new IOException(file + ": truncated model file (" + bytes.length + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(MAGIC.length);
    int version = buf.getInt();
    if (version != VERSION) {
      throw new IOException(
          file + ": model format version " + version + " is not supported (this build reads "
              + VERSION + ")");
    }
    int dtype = buf.getInt();
    if (dtype != DTYPE_F32) {
      throw new IOException(file + ": unsupported dtype code " + dtype);
    }
    int d = buf.getInt();
    int k = buf.getInt();
    int users = buf.getInt();
    double scale = buf.getDouble();
    if (d < 1 || k < 1 || k > d || users < 0) {
      throw new IOException(
          file + ": corrupted header (d=" + d + ", B=" + k + ", users=" + users + ")");
    }
    long minSize = HEADER + 4L * k * d + (long) users * (4 + 4L * k) + 12;
    if (bytes.length < minSize) {
      throw new IOException(
          file + ": truncated model file: " + bytes.length + " bytes, header needs at least "
              + minSize);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (crc.getValue() != stored) {
      throw new IOException(file + ": checksum mismatch: the model file is corrupted or truncated");
    }
    try {
      float[] basis = new float[k * d];
      buf.asFloatBuffer().get(basis);
      buf.position(buf.position() + 4 * k * d);
      String[] ids = new String[users];
      float[] w = new float[users * k];
      for (int u = 0; u < users; u++) {
        int len = buf.getInt();
        if (len < 1 || len > buf.remaining()) {
          throw new IOException(file + ": corrupted user id length " + len + " for user " + u);
        }
        byte[] id = new byte[len];
        buf.get(id);
        ids[u] = new String(id, StandardCharsets.UTF_8);
        for (int b = 0; b < k; b++) {
          w[u * k + b] = buf.getFloat();
        }
      }
      int metaLen = buf.getInt();
      if (metaLen < 0 || metaLen != buf.remaining() - 8) {
        throw new IOException(file + ": corrupted metadata length " + metaLen);
      }
      byte[] meta = new byte[metaLen];
      buf.get(meta);
      Map<String, String> metadata = Json.read(new String(meta, StandardCharsets.UTF_8));
      return new RewardModel(d, k, basis, scale, ids, w, metadata);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new IOException(file + ": corrupted model file: " + e.getMessage(), e);
    }
  }

  private static boolean prefixEquals(byte[] a, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (a[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** JSON for a flat object of string keys and string values: all the metadata needs. */
  static final class Json {
    private Json() {}

    static String write(Map<String, String> map) {
      StringBuilder sb = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, e.getKey());
        sb.append(':');
        quote(sb, e.getValue());
      }
      return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }

    static Map<String, String> read(String s) {
      Map<String, String> map = new LinkedHashMap<>();
      int[] pos = {skip(s, 0)};
      expect(s, pos, '{');
      if (peek(s, pos) == '}') {
        pos[0]++;
        return map;
      }
      while (true) {
        String key = string(s, pos);
        expect(s, pos, ':');
        map.put(key, string(s, pos));
        char c = peek(s, pos);
        pos[0]++;
        if (c == '}') {
          return map;
        }
        if (c != ',') {
          throw new IllegalArgumentException("bad metadata JSON at " + (pos[0] - 1));
        }
      }
    }

    private static int skip(String s, int i) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i;
    }

    private static char peek(String s, int[] pos) {
      pos[0] = skip(s, pos[0]);
      if (pos[0] >= s.length()) {
        throw new IllegalArgumentException("metadata JSON ends early");
      }
      return s.charAt(pos[0]);
    }

    private static void expect(String s, int[] pos, char c) {
      if (peek(s, pos) != c) {
        throw new IllegalArgumentException("bad metadata JSON: expected '" + c + "' at " + pos[0]);
      }
      pos[0]++;
    }

    private static String string(String s, int[] pos) {
      expect(s, pos, '"');
      StringBuilder sb = new StringBuilder();
      int i = pos[0];
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          pos[0] = i;
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
      throw new IllegalArgumentException("unterminated string in metadata JSON");
    }
  }
}
