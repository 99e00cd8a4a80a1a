package lore.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rounding of {@link Bf16} against its definition, edge cases and exact round trips. */
class Bf16Test {
  static final long SEED = Long.getLong("lore.test.seed", 20261130L);

  static short bits(float f) {
    return Bf16.fromFloat(f);
  }

  static float f(int bits) {
    return Float.intBitsToFloat(bits);
  }

  @Test
  void tiesRoundToEven() {
    // 1 + 2^-8 is halfway between 1 (even) and 1 + 2^-7 (odd): down to 1
    assertEquals((short) 0x3f80, bits(1f + 0x1p-8f));
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up
    assertEquals((short) 0x3f82, bits(1f + 3 * 0x1p-8f));
    // just above and below the first tie
    assertEquals((short) 0x3f81, bits(f(0x3f808001)));
    assertEquals((short) 0x3f80, bits(f(0x3f807fff)));
    // the same on the negative side
    assertEquals((short) 0xbf80, bits(-(1f + 0x1p-8f)));
    assertEquals((short) 0xbf82, bits(-(1f + 3 * 0x1p-8f)));
    // a carry out of the fraction moves the exponent: 2 - 2^-9 rounds to 2
    assertEquals((short) 0x4000, bits(f(0x3fffffff)));
  }

  @Test
  void subnormalsZerosAndInfinities() {
    assertEquals((short) 0x0000, bits(0f));
    assertEquals((short) 0x8000, bits(-0f));
    assertEquals((short) 0x0000, bits(Float.MIN_VALUE)); // below half the least bf16 subnormal
    assertEquals((short) 0x8000, bits(-Float.MIN_VALUE));
    assertEquals((short) 0x0001, bits(f(0x00010000))); // the least bf16 subnormal, exact
    assertEquals((short) 0x0000, bits(f(0x00008000))); // its half: a tie, to even 0
    assertEquals((short) 0x0002, bits(f(0x00018000))); // tie between 1 (odd) and 2: up
    assertEquals((short) 0x0001, bits(f(0x00008001))); // above the tie
    assertEquals((short) 0x0080, bits(f(0x007fffff))); // the largest subnormal rounds to normal
    assertEquals(0x1p-133f, Bf16.toFloat((short) 0x0001));
    assertEquals((short) 0x7f80, bits(Float.POSITIVE_INFINITY));
    assertEquals((short) 0xff80, bits(Float.NEGATIVE_INFINITY));
    assertEquals((short) 0x7f80, bits(Float.MAX_VALUE)); // overflow rounds to infinity
    assertEquals((short) 0x7f7f, bits(f(0x7f7f7fff))); // the largest finite bf16
    assertEquals(Float.POSITIVE_INFINITY, Bf16.toFloat((short) 0x7f80));
    assertEquals(Float.NEGATIVE_INFINITY, Bf16.toFloat((short) 0xff80));
  }

  @Test
  void nanStaysNanWithItsSign() {
    for (int nan : new int[] {0x7fc00000, 0x7f800001, 0x7f80ffff, 0x7fffffff, 0x7f810000}) {
      short h = bits(f(nan));
      assertTrue(Float.isNaN(Bf16.toFloat(h)), Integer.toHexString(nan));
      assertEquals(0, h & 0x8000, Integer.toHexString(nan));
      short neg = bits(f(nan | 0x80000000));
      assertTrue(Float.isNaN(Bf16.toFloat(neg)), Integer.toHexString(nan));
      assertEquals(0x8000, neg & 0x8000, Integer.toHexString(nan));
    }
  }

  @Test
  void everyBf16ValueRoundTripsExactly() {
    for (int h = 0; h < 1 << 16; h++) {
      float v = Bf16.toFloat((short) h);
      assertEquals(h << 16, Float.floatToRawIntBits(v), Integer.toHexString(h));
      if (!Float.isNaN(v)) {
        assertEquals((short) h, bits(v), Integer.toHexString(h));
      }
    }
  }

  /** The nearest of the two bf16 neighbours by exact double arithmetic, ties to the even one. */
  static short reference(float x) {
    int b = Float.floatToRawIntBits(x);
    short down = (short) (b >>> 16); // truncation: toward zero
    short up = (short) (down + 1); // away from zero (may become infinity)
    double dDown = Math.abs((double) x - Bf16.toFloat(down));
    double dUp =
        Bf16.toFloat(up) == (x < 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY)
            ? 0x1p128 - Math.abs((double) x) // infinity stands where 2^128 would be
            : Math.abs((double) x - Bf16.toFloat(up));
    if (dDown != dUp) {
      return dDown < dUp ? down : up;
    }
    return (down & 1) == 0 ? down : up;
  }

  @Test
  void randomFloatsRoundToTheNearestBf16() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 1_000_000; i++) {
      int b = rnd.nextInt();
      float x = f(b);
      if (Float.isNaN(x) || Float.isInfinite(x)) {
        continue;
      }
      assertEquals(reference(x), bits(x), () -> Integer.toHexString(b));
    }
  }

  @Test
  void relativeErrorIsAtMostTheUnitRoundoff() {
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 100_000; i++) {
      float x = (float) (rnd.nextGaussian() * Math.exp(rnd.nextDouble(-30, 30)));
      float y = Bf16.toFloat(bits(x));
      assertTrue(Math.abs((double) y - x) <= 0x1p-8 * Math.abs((double) x), x + " -> " + y);
    }
  }
}
