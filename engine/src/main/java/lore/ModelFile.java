package lore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import lore.internal.io.AtomicReplace;

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
 * Written to {@code .NAME.tmp} beside the target (one per target, locked while written), forced to
 * disk, then moved into place atomically: see {@link AtomicReplace}.
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
    AtomicReplace.replace(
        target,
        ch -> {
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        });
  }

  /**
   * Reads and validates a model file: every size in checked arithmetic before anything is
   * allocated, the checksum, then every value (the logit scale positive and finite, ids valid
   * UTF-8, weights finite and on the simplex, the metadata a flat JSON object of strings).
   *
   * @throws IOException naming the file for anything a model written by {@link #write} would not
   *     hold
   */
  static RewardModel read(Path file) throws IOException {
    long fileSize = Files.size(file);
    if (fileSize
        > Integer.MAX_VALUE - 16) { // the writer's own limit; readAllBytes could not hold it
      throw new IOException(
          file + ": " + fileSize + " bytes is too large for a model file of format version 1");
    }
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
          file
              + ": model format version "
              + version
              + " is not supported (this build reads "
              + VERSION
              + ")");
    }
    int dtype = buf.getInt();
    if (dtype != DTYPE_F32) {
      throw new IOException(file + ": unsupported dtype code " + dtype);
    }
    int d = buf.getInt();
    int k = buf.getInt();
    int users = buf.getInt();
    double scale = buf.getDouble();
    String header = "(d=" + d + ", B=" + k + ", users=" + users + ")";
    if (d < 1 || k < 1 || k > d || users < 0) {
      throw new IOException(file + ": corrupted header " + header);
    }
    long minSize;
    try {
      // header, basis, per user at least a length, a 1-byte id and B weights, metadata length, crc
      minSize =
          Math.addExact(
              Math.addExact(HEADER + 12L, Math.multiplyExact(4L * k, (long) d)),
              Math.multiplyExact((long) users, Math.addExact(5L, 4L * k)));
    } catch (ArithmeticException overflow) {
      throw new IOException(file + ": corrupted header " + header + ": its sizes overflow");
    }
    if (bytes.length < minSize) {
      throw new IOException(
          file
              + ": truncated model file: "
              + bytes.length
              + " bytes, header "
              + header
              + " needs at least "
              + minSize);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    long stored =
        ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (crc.getValue() != stored) {
      throw new IOException(file + ": checksum mismatch: the model file is corrupted or truncated");
    }
    // the checksum only says the file is what some writer wrote; the values are checked too
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IOException(file + ": logit scale " + scale + " is not a positive finite number");
    }
    // minSize bounds B x d by the file size, so these int products cannot overflow
    float[] basis = new float[k * d];
    buf.asFloatBuffer().get(basis);
    buf.position(buf.position() + 4 * k * d);
    for (int i = 0; i < basis.length; i++) {
      if (!Float.isFinite(basis[i])) {
        throw new IOException(
            file + ": basis row " + (i / d) + " column " + (i % d) + " is " + basis[i]);
      }
    }
    String[] ids = new String[users];
    float[] w = new float[users * k];
    Map<String, Integer> seen = new HashMap<>();
    CharsetDecoder utf8 = strictUtf8();
    for (int u = 0; u < users; u++) {
      int len = buf.remaining() >= 4 ? buf.getInt() : -1;
      // room for the id, its B weights, the metadata length and the checksum
      if (len < 1 || len > buf.remaining() - 4L * k - 12) {
        throw new IOException(file + ": corrupted user id length " + len + " for user " + u);
      }
      int at = buf.position();
      ids[u] = decode(utf8, buf, len, file, "the id of user " + u + " at byte offset " + at);
      float[] wu = new float[k];
      buf.asFloatBuffer().get(wu);
      buf.position(buf.position() + 4 * k);
      try {
        new UserWeights(wu);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": user " + u + " '" + ids[u] + "': " + e.getMessage(), e);
      }
      System.arraycopy(wu, 0, w, u * k, k);
      Integer first = seen.putIfAbsent(ids[u], u);
      if (first != null) {
        throw new IOException(
            file + ": user " + u + " '" + ids[u] + "' repeats the id of user " + first);
      }
    }
    int metaLen = buf.remaining() >= 12 ? buf.getInt() : -1;
    if (metaLen < 0 || metaLen != buf.remaining() - 8) {
      throw new IOException(file + ": corrupted metadata length " + metaLen);
    }
    String metaText = decode(utf8, buf, metaLen, file, "the metadata");
    Map<String, String> metadata;
    try {
      metadata = Json.read(metaText);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": corrupted metadata: " + e.getMessage(), e);
    }
    try {
      return new RewardModel(d, k, basis, scale, ids, w, metadata);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": corrupted model file: " + e.getMessage(), e);
    }
  }

  /** UTF-8 that fails on malformed input instead of replacing it with U+FFFD. */
  private static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Decodes the next {@code len} bytes of {@code buf}, advancing it. */
  private static String decode(CharsetDecoder utf8, ByteBuffer buf, int len, Path file, String what)
      throws IOException {
    ByteBuffer slice = buf.slice(buf.position(), len);
    buf.position(buf.position() + len);
    try {
      return utf8.reset().decode(slice).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": " + what + " is not valid UTF-8", e);
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

    /**
     * Parses a flat JSON object of string keys and string values, strictly: nothing after the
     * closing brace, no repeated key, only JSON escapes, no raw control characters.
     *
     * @throws IllegalArgumentException naming the character offset of the first problem
     */
    static Map<String, String> read(String s) {
      Map<String, String> map = new LinkedHashMap<>();
      int[] pos = {skip(s, 0)};
      expect(s, pos, '{');
      if (peek(s, pos) == '}') {
        pos[0]++;
      } else {
        while (true) {
          int keyAt = skip(s, pos[0]);
          String key = string(s, pos);
          expect(s, pos, ':');
          if (map.put(key, string(s, pos)) != null) {
            throw new IllegalArgumentException("repeated metadata key '" + key + "' at " + keyAt);
          }
          char c = peek(s, pos);
          pos[0]++;
          if (c == '}') {
            break;
          }
          if (c != ',') {
            throw new IllegalArgumentException("bad metadata JSON at " + (pos[0] - 1));
          }
        }
      }
      if (skip(s, pos[0]) != s.length()) {
        throw new IllegalArgumentException(
            "metadata JSON has text after the object at " + skip(s, pos[0]));
      }
      return map;
    }

    /** JSON whitespace only (Character.isWhitespace would also take U+2028 and others). */
    private static int skip(String s, int i) {
      while (i < s.length()
          && (s.charAt(i) == ' '
              || s.charAt(i) == '\t'
              || s.charAt(i) == '\n'
              || s.charAt(i) == '\r')) {
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
        throw new IllegalArgumentException(
            "bad metadata JSON: expected '"
                + c
                + "' at "
                + pos[0]
                + (c == '"' ? " (keys and values are strings)" : ""));
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
        if (c < 0x20) {
          throw new IllegalArgumentException(
              "raw control character U+"
                  + String.format("%04X", (int) c)
                  + " in a metadata JSON string at "
                  + (i - 1));
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= s.length()) {
          break;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            int v = 0;
            for (int j = 0; j < 4; j++) {
              int digit = i + j < s.length() ? Character.digit(s.charAt(i + j), 16) : -1;
              if (digit < 0) {
                throw new IllegalArgumentException("bad \\u escape in metadata JSON at " + (i - 2));
              }
              v = v * 16 + digit;
            }
            sb.append((char) v);
            i += 4;
          }
          default ->
              throw new IllegalArgumentException(
                  "bad escape '\\" + e + "' in metadata JSON at " + (i - 2));
        }
      }
      throw new IllegalArgumentException("unterminated string in metadata JSON");
    }
  }
}
