package lore.experiment.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Supplier;

/**
 * Central finite differences of a scalar loss, differenced in double: the one gradient check of the
 * layer tests here and of the baselines' losses ({@code lore.experiment.methods}). The forward
 * passes run in float, so the step is 5e-3 and the tolerance float-grade: {@code |a - n| <= ATOL +
 * RTOL |n|}. When the central difference straddles a kink of a piecewise-linear function (ReLU,
 * LeakyReLU, hinge, clamp), one of the two one-sided differences does not, and it is accepted
 * instead.
 */
public final class GradientCheck {
  static final double EPS = 5e-3;
  static final double ATOL = 2e-3;
  static final double RTOL = 2e-2;

  private GradientCheck() {}

  /** Asserts {@code analytic[i]} = dLoss/dv[i] for every i; v is restored. */
  public static void assertGradient(
      float[] v, float[] analytic, Supplier<Double> loss, String what) {
    double base = loss.get();
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
      if (close(central, analytic[i])) {
        continue;
      }
      double forward = (up - base) / ((double) hi - keep);
      double backward = (base - down) / ((double) keep - lo);
      if (close(forward, analytic[i]) || close(backward, analytic[i])) {
        continue;
      }
      assertEquals(central, analytic[i], ATOL + RTOL * Math.abs(central), what + "[" + i + "]");
    }
  }

  /** Asserts that each parameter's gradient, already accumulated, is dLoss/dparameter. */
  public static void assertGradients(List<Param> params, Supplier<Double> loss, String what) {
    for (Param p : params) {
      assertGradient(p.value(), p.grad().clone(), loss, what + " " + p);
    }
  }

  /** Zeroes the gradients, before the backward pass that is checked. */
  public static void zeroGrads(List<Param> params) {
    for (Param p : params) {
      p.zeroGrad();
    }
  }

  private static boolean close(double numeric, double analytic) {
    return Math.abs(numeric - analytic) <= ATOL + RTOL * Math.abs(numeric);
  }

  /** {@code sum_i c_i y_i} in double. */
  public static double weighted(float[] y, float[] c) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += (double) c[i] * y[i];
    }
    return s;
  }
}
