package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.internal.kernel.Numerics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Stable logistic loss {@code sum log(1 + e^{-m})} over {@code n} margins (one per training pair),
 * with the per-margin derivative the backward pass needs: {@code Numerics.softplusNeg} and {@code
 * softplusNegGrad} in a loop (path {@code engine}; both kernel implementations share it) vs ND4J
 * {@code Transforms.softPlus} and {@code sigmoid}. Margins span [-30, 30] to exercise both
 * branches.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      Flags.VECTOR,
      Flags.NATIVE,
      Flags.UNSAFE,
      Flags.MAXBYTES,
      Flags.MAXPHYSICAL,
      "-Xms1g",
      "-Xmx1g",
      Flags.PRETOUCH
    })
public class LogisticLossBenchmark extends PathState {
  @Param({"45000"})
  int n;

  float[] margins;
  float[] coef;
  INDArray nm;
  INDArray[] ncoef;

  @Setup(Level.Trial)
  public void setUp() {
    selectPath();
    margins = Inputs.uniform(new SplittableRandom(Inputs.SEED), n, -30, 30);
    coef = new float[n];
    if (nd4j) {
      nm = Nd4jPath.vector(margins);
      ncoef = new INDArray[1];
    }
    check();
  }

  /** Once per trial: loss and derivatives match the double-precision scalar reference. */
  void check() {
    double want = 0;
    float[] wantCoef = new float[n];
    for (int i = 0; i < n; i++) {
      want += Numerics.softplusNeg(margins[i]);
      wantCoef[i] = (float) Numerics.softplusNegGrad(margins[i]);
    }
    double got = loss(null);
    float[] gotCoef = nd4j ? ncoef[0].data().asFloat() : coef;
    Checks.requireClose(path + " logistic loss", want, got, want);
    float[] scale = new float[n];
    java.util.Arrays.fill(scale, 1f); // derivatives are in [-1, 0]
    Checks.requireClose(path + " logistic derivative", wantCoef, gotCoef, scale, n);
  }

  @Benchmark
  public double loss(Blackhole bh) {
    if (nd4j) {
      double l = Nd4jPath.logisticLoss(nm, ncoef);
      if (bh != null) {
        bh.consume(ncoef[0]);
      }
      return l;
    }
    double loss = 0; // summed in double, as the engine sums losses over examples
    for (int i = 0; i < n; i++) {
      double m = margins[i];
      loss += Numerics.softplusNeg(m);
      coef[i] = (float) Numerics.softplusNegGrad(m);
    }
    if (bh != null) {
      bh.consume(coef);
    }
    return loss;
  }
}
