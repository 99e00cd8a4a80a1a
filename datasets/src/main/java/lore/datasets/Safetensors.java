package lore.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes 2-D tensors of Hugging Face {@code safetensors} files: an 8-byte little-endian
 * header length N, N bytes of JSON ({@code {"name": {"dtype": "BF16", "shape": [rows, cols],
 * "data_offsets": [begin, end]}, "__metadata__": {...}}}), then the data buffer (offsets relative
 * to its start). Supported dtypes: {@code F32}, {@code F16}, {@code BF16}, converted to float32.
 * This is what {@code safetensors.torch.save_file({"embeddings": T}, path)} writes, e.g. the
 * PersonalLLM embeddings ({@code [prompts*8, 4096]} bf16).
 *
 * <p>Reading memory-maps the file and converts the tensor straight from the mapping (no copy of the
 * file bytes on the heap). Blocking I/O; stateless and thread-safe.
 */
public final class Safetensors {
  // a repeated key would otherwise let the last tensor entry (or field) silently win
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final long MAX_HEADER = 100L << 20;

  private Safetensors() {}

  /**
   * The names of the tensors in {@code file}, in header order. Reads only the header.
   *
   * @throws IOException if the header is truncated or malformed (as for {@link #read(Path,
   *     String)}), naming the file
   */
  public static List<String> names(Path file) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return tensorNames(header(map(ch, arena, file), file.toString()));
    }
  }

  /**
   * The {@code __metadata__} string pairs of {@code file} (empty when it has none), in header
   * order. Reads only the header.
   *
   * @throws IOException if the header is truncated or malformed, naming the file
   */
  public static Map<String, String> metadata(Path file) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      JsonNode m = header(map(ch, arena, file), file.toString()).get("__metadata__");
      Map<String, String> out = new java.util.LinkedHashMap<>();
      if (m != null) {
        m.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      }
      return out;
    }
  }

  /**
   * Reads the 2-D tensor {@code name}, or the only tensor when {@code name} is null. Allocates rows
   * x cols floats; blocking I/O.
   *
   * @throws IOException if the header is truncated (with the offset where it ends) or is not the
   *     documented JSON (a repeated key included), any tensor entry has a shape that is not a list
   *     of non-negative integers with a product that fits a long, or data_offsets that are not two
   *     integers {@code begin <= end} inside the data buffer spanning exactly the shape's bytes;
   *     the tensor is missing (the message lists the names), not 2-D, of an unsupported dtype, or
   *     it holds a NaN or infinity (with row, column and byte offset); the message names the file
   *     and the tensor
   */
  public static Npy.Matrix read(Path file, String name) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(map(ch, arena, file), name, file.toString());
    }
  }

  /** As {@link #read(Path, String)} on an in-memory image; {@code source} names it in messages. */
  public static Npy.Matrix read(MemorySegment seg, String name, String source) throws IOException {
    ObjectNode header = header(seg, source);
    long dataStart =
        8 + seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (name == null) {
      List<String> names = tensorNames(header);
      if (names.size() != 1) {
        throw new IOException(
            source + ": holds " + names.size() + " tensors " + names + "; name the one to read");
      }
      name = names.get(0);
    }
    JsonNode t = header.get(name);
    if (t == null || name.equals("__metadata__")) {
      throw new IOException(
          source + ": no tensor '" + name + "' (tensors: " + tensorNames(header) + ")");
    }
    String where = source + ": tensor '" + name + "'";
    String dt = t.get("dtype").asText();
    Dtype dtype =
        switch (dt) {
          case "F32" -> Dtype.F32;
          case "F16" -> Dtype.F16;
          case "BF16" -> Dtype.BF16;
          default ->
              throw new IOException(
                  where + ": unsupported dtype '" + dt + "' (supported: F32, F16, BF16)");
        };
    JsonNode shape = t.get("shape");
    if (shape.size() != 2) {
      throw new IOException(where + ": expected a 2-D shape, got " + shape);
    }
    // header() checked the entries, the element count (no overflow) and the byte count
    long rows = shape.get(0).longValue();
    long cols = shape.get(1).longValue();
    if (rows > Integer.MAX_VALUE
        || cols > Integer.MAX_VALUE
        || rows * cols > Integer.MAX_VALUE - 8L) {
      throw new IOException(where + ": shape " + shape + " is out of range for a Java array");
    }
    long begin = t.get("data_offsets").get(0).longValue();
    return new Npy.Matrix(
        dtype.toFloats(seg, dataStart + begin, (int) rows, (int) cols, source),
        (int) rows,
        (int) cols);
  }

  /**
   * A 2-D float tensor to write.
   *
   * @param data rows x cols row-major, not modified
   */
  public record Tensor(String name, float[] data, int rows, int cols) {
    /**
     * @throws IllegalArgumentException if the shape does not match the data
     */
    public Tensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
      if (rows < 0 || cols < 0 || (long) rows * cols != data.length) {
        throw new IllegalArgumentException(
            "tensor '"
                + name
                + "' has "
                + data.length
                + " floats, expected "
                + rows
                + " x "
                + cols);
      }
    }
  }

  /**
   * Writes one 2-D tensor atomically, converting to {@code dtype} (round to nearest even).
   *
   * @param data rows x cols row-major, not modified
   * @param metadata string pairs for {@code __metadata__}, may be empty
   * @throws IllegalArgumentException if the shape does not match or a value is not finite
   * @throws IOException if writing fails; no partial file is left
   */
  public static void write(
      Path file,
      String name,
      float[] data,
      int rows,
      int cols,
      Dtype dtype,
      Map<String, String> metadata)
      throws IOException {
    write(file, List.of(new Tensor(name, data, rows, cols)), dtype, metadata);
  }

  /**
   * Writes several 2-D tensors, in order, to one file atomically, each converted to {@code dtype}
   * (what {@code safetensors.numpy.save_file} writes for a dict of arrays).
   *
   * @param metadata string pairs for {@code __metadata__}, may be empty
   * @throws IllegalArgumentException if a name repeats or is {@code __metadata__}, or a value is
   *     not finite
   * @throws IOException if writing fails; no partial file is left
   */
  public static void write(
      Path file, List<Tensor> tensors, Dtype dtype, Map<String, String> metadata)
      throws IOException {
    ObjectNode h = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = h.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Tensor tensor : tensors) {
      float[] data = tensor.data();
      for (int i = 0; i < data.length; i++) {
        if (!Float.isFinite(data[i])) {
          throw new IllegalArgumentException(
              "tensor '" + tensor.name() + "': non-finite value " + data[i] + " at index " + i);
        }
      }
      if (tensor.name().equals("__metadata__") || h.has(tensor.name())) {
        throw new IllegalArgumentException("tensor name '" + tensor.name() + "' is taken");
      }
      ObjectNode t = h.putObject(tensor.name());
      t.put("dtype", dtype.name());
      t.putArray("shape").add(tensor.rows()).add(tensor.cols());
      long end = offset + (long) data.length * dtype.bytes();
      t.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    StringBuilder json = new StringBuilder(JSON.writeValueAsString(h));
    while ((8 + json.length()) % 8 != 0) {
      json.append(' ');
    }
    byte[] hb = json.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(
        file,
        ch -> {
          ByteBuffer pre = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          pre.putLong(hb.length).flip();
          writeFully(ch, pre);
          writeFully(ch, ByteBuffer.wrap(hb));
          ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
          MemorySegment seg = MemorySegment.ofBuffer(buf);
          int per = (1 << 20) / dtype.bytes();
          for (Tensor tensor : tensors) {
            float[] data = tensor.data();
            for (int at = 0; at < data.length; at += per) {
              int n = Math.min(per, data.length - at);
              for (int i = 0; i < n; i++) {
                dtype.put(seg, (long) i * dtype.bytes(), data[at + i]);
              }
              buf.clear().limit(n * dtype.bytes());
              writeFully(ch, buf);
            }
          }
        });
  }

  private static MemorySegment map(FileChannel ch, Arena arena, Path file) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new IOException(
          file + ": truncated safetensors header: " + size + " bytes, the length prefix needs 8");
    }
    return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
  }

  private static ObjectNode header(MemorySegment seg, String source) throws IOException {
    if (seg.byteSize() < 8) {
      throw new IOException(
          source
              + ": truncated safetensors header: "
              + seg.byteSize()
              + " bytes, the length prefix needs 8");
    }
    long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 2 || n > MAX_HEADER) {
      throw new IOException(
          source + ": not a safetensors file (header length " + n + " at byte offset 0)");
    }
    if (8 + n > seg.byteSize()) {
      throw new IOException(
          source
              + ": truncated safetensors header: declares "
              + n
              + " bytes ending at byte offset "
              + (8 + n)
              + ", file has "
              + seg.byteSize()
              + " bytes");
    }
    byte[] hb = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
    // the format says UTF-8; decoding it here also keeps Jackson from guessing UTF-16 or UTF-32
    String text;
    try {
      text = Csv.strictUtf8().decode(ByteBuffer.wrap(hb)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(source + ": safetensors header is not valid UTF-8", e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
      throw new IOException(
          source
              + ": malformed safetensors header JSON"
              + (at >= 0 ? " at character " + at + " of the header" : "")
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    if (!(root instanceof ObjectNode o)) {
      throw new IOException(source + ": safetensors header is not a JSON object");
    }
    long dataBytes = seg.byteSize() - 8 - n;
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        checkMetadata(e.getValue(), source);
      } else {
        checkEntry(e.getValue(), source + ": tensor '" + e.getKey() + "'", dataBytes);
      }
    }
    return o;
  }

  /** {@code __metadata__} is a flat object of strings (what the format defines). */
  private static void checkMetadata(JsonNode m, String source) throws IOException {
    if (!m.isObject()) {
      throw new IOException(source + ": __metadata__ is not a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IOException(
            source + ": __metadata__ value of '" + e.getKey() + "' is not a string");
      }
    }
  }

  /**
   * Checks one tensor entry, whatever its dtype: the shape holds non-negative integers whose
   * product fits a long, the data_offsets are two integers with {@code begin <= end} inside the
   * data buffer, and (for a known dtype) they span exactly product x element size bytes. All of it
   * in checked arithmetic: a header is untrusted input.
   */
  private static void checkEntry(JsonNode t, String where, long dataBytes) throws IOException {
    if (!t.isObject()) {
      throw new IOException(where + ": header entry is not a JSON object");
    }
    JsonNode dt = t.get("dtype");
    if (dt == null || !dt.isTextual()) {
      throw new IOException(where + ": missing or non-string dtype " + dt);
    }
    JsonNode shape = t.get("shape");
    if (shape == null || !shape.isArray()) {
      throw new IOException(where + ": missing or non-array shape " + shape);
    }
    long elements = 1;
    for (int i = 0; i < shape.size(); i++) {
      JsonNode s = shape.get(i);
      // isIntegralNumber: 2.7 and 2.0 are not dimensions; canConvertToLong: nor is 2^64
      if (!s.isIntegralNumber() || !s.canConvertToLong() || s.longValue() < 0) {
        throw new IOException(
            where
                + ": shape "
                + shape
                + ": entry "
                + i
                + " ("
                + s
                + ") is not a non-negative integer");
      }
      try {
        elements = Math.multiplyExact(elements, s.longValue());
      } catch (ArithmeticException overflow) {
        throw new IOException(where + ": shape " + shape + ": element count overflows a long");
      }
    }
    JsonNode off = t.get("data_offsets");
    if (off == null
        || !off.isArray()
        || off.size() != 2
        || !isLong(off.get(0))
        || !isLong(off.get(1))) {
      throw new IOException(where + ": data_offsets " + off + " are not two integers");
    }
    long begin = off.get(0).longValue();
    long end = off.get(1).longValue();
    if (begin < 0 || begin > end) {
      throw new IOException(where + ": data_offsets " + off + ": begin must be >= 0 and <= end");
    }
    if (end > dataBytes) {
      throw new IOException(
          where
              + ": truncated data: data_offsets "
              + off
              + " end past the end of the "
              + dataBytes
              + "-byte data buffer");
    }
    int size = elementBytes(dt.asText());
    if (size > 0) {
      long bytes;
      try {
        bytes = Math.multiplyExact(elements, size);
      } catch (ArithmeticException overflow) {
        throw new IOException(where + ": shape " + shape + ": byte count overflows a long");
      }
      if (end - begin != bytes) {
        throw new IOException(
            where
                + ": data_offsets "
                + off
                + " hold "
                + (end - begin)
                + " bytes, shape "
                + shape
                + " x "
                + dt.asText()
                + " needs "
                + bytes);
      }
    }
  }

  private static boolean isLong(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToLong();
  }

  /** Bytes per element of a safetensors dtype, or 0 for one this reader does not know. */
  private static int elementBytes(String dtype) {
    return switch (dtype) {
      case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3" -> 1;
      case "U16", "I16", "F16", "BF16" -> 2;
      case "U32", "I32", "F32" -> 4;
      case "U64", "I64", "F64" -> 8;
      default -> 0;
    };
  }

  private static List<String> tensorNames(ObjectNode header) {
    List<String> out = new ArrayList<>();
    header
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (!n.equals("__metadata__")) {
                out.add(n);
              }
            });
    return out;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
