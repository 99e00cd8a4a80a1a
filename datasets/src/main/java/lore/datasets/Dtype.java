package lore.datasets;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element types of embedding tables on disk, all little-endian: IEEE float32, IEEE float16 (half)
 * and bfloat16 (the upper 16 bits of a float32, what {@code torch.bfloat16} stores).
 */
public enum Dtype {
  /** IEEE 754 binary32 (numpy {@code '<f4'}, safetensors {@code F32}). */
  F32(4),
  /** IEEE 754 binary16 (numpy {@code '<f2'}, safetensors {@code F16}). */
  F16(2),
  /** bfloat16: 8 exponent bits, 7 mantissa bits (safetensors {@code BF16}; numpy has none). */
  BF16(2);

  static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final int bytes;

  Dtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /**
   * Converts {@code rows x cols} elements starting at byte {@code offset} of {@code seg} (a mapped
   * file or a heap array) straight into a new float array, without an intermediate copy of the
   * bytes, and rejects non-finite values. Allocates the rows x cols floats.
   *
   * @param source the file name for messages
   * @throws java.io.IOException naming {@code source}, the row, the column and the byte offset of
   *     the first NaN or infinity
   */
  float[] toFloats(MemorySegment seg, long offset, int rows, int cols, String source)
      throws java.io.IOException {
    int n = Math.multiplyExact(rows, cols);
    float[] out = new float[n];
    switch (this) {
      case F32 -> MemorySegment.copy(seg, FLOAT_LE, offset, out, 0, n);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(seg.get(SHORT_LE, offset + 2L * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((seg.get(SHORT_LE, offset + 2L * i) & 0xFFFF) << 16);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(out[i])) {
        throw new java.io.IOException(
            source
                + ": non-finite value "
                + out[i]
                + " at row "
                + (i / cols)
                + ", column "
                + (i % cols)
                + " (byte offset "
                + (offset + (long) bytes * i)
                + ")");
      }
    }
    return out;
  }

  /** Writes {@code v} at byte {@code offset} of {@code seg}, rounding to nearest even. */
  void put(MemorySegment seg, long offset, float v) {
    switch (this) {
      case F32 -> seg.set(FLOAT_LE, offset, v);
      case F16 -> seg.set(SHORT_LE, offset, Float.floatToFloat16(v));
      case BF16 -> seg.set(SHORT_LE, offset, toBf16(v));
    }
  }

  /** float32 to bfloat16 bits, round to nearest even (finite inputs). */
  static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }
}
