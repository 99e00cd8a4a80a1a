package lore.bench;

/**
 * The once-per-trial correctness checks of the benchmarks, run in {@code @Setup} outside timing.
 * Tolerance as in the engine's tests ({@code Tolerances} in engine/src/test): {@code |x - y| <=
 * atol + rtol * scale}, where the scale is the sum of absolute products that formed the value, not
 * the value itself.
 */
final class Checks {
  /** The engine's {@code Tolerances.F32_KERNEL}; float sums over d = 4096 terms stay inside. */
  static final double RTOL = 1e-4;

  static final double ATOL = 1e-6;

  private Checks() {}

  /**
   * Throws unless {@code got[i]} matches {@code want[i]} within {@code ATOL + RTOL * scale[i]} for
   * i in [0, n).
   */
  static void requireClose(String what, float[] want, float[] got, float[] scale, int n) {
    for (int i = 0; i < n; i++) {
      double tol = ATOL + RTOL * scale[i];
      double diff = Math.abs((double) want[i] - got[i]);
      if (!(diff <= tol)) {
        throw new IllegalStateException(
            what
                + ": element "
                + i
                + " is "
                + got[i]
                + ", the scalar reference "
                + want[i]
                + " (|diff| "
                + diff
                + " > tol "
                + tol
                + ", seed "
                + Inputs.SEED
                + ")");
      }
    }
  }

  /** Throws unless two sums agree to {@code RTOL} relative to {@code scale}. */
  static void requireClose(String what, double want, double got, double scale) {
    double tol = ATOL + RTOL * scale;
    if (!(Math.abs(want - got) <= tol)) {
      throw new IllegalStateException(
          what
              + " is "
              + got
              + ", the scalar reference "
              + want
              + " (tol "
              + tol
              + ", seed "
              + Inputs.SEED
              + ")");
    }
  }

  /** Throws unless {@code v} has length n and every entry is finite. */
  static void requireFinite(String what, float[] v, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalStateException(what + ": element " + i + " is " + v[i]);
      }
    }
  }
}
