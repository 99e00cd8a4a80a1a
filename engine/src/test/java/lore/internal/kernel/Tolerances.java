package lore.internal.kernel;

/**
 * Central test tolerances, so that every kernel comparison uses the same bounds. Kernels compare as
 * {@code |x - y| <= atol + rtol * scale}, where the scale is the sum of the absolute values of the
 * terms (not the result, which can cancel to about 0).
 */
public final class Tolerances {
  private Tolerances() {}

  /** Relative to the absolute-value sum of the terms, for float kernels. */
  public static final double F32_KERNEL = 1e-4;

  /** For float results that should be exact up to a few ulps. */
  public static final double F32_STRICT = 1e-6;

  /** For double computations. */
  public static final double F64 = 1e-10;
}
