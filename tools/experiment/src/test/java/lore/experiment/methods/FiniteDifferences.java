package lore.experiment.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Supplier;
import lore.experiment.nn.Param;

/**
 * Central finite differences of a baseline's batch loss (float forward, differenced in double),
 * with the one-sided fallback at kinks (ReLU, hinge, clamp) of the engine's nn tests.
 */
final class FiniteDifferences {
  static final double EPS = 5e-3;
  static final double ATOL = 2e-3;
  static final double RTOL = 2e-2;

  private FiniteDifferences() {}

  /** Asserts that each parameter's gradient (already computed) matches the loss's differences. */
  static void assertGradients(List<Param> params, Supplier<Double> loss, String what) {
    double base = loss.get();
    for (Param p : params) {
      float[] v = p.value();
      float[] analytic = p.grad().clone();
      for (int i = 0; i < v.length; i++) {
        float keep = v[i];
        float hi = (float) (keep + EPS);
        float lo = (float) (keep - EPS);
        v[i] = hi;
        double up = loss.get();
        v[i] = lo;
        double down = loss.get();
        v[i] = keep;
        double central = (up - down) / ((double) hi - lo);
        double forward = (up - base) / ((double) hi - keep);
        double backward = (base - down) / ((double) keep - lo);
        if (close(central, analytic[i]) || close(forward, analytic[i])
            || close(backward, analytic[i])) {
          continue;
        }
        assertEquals(central, analytic[i], ATOL + RTOL * Math.abs(central),
            what + " " + p + "[" + i + "]");
      }
    }
  }

  private static boolean close(double numeric, double analytic) {
    return Math.abs(numeric - analytic) <= ATOL + RTOL * Math.abs(numeric);
  }
}
