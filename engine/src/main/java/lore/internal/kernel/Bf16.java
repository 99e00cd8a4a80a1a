package lore.internal.kernel;

/**
 * bfloat16: the upper 16 bits of a float (sign, the same 8 exponent bits, 7 fraction bits), held in
 * a {@code short}. Widening is exact (the low 16 bits become zero); narrowing rounds to nearest,
 * ties to even, like the hardware conversions, so that a table stored in bf16 loses at most half an
 * ulp of bf16 (a relative 2^-8 for normal values) per value. Internal; not API.
 */
public final class Bf16 {
  private Bf16() {}

  /** The float this bf16 value stands for, exactly. */
  public static float toFloat(short h) {
    return Float.intBitsToFloat(h << 16); // the sign extension is shifted out
  }

  /**
   * The nearest bf16 value, ties to even. Overflow rounds to infinity as in IEEE narrowing;
   * subnormals round like any other value; NaN stays NaN with its sign (quieted, since truncating a
   * NaN whose payload is only in the low bits would give infinity).
   */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) { // NaN
      return (short) ((bits >>> 16) | 0x40);
    }
    // adding 0x7fff plus the lowest kept bit carries into the kept bits exactly when the dropped
    // half is above one half, or equal to it with an odd kept part
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** {@code dst[dstOff + j] = fromFloat(src[srcOff + j])} for j in [0, n). */
  public static void fromFloats(float[] src, int srcOff, short[] dst, int dstOff, int n) {
    for (int j = 0; j < n; j++) {
      dst[dstOff + j] = fromFloat(src[srcOff + j]);
    }
  }
}
